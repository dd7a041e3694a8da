/**
 * `ts-gan train`: the pipeline of `ts-gan mnist` on a generated folder of coloured shapes (PNG and
 * JPEG, two class subfolders) and on IDX files, with --resume, and its refusals.
 */
import { mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import * as tf from '@tensorflow/tfjs-core';
import { PNG } from 'pngjs';
import { describe, expect, test } from 'vitest';
import { cli } from '../support/cli';
import { idxFile } from '../support/idx';
import { pngBytes, shapePixels, writeShapesFolder } from '../support/images';

const temp = (prefix: string) => mkdtemp(join(tmpdir(), `ts-gan-train-${prefix}-`));
/** Tiny networks, a few steps. */
const SMALL = ['--backend', 'cpu', '--batch-size', '4', '--log-every', '1'];
/** The convolutional architectures at their smallest useful width. */
const TINY = ['--filters', '4'];

function pngSize(bytes: Buffer): [number, number] {
  const png = PNG.sync.read(bytes);
  return [png.width, png.height];
}

async function metricSteps(out: string): Promise<number[]> {
  const text = await readFile(join(out, 'metrics.jsonl'), 'utf8');
  return text
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l).step as number);
}

type CliResult = Awaited<ReturnType<typeof cli>>;

/**
 * Runs `ts-gan train ...args --steps N --out out`, then the same with `--steps total --resume`
 * (`firstOnly` on the first run alone; `between` runs between the two). Both must succeed, the
 * second resuming from step N, and metrics.jsonl must then hold steps 1 to total once each.
 */
