/**
 * `ts-gan mnist` writes TensorBoard event files into <out>/tensorboard/ by default: the same step
 * logs and judge metrics as metrics.jsonl, and the same grids as samples/.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { PNG } from 'pngjs';
import type { TensorBoardEvent } from 'ts-gan';
import { readEvents } from 'ts-gan/node';
import { expect, test } from 'vitest';
import { cli } from '../support/cli';

const SMALL = ['--arch', 'mlp', '--backend', 'cpu', '--batch-size', '8', '--limit', '200', '--log-every', '1'];

/** Each scalar event's values by tag, for the tags under `prefix`. */
function scalarsUnder(events: TensorBoardEvent[], prefix: string): { step: number; values: Record<string, number> }[] {
  return events
    .map((e) => ({
      step: e.step,
      values: Object.fromEntries(
        (e.summary ?? [])
          .filter((v) => v.simpleValue !== undefined && v.tag.startsWith(prefix))
          .map((v) => [v.tag.slice(prefix.length), v.simpleValue as number]),
      ),
    }))
    .filter((e) => Object.keys(e.values).length > 0);
}

test('ts-gan mnist writes tensorboard/ with metrics.jsonl values and samples/ grids; --no-tensorboard does not', async () => {
  const help = await cli('mnist', '--help');
  expect(help.stdout).toMatch(/--no-tensorboard/);

  const out = await mkdtemp(join(tmpdir(), 'ts-gan-tensorboard-cli-'));
  const before = tf.memory().numTensors;
  const args = ['--steps', '4', '--sample-every', '2', '--eval-every', '2', '--eval-samples', '64', '--out', out];
  const result = await cli('mnist', ...SMALL, ...args);
  expect(result.code).toBe(0);
  expect(tf.memory().numTensors).toBe(before);

  const files = await readdir(join(out, 'tensorboard'));
  expect(files).toHaveLength(1);
  expect(files[0]).toMatch(/^events\.out\.tfevents\.\d+\./);
  const events = await readEvents(join(out, 'tensorboard', files[0] as string));

  const lines = (await readFile(join(out, 'metrics.jsonl'), 'utf8'))
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, number>);
  const stepLines = lines.filter((l) => 'dLoss' in l);
  const evalLines = lines.filter((l) => 'classifierScore' in l);

  const train = scalarsUnder(events, 'train/');
  expect(train.map((e) => e.step)).toEqual(stepLines.map((l) => l.step));
  for (const [i, e] of train.entries()) {
    for (const key of ['dLoss', 'gLoss', 'dReal', 'dFake', 'stepsPerSecond'])
      expect(e.values[key]).toBe(Math.fround(stepLines[i]?.[key] as number));
  }
  const evals = scalarsUnder(events, 'eval/');
  expect(evals.map((e) => e.step)).toEqual([2, 4]);
  for (const [i, e] of evals.entries()) {
    const { step, ...metrics } = evalLines[i] as Record<string, number>;
    expect(e.step).toBe(step);
    expect(Object.keys(e.values).sort()).toEqual(Object.keys(metrics).sort());
    for (const [key, value] of Object.entries(metrics)) expect(e.values[key]).toBe(Math.fround(value));
  }

  // The grids of samples/ (drawn 3x there, 2x here), at the same steps.
  const grids = events.filter((e) => e.summary?.[0]?.image);
  expect(grids.map((e) => e.step)).toEqual([0, 2, 4]);
  for (const g of grids) {
    const ours = PNG.sync.read(Buffer.from(g.summary?.[0]?.image?.encoded as Uint8Array));
    const name = `step-${String(g.step).padStart(6, '0')}.png`;
    const theirs = PNG.sync.read(await readFile(join(out, 'samples', name)));
    expect([ours.width * 3, ours.height * 3]).toEqual([theirs.width * 2, theirs.height * 2]);
    for (let y = 0; y < ours.height; y++) {
      for (let x = 0; x < ours.width; x++) {
        const a = (y * ours.width + x) * 4;
        const b = (Math.floor(y / 2) * 3 * theirs.width + Math.floor(x / 2) * 3) * 4;
        if (ours.data[a] !== theirs.data[b]) throw new Error(`step ${g.step}: pixel ${x},${y} differs`);
      }
    }
  }

  // A new run that replaces this one (--overwrite) drops its event files; --no-tensorboard writes none.
  const off = await cli(
    'mnist',
    ...SMALL,
    '--steps',
    '1',
    '--eval-every',
    '0',
    '--no-tensorboard',
    '--overwrite',
    '--out',
    out,
  );
  expect(off.code).toBe(0);
  expect(existsSync(join(out, 'tensorboard'))).toBe(false);
  expect(tf.memory().numTensors).toBe(before);
});
