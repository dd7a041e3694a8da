/**
 * `ts-gan mnist` stops a diverging run with exit code 3, names the step and the loss, records the
 * alarm in metrics.jsonl, and keeps the last good checkpoint instead of saving the diverged state.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { GAN, Trainer } from 'ts-gan';
import { describe, expect, test } from 'vitest';
import { loadCheckpoint } from '../../src/cli/persist';
import { cli } from '../support/cli';

/**
 * A run folder whose checkpoint (step 0, good weights) trains its linear-output generator with Adam
 * at 1e6: the generator's first update explodes, and the losses show it one step later.
 */
async function explosiveRun(): Promise<string> {
  const out = await mkdtemp(join(tmpdir(), 'ts-gan-diverge-'));
  const gan = new GAN({
    latentDim: 8,
    dataShape: [28, 28, 1],
    buildGenerator: (ctx) =>
      tfl.sequential({
        layers: [
          tfl.layers.dense({ units: 784, inputShape: [ctx.latentDim] }),
          tfl.layers.reshape({ targetShape: [28, 28, 1] }),
        ],
      }),
    buildDiscriminator: (ctx) =>
      tfl.sequential({
        layers: [
          tfl.layers.flatten({ inputShape: ctx.dataShape }),
          tfl.layers.dense({ units: 16, activation: 'relu' }),
          tfl.layers.dense({ units: 1 }),
        ],
      }),
  });
  const trainer = new Trainer(gan, { batchSize: 8, generatorLearningRate: 1e6 });
  await trainer.save(pathToFileURL(join(out, 'checkpoint')).href);
  trainer.dispose();
  gan.dispose();
  return out;
}

const RUN = ['--backend', 'cpu', '--limit', '64', '--log-every', '1', '--checkpoint-every', '1'];
const QUIET = ['--sample-every', '0', '--eval-every', '0'];

describe('ts-gan mnist: the divergence alarm', () => {
  test('stops with exit 3 naming the step and the loss, records the alarm, keeps the good checkpoint', async () => {
    const out = await explosiveRun();
    const r = await cli('mnist', ...RUN, ...QUIET, '--resume', '--steps', '30', '--out', out);
    expect(r.code).toBe(3);
    const match = /ts-gan mnist: Training diverged at step (\d+): (dLoss|gLoss) is (\S+) \(/.exec(r.stderr);
    expect(match).not.toBeNull();
    const step = Number(match?.[1]);
    expect(step).toBeLessThan(30);
    expect(r.stderr).toContain(`The last good checkpoint is kept in ${join(out, 'checkpoint')}.`);
    const lines = (await readFile(join(out, 'metrics.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const alarm = lines.at(-1);
    expect(alarm).toEqual({
      step,
      alarm: 'divergence',
      message: expect.stringContaining(`at step ${step}: ${match?.[2]}`),
    });
    // Neither the diverged networks nor a checkpoint of an exploded state were saved.
    expect(existsSync(join(out, 'gan'))).toBe(false);
    const kept = await loadCheckpoint(join(out, 'checkpoint'), { logEvery: 1, dataShape: [28, 28, 1] });
    expect(kept.step).toBeLessThan(step);
    expect(r.stderr).toMatch(
      /warning: checkpoint at step 1 not saved: the discriminator's logits reach \S+ \(above 1000000\)/,
    );
    const weights = [...kept.gan.generator.getWeights(), ...kept.gan.discriminator.getWeights()];
    const worst = Math.max(...weights.map((w) => tf.max(tf.abs(w)).dataSync()[0] as number));
    expect(worst).toBeLessThan(10);
    kept.dispose();
    kept.gan.dispose();
  });

  test('--divergence off trains the same run to the end; a bad value is a usage error', async () => {
    const out = await explosiveRun();
    const r = await cli('mnist', ...RUN, ...QUIET, '--resume', '--steps', '6', '--divergence', 'off', '--out', out);
    expect(r.code).toBe(0);
    const bad = await cli('mnist', '--divergence', 'maybe');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('ts-gan mnist: --divergence must be stop, warn or off, got "maybe".');
  });

  test('--help gives the flag and the exit code', async () => {
    const r = await cli('mnist', '--help');
    expect(r.stdout).toContain('--divergence MODE');
    expect(r.stdout).toContain('3 training diverged');
  });
});