async function trainThenResume(
  out: string,
  args: readonly string[],
  [steps, total]: [number, number],
  { firstOnly = [], between }: { firstOnly?: readonly string[]; between?: () => Promise<void> } = {},
): Promise<{ first: CliResult; resumed: CliResult }> {
  const first = await cli('train', ...args, ...firstOnly, '--steps', String(steps), '--out', out);
  expect(first.code, first.stderr).toBe(0);
  await between?.();
  const resumed = await cli('train', ...args, '--steps', String(total), '--resume', '--out', out);
  expect(resumed.code, resumed.stderr).toBe(0);
  expect(resumed.stderr).toContain(`resuming from step ${steps}`);
  expect(await metricSteps(out)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
  return { first, resumed };
}

describe('ts-gan train on an image folder', () => {
  test('cgan on 32x32 colour shapes labelled by subfolder; --resume continues from the checkpoint and reads the cache', async () => {
    const data = await temp('shapes');
    await writeShapesFolder(data, 3);
    const out = join(await temp('run'), 'run');
    const cache = join(await temp('cache'), 'c');
    const args = [
      ...SMALL,
      '--data',
      data,
      '--size',
      '32',
      '--channels',
      '3',
      '--arch',
      'cgan',
      ...TINY,
      '--cache',
      cache,
    ];
    const before = tf.memory().numTensors;
    const { first, resumed } = await trainThenResume(out, args, [2, 4], {
      between: async () => {
        expect(tf.memory().numTensors).toBe(before);
        // One row per class, ten styles each, 32 px with 2 px padding, drawn 3x.
        expect(pngSize(await readFile(join(out, 'samples', 'latest.png')))).toEqual([
          3 * (10 * 32 + 11 * 2),
          3 * (2 * 32 + 3 * 2),
        ]);
        expect(await readdir(join(out, 'checkpoint'))).not.toHaveLength(0);
        const runJson = JSON.parse(await readFile(join(out, 'run.json'), 'utf8'));
        expect(JSON.stringify(runJson)).toContain('"train"');
      },
    });
    expect(first.stderr).toContain('data: 6 images 32x32x3 in 2 classes (discs, squares)');
    expect(first.stderr).not.toContain('from the cache');
    expect(resumed.stderr).toContain('from the cache');
    expect(resumed.stderr).toMatch(/trained 2 steps \(to step 4\)/);
    expect(tf.memory().numTensors).toBe(before);
  });

  test('dcgan in grey at 28 px with --no-cache; bad files are skipped and named, or fail the run with --on-bad-file fail', async () => {
    const data = await temp('bad');
    await writeShapesFolder(data, 2);
    await writeFile(join(data, 'discs', 'broken.png'), 'not a picture');
    const out = join(await temp('run'), 'run');
    const r = await cli(
      'train',
      ...SMALL,
      '--data',
      data,
      '--size',
      '28',
      '--channels',
      '1',
      '--arch',
      'dcgan',
      ...TINY,
      '--no-cache',
      '--steps',
      '1',
      '--out',
      out,
    );
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('warning: skipped 1 files that cannot be used');
    expect(r.stderr).toContain(`${join('discs', 'broken.png')}: not a PNG or JPEG file`);
    expect(r.stderr).toContain('data: 4 images 28x28x1 in 2 classes');
    const failed = await cli(
      'train',
      ...SMALL,
      '--data',
      data,
      '--no-cache',
      '--on-bad-file',
      'fail',
      '--out',
      join(out, 'x'),
    );
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain(join(data, 'discs', 'broken.png'));
    expect(failed.stderr).toContain('not a PNG or JPEG file');
    expect(failed.stderr).not.toMatch(/\n\s+at /); // no stack
  });
});

describe('ts-gan train --augment', () => {
  test('trains with DiffAugment, keeps it in the checkpoint, and refuses another augmentation on --resume', async () => {
    const data = await temp('augment');
    await writeShapesFolder(data, 2);
    const out = join(await temp('run'), 'run');
    const args = [...SMALL, '--data', data, '--size', '8', '--no-cache'];
    await trainThenResume(out, args, [1, 2], {
      firstOnly: ['--augment', 'translation,cutout', '--augment-probability', '0.5'],
      between: async () => {
        const checkpoint = JSON.parse(await readFile(join(out, 'checkpoint', 'checkpoint.json'), 'utf8'));
        expect(JSON.stringify(checkpoint)).toContain('"augment":{"policy":["translation","cutout"],"probability":0.5}');
        const other = await cli('train', ...args, '--augment', 'color', '--steps', '2', '--resume', '--out', out);
        expect(other.code).toBe(1);
        expect(other.stderr).toMatch(/augment differs/);
      },
    });
  });

  test('bad values are usage errors', async () => {
    const data = await temp('augflags');
    await writeShapesFolder(data, 1);
    for (const [argv, pattern] of [
      [['--augment', 'flip'], /--augment must be all or a list of color, translation, cutout/],
      [['--augment', 'color,color'], /--augment must be all or a list/],
      [['--augment', 'all', '--augment-probability', '0'], /--augment-probability must be a number in \(0, 1\]/],
      [['--augment-probability', '0.5'], /--augment-probability needs --augment LIST/],
    ] as const) {
      const r = await cli('train', '--backend', 'cpu', '--data', data, ...argv, '--out', join(await temp('o'), 'x'));
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(pattern);
    }
  });
});

describe('ts-gan train on IDX files', () => {
  async function writeIdx(dir: string, gz: boolean): Promise<string> {
    const n = 8;
    const pixels = Uint8Array.from({ length: n * 28 * 28 }, (_, i) => (i * 37) % 256);
    const images = idxFile(0x08, [n, 28, 28], pixels);
    const labels = idxFile(
      0x08,
      [n],
      Uint8Array.from({ length: n }, (_, i) => i % 3),
    );
    const suffix = gz ? '.gz' : '';
    await writeFile(join(dir, `train-images-idx3-ubyte${suffix}`), gz ? gzipSync(images) : images);
    await writeFile(join(dir, `train-labels-idx1-ubyte${suffix}`), gz ? gzipSync(labels) : labels);
    return join(dir, `train-images-idx3-ubyte${suffix}`);
  }

  test('a gzipped file with the labels beside it trains acgan and resumes', async () => {
    const file = await writeIdx(await temp('idxgz'), true);
    const out = join(await temp('run'), 'run');
    const { first } = await trainThenResume(out, [...SMALL, '--data', file, '--arch', 'acgan', ...TINY], [1, 2], {
      between: async () => {
        // Three classes (labels 0-2): three rows.
        expect(pngSize(await readFile(join(out, 'samples', 'latest.png')))).toEqual([
          3 * (10 * 28 + 11 * 2),
          3 * (3 * 28 + 4 * 2),
        ]);
      },
    });
    expect(first.stderr).toContain('data: 8 images 28x28x1 from');
    expect(first.stderr).toContain('with the labels of');
  });

  test('a plain file resized to 32x32 in colour trains the MLP and resumes', async () => {
    const file = await writeIdx(await temp('idx'), false);
    const out = join(await temp('run'), 'run');
    const args = [...SMALL, '--data', file, '--size', '32', '--channels', '3'];
    const before = tf.memory().numTensors;
    const { first } = await trainThenResume(out, args, [1, 2]);
    expect(first.stderr).toContain('data: 8 images 32x32x3 from');
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('ts-gan train refuses', () => {
  test('bad flags with exit code 2 and a message naming the flag', async () => {
    const data = await temp('flags');
    await writeShapesFolder(data, 1);
    const out = await temp('out');
    for (const [argv, pattern] of [
      [[], /--data PATH is required/],
      [['--data', data, '--size', '0'], /--size must be N or HxW with sides from 1 to 256, got "0"/],
      [['--data', data, '--size', '32x'], /--size must be N or HxW/],
      [['--data', data, '--channels', '2'], /--channels must be 1 or 3, got "2"/],
      [['--data', data, '--fit', 'stretch'], /--fit must be crop or pad/],
      [['--data', data, '--on-bad-file', 'ignore'], /--on-bad-file must be skip or fail/],
      [['--data', data, '--arch', 'gan'], /--arch must be one of/],
      [['--data', data, '--arch', 'mlp', '--filters', '4'], /--filters applies to the convolutional/],
      [['--data', data, '--resume', '--overwrite'], /give one of them/],
    ] as const) {
      const r = await cli('train', '--backend', 'cpu', ...argv, '--out', join(out, 'x'));
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(pattern);
      expect(r.stderr).toContain('ts-gan train');
    }
  });

  test('a conditional architecture without labels, and the judge on data it cannot read, with exit code 2', async () => {
    const flat = await temp('flat');
    await writeFile(join(flat, 'a.png'), pngBytes(shapePixels('disc', [200, 0, 0], 8, 8), 8, 8));
    const before = tf.memory().numTensors;
    const cgan = await cli(
      'train',
      ...SMALL,
      '--data',
      flat,
      '--arch',
      'cgan',
      '--no-cache',
      '--out',
      join(await temp('o'), 'x'),
    );
    expect(cgan.code).toBe(2);
    expect(cgan.stderr).toMatch(/--arch cgan trains on class labels, and the data has none/);
    const judge = await cli(
      'train',
      ...SMALL,
      '--data',
      flat,
      '--eval-every',
      '10',
      '--no-cache',
      '--out',
      join(await temp('o'), 'x'),
    );
    expect(judge.code).toBe(2);
    expect(judge.stderr).toMatch(/MNIST judge, which reads 28x28 images with 1 channel; this data is 32x32x3/);
    expect(tf.memory().numTensors).toBe(before);
  });

  test('missing or empty data with exit code 1, saying what was looked for', async () => {
    const empty = await temp('empty');
    await mkdir(join(empty, 'sub'));
    const none = await cli('train', ...SMALL, '--data', empty, '--no-cache', '--out', join(await temp('o'), 'x'));
    expect(none.code).toBe(1);
    expect(none.stderr).toContain(`no images in ${empty}: looked for .png, .jpg, .jpeg files in it and its subfolders`);
    const missing = await cli('train', ...SMALL, '--data', join(empty, 'nope'), '--out', join(await temp('o'), 'x'));
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/--data .*nope cannot be read/);
    const labels = await cli('train', ...SMALL, '--data', empty, '--labels', 'x', '--out', join(await temp('o'), 'x'));
    expect(labels.code).toBe(1);
    expect(labels.stderr).toMatch(/the labels of a folder are its subfolders/);
  });
});
