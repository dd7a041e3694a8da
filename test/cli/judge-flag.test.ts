/**
 * `--judge fashion` of `ts-gan evaluate` and `ts-gan train`: the Fashion-MNIST judge scores
 * Fashion-MNIST images against its own test set, the MNIST judge stays the default, and a
 * judge that does not exist is a usage error. Reads Debian's dataset-fashion-mnist files.
 */
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { cli } from '../support/cli';

const FASHION_DIR = '/usr/share/datasets/fashion-mnist';
const TEST_IMAGES = join(FASHION_DIR, 't10k-images-idx3-ubyte.gz');
const TRAIN_IMAGES = join(FASHION_DIR, 'train-images-idx3-ubyte.gz');
const temp = (prefix: string) => mkdtemp(join(tmpdir(), `ts-gan-judge-${prefix}-`));
/** The last line of stdout is the JSON report. */
const report = (stdout: string) => JSON.parse(stdout.trim().split('\n').at(-1) as string);

describe('ts-gan evaluate --judge', () => {
  test('fashion scores real Fashion-MNIST images near its test set; the default MNIST judge reads them far', async () => {
    const common = ['--from', TEST_IMAGES, '--n', '300', '--kid-subsets', '2', '--backend', 'cpu'];
    const fashion = await cli('evaluate', ...common, '--judge', 'fashion');
    expect(fashion.code).toBe(0);
    expect(fashion.stdout).toMatch(/judge\s+fashion/);
    const f = report(fashion.stdout);
    expect(f).toMatchObject({ judge: 'fashion', count: 300 });
    const mnist = await cli('evaluate', ...common);
    expect(mnist.code).toBe(0);
    const m = report(mnist.stdout);
    expect(m.judge).toBe('mnist');
    expect(f.frechetDistance).toBeLessThan(15);
    expect(m.frechetDistance).toBeGreaterThan(5 * f.frechetDistance);
  });

  test('an unknown judge is a usage error', async () => {
    const r = await cli('evaluate', '--from', TEST_IMAGES, '--judge', 'cifar');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--judge must be mnist or fashion, got "cifar"');
  });
});

describe('ts-gan train --judge', () => {
  async function firstEvaluation(...judge: string[]) {
    const out = join(await temp('run'), 'run');
    const r = await cli(
      'train',
      '--data',
      TRAIN_IMAGES,
      '--limit',
      '64',
      '--arch',
      'mlp',
      '--backend',
      'cpu',
      '--batch-size',
      '8',
      '--steps',
      '1',
      '--eval-every',
      '1',
      '--eval-samples',
      '50',
      '--seed',
      '3',
      ...judge,
      '--out',
      out,
    );
    expect(r.code, r.stderr).toBe(0);
    const lines = (await readFile(join(out, 'metrics.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    return lines.find((l) => l.frechetDistance !== undefined);
  }

  test('--eval-every scores with the Fashion-MNIST judge when asked, with the MNIST judge by default', async () => {
    const fashion = await firstEvaluation('--judge', 'fashion');
    const mnist = await firstEvaluation();
    expect(fashion.step).toBe(1);
    expect(mnist.step).toBe(1);
    // The same samples (same seed), two judges, two references.
    expect(fashion.frechetDistance).not.toBeCloseTo(mnist.frechetDistance, 3);
  });

  test('an unknown judge is a usage error', async () => {
    const r = await cli('train', '--data', TRAIN_IMAGES, '--judge', 'cifar', '--out', join(await temp('o'), 'x'));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--judge must be mnist or fashion, got "cifar"');
  });
});
