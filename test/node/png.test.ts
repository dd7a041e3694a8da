import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { PNG } from 'pngjs';
import { ShapeError } from 'ts-gan';
import { encodeImageGrid, imageGridSize, writeImageGrid } from 'ts-gan/node';
import { describe, expect, test } from 'vitest';

function pixel(png: PNG, x: number, y: number): number[] {
  const i = (y * png.width + x) * 4;
  return Array.from(png.data.subarray(i, i + 4));
}

describe('encodeImageGrid', () => {
  test('a 5x5 grid of 28x28 images decodes to the size imageGridSize gives', async () => {
    const images = tf.zeros([25, 28, 28, 1]);
    const png = PNG.sync.read(await encodeImageGrid(images, { scale: 3 }));
    // 5 images of 28 px and 6 paddings of 2 px per side, times 3.
    expect([png.width, png.height]).toEqual([(5 * 28 + 6 * 2) * 3, (5 * 28 + 6 * 2) * 3]);
    expect(imageGridSize(25, 28, 28, { scale: 3 })).toMatchObject({ width: 456, height: 456, columns: 5, rows: 5 });
    images.dispose();
  });

  test('maps [-1, 1] to 0..255, clips, and lays images out row by row with padding', async () => {
    // Three 1x2 images: [-1, 1], [0, 2 (clipped to 1)], [-3 (clipped to -1), 0.5].
    const images = tf.tensor4d([-1, 1, 0, 2, -3, 0.5], [3, 1, 2, 1]);
    const png = PNG.sync.read(await encodeImageGrid(images, { columns: 2, padding: 1, background: 40 }));
    expect([png.width, png.height]).toEqual([2 * 2 + 3, 2 * 1 + 3]);
    expect(pixel(png, 0, 0)).toEqual([40, 40, 40, 255]); // padding
    expect(pixel(png, 1, 1)).toEqual([0, 0, 0, 255]);
    expect(pixel(png, 2, 1)).toEqual([255, 255, 255, 255]);
    expect(pixel(png, 4, 1)).toEqual([128, 128, 128, 255]);
    expect(pixel(png, 5, 1)).toEqual([255, 255, 255, 255]);
    expect(pixel(png, 1, 3)).toEqual([0, 0, 0, 255]);
    expect(pixel(png, 2, 3)).toEqual([191, 191, 191, 255]);
    expect(pixel(png, 4, 3)).toEqual([40, 40, 40, 255]); // the empty fourth cell
    images.dispose();
  });

  test('three channels keep their colours; scale repeats pixels', async () => {
    const images = tf.tensor4d([1, -1, -1], [1, 1, 1, 3]);
    const png = PNG.sync.read(await encodeImageGrid(images, { padding: 0, scale: 2 }));
    expect([png.width, png.height]).toEqual([2, 2]);
    for (const [x, y] of [
      [0, 0],
      [1, 0],
      [0, 1],
      [1, 1],
    ] as const)
      expect(pixel(png, x, y)).toEqual([255, 0, 0, 255]);
    images.dispose();
  });

  test('a wrong shape is a ShapeError; bad options are ConfigErrors; no tensor is created', async () => {
    const flat = tf.zeros([4, 28, 28]);
    const before = tf.memory().numTensors;
    await expect(encodeImageGrid(flat)).rejects.toThrow(ShapeError);
    await expect(encodeImageGrid(flat)).rejects.toThrow(/\[n, height, width, 1 or 3\], got shape \[4, 28, 28\]/);
    const four = tf.zeros([1, 2, 2, 1]);
    await expect(encodeImageGrid(four, { columns: 0 })).rejects.toThrow(/columns must be a positive integer/);
    await encodeImageGrid(four);
    expect(tf.memory().numTensors).toBe(before + 1);
    tf.dispose([flat, four]);
  });
});

test('writeImageGrid creates folders and writes a PNG', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'ts-gan-png-'));
  const images = tf.randomUniform([9, 4, 5, 1], -1, 1);
  const file = join(dir, 'a', 'b', 'grid.png');
  await writeImageGrid(images, file);
  const png = PNG.sync.read(await readFile(file));
  expect([png.width, png.height]).toEqual([3 * 5 + 4 * 2, 3 * 4 + 4 * 2]);
  images.dispose();
});
