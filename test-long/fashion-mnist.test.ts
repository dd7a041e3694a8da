/**
 * `ts-gan train` and `ts-gan evaluate` on the real Fashion-MNIST files of Debian's
 * `dataset-fashion-mnist` package (or the folder in FASHION_MNIST_DIR): the 60,000 pictures and their
 * labels load, the fast recipe trains on them conditioned, a run resumes, and the Fashion judge scores
 * the checkpoint. `npm run test:long`; `.ci/run` installs the package first.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { cli } from '../test/support/cli';

const DIR = process.env.FASHION_MNIST_DIR ?? '/usr/share/datasets/fashion-mnist';
const IMAGES = join(DIR, 'train-images-idx3-ubyte.gz');

describe('Fashion-MNIST from its IDX files', () => {
  test('trains the fast recipe on the 60,000 labelled pictures, resumes, and the Fashion judge scores it', async () => {
    expect(
      existsSync(IMAGES),
      `${IMAGES} is missing: install Debian's dataset-fashion-mnist (apt-get install dataset-fashion-mnist) or set FASHION_MNIST_DIR`,
    ).toBe(true);
    const out = join(await mkdtemp(join(tmpdir(), 'ts-gan-fashion-')), 'run');
    const common = ['--data', IMAGES, '--backend', 'wasm', '--log-every', '1', '--out', out];
    const first = await cli('train', ...common, '--steps', '2');
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toContain('data: 60000 images 28x28x1 from');
    expect(first.stderr).toContain('with the labels of');
    const resumed = await cli('train', ...common, '--steps', '4', '--resume');
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toContain('resuming from step 2');
    const steps = (await readFile(join(out, 'metrics.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l).step as number);
    expect(steps).toEqual([1, 2, 3, 4]);
    const scored = await cli('evaluate', '--from', out, '--judge', 'fashion', '--n', '500', '--json');
    expect(scored.code, scored.stderr).toBe(0);
    const report = JSON.parse(scored.stdout);
    expect(report.judge).toContain('fashion');
    // Four steps of training: far from the real pictures, but a finite distance.
    expect(Number.isFinite(report.frechetDistance ?? report.fid)).toBe(true);
  });
});
