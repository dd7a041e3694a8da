/**
 * `ts-gan sample` draws and writes its grid in chunks: the PNG equals the one-piece grid of
 * `gan.sample(n)`, and a count whose grid no one could open is refused at once with exit 2.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { PNG } from 'pngjs';
import { GAN } from 'ts-gan';
import { encodeImageGrid } from 'ts-gan/node';
import { describe, expect, test } from 'vitest';
import { loadGan, saveGan } from '../../src/cli/persist';
import { writeGridStream } from '../../src/cli/png-stream';
import { cli } from '../support/cli';

const temp = () => mkdtemp(join(tmpdir(), 'ts-gan-sample-chunks-'));

/** Decoded RGBA pixels and size of a PNG file or buffer. */
function pixels(bytes: Buffer): { width: number; height: number; data: number[] } {
  const png = PNG.sync.read(bytes);
  return { width: png.width, height: png.height, data: Array.from(png.data) };
}

/** Splits `images` into tensors of `size` images (the last one shorter); `images` is kept. */
function* pieces(images: tf.Tensor, size: number): Generator<tf.Tensor> {
  const n = images.shape[0] as number;
  for (let from = 0; from < n; from += size) {
    yield tf.slice(images, from, Math.min(size, n - from));
  }
}

async function savedGan(): Promise<string> {
  const dir = await temp();
  const gan = new GAN({
    latentDim: 6,
    dataShape: [28, 28, 1],
    buildGenerator: (ctx) =>
      tfl.sequential({
        layers: [
          tfl.layers.dense({ units: 784, activation: 'tanh', inputShape: [ctx.latentDim] }),
          tfl.layers.reshape({ targetShape: [28, 28, 1] }),
        ],
      }),
    buildDiscriminator: (ctx) =>
      tfl.sequential({
        layers: [tfl.layers.flatten({ inputShape: [...ctx.dataShape] }), tfl.layers.dense({ units: 1 })],
      }),
    seed: 3,
  });
  await saveGan(gan, join(dir, 'gan'));
  gan.dispose();
  return dir;
}

describe('the chunked grid writer', () => {
  test.each([
    [1, 5, 2],
    [3, undefined, 1],
  ] as const)(
    '%i channel(s), columns %s, scale %i: the same pixels as encodeImageGrid, chunks across rows',
    async (channels, columns, scale) => {
      const n = 23;
      const images = tf.tidy(() => tf.sub(tf.mul(tf.randomUniform([n, 4, 3, channels], 0, 1, 'float32', 7), 2.4), 1.2));
      const options = { scale, ...(columns === undefined ? {} : { columns }) };
      const expected = pixels(await encodeImageGrid(images, options));
      const file = join(await temp(), 'grid.png');
      const before = tf.memory().numTensors;
      await writeGridStream(pieces(images, 3), file, { n, height: 4, width: 3, channels, ...options });
      expect(tf.memory().numTensors).toBe(before);
      expect(pixels(await readFile(file))).toEqual(expected);
      images.dispose();
    },
  );
});

describe('ts-gan sample in chunks', () => {
  test('a count over one chunk writes the grid of gan.sample(n) for the same seed', async () => {
    const dir = await savedGan();
    const out = join(dir, 'grid.png');
    const before = tf.memory().numTensors;
    const r = await cli(
      'sample',
      '--from',
      dir,
      '--n',
      '300',
      '--seed',
      '4',
      '--scale',
      '1',
      '--out',
      out,
      '--backend',
      'cpu',
    );
    expect(r.stderr).not.toMatch(/error/i);
    expect(r.code).toBe(0);
    expect(tf.memory().numTensors).toBe(before);
    const gan = await loadGan(join(dir, 'gan'));
    const images = gan.sample(300, { seed: 4 });
    const expected = pixels(await encodeImageGrid(images));
    images.dispose();
    gan.dispose();
    expect(pixels(await readFile(out))).toEqual(expected);
  });

  test('an absurd --n is refused at once with exit 2, the flag, the limit and what to do', async () => {
    const dir = await savedGan();
    const out = join(dir, 'huge.png');
    const before = tf.memory().numTensors;
    const r = await cli('sample', '--from', dir, '--n', '100000000', '--out', out, '--backend', 'cpu');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/ts-gan sample: --n 100000000 makes a grid of \d+ x \d+ pixels at --scale 3/);
    expect(r.stderr).toContain('more than the 1073741824 (2^30)');
    expect(r.stderr).toMatch(/at most about \d+ images fit\. Lower --n or --scale/);
    expect(existsSync(out)).toBe(false);
    expect(tf.memory().numTensors).toBe(before);
    const labelled = await cli('sample', '--from', dir, '--n', '5000000', '--labels', '0-9', '--backend', 'cpu');
    expect(labelled.code).toBe(2);
    expect(labelled.stderr).toContain('--n 5000000 with 10 labels makes a grid');
  });
});
