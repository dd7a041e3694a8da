/**
 * The `wasm-simd-conv2d-skip-padding` fix: the forward convolution without the slices of taps that
 * read only padding gives the same bits as with them (Conv2D and FusedConv2D with a bias, several
 * geometries, chunkings and slicings), really leaves them out, leaves nothing behind, and switches off.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-layers';
import { getFix, useBackend } from 'ts-gan/backends';
import { afterAll, describe, expect, it } from 'vitest';
import { setSimdConv2dBlocking } from '../../src/backends/fixes/wasm-simd-conv2d.js';
import type { ConvCase } from '../support/conv';
import { bitDifferences, expectNoGrowth } from '../support/fixes';

const FIX = 'wasm-simd-conv2d-skip-padding';

type Case = ConvCase;
const CASES: Case[] = [
  { x: [4, 14, 14, 64], k: 4, cout: 128, strides: 2, pad: 'same' }, // the DCGAN's middle layer
  { x: [10, 14, 14, 64], k: 4, cout: 128, strides: 2, pad: 'same' }, // 70 pixels a row: row by row at the default chunks
  { x: [3, 9, 9, 16], k: 4, cout: 8, strides: 2, pad: 'same' }, // 75 pixels: partial panels
  { x: [5, 7, 7, 8], k: 4, cout: 16, strides: 1, pad: 'same' }, // stride 1: padding rows above and below
  { x: [2, 11, 9, 1], k: 3, cout: 32, strides: 2, pad: 'same' }, // grayscale
  { x: [3, 28, 28, 1], k: 4, cout: 64, strides: 2, pad: 'same' }, // the DCGAN's first layer
  { x: [2, 9, 9, 32], k: 5, cout: 16, strides: 2, pad: 'valid' }, // nothing to leave out
];
/**
 * [pixels per chunk, floats per slice]: the defaults (one filter row a slice at 64 channels), then
 * many chunks and slices of one filter row at 16 channels, of 3 taps, and of one tap.
 */
const BLOCKINGS: [number, number][] = [
  [256, 256],
  [20, 64],
  [12, 48],
  [8, 1],
];

const rand = (shape: number[], seed: number) => tf.randomUniform(shape, -1, 1, 'float32', seed);

function forward(c: Case, filter?: tf.Tensor4D): number[] {
  return tf.tidy(() => {
    const x = rand(c.x, 1) as tf.Tensor4D;
    const w = filter ?? (rand([c.k, c.k, c.x[3], c.cout], 2) as tf.Tensor4D);
    const bias = rand([c.cout], 3);
    const plain = tf.conv2d(x, w, c.strides, c.pad);
    const fused = tf.fused.conv2d({ x, filter: w, strides: c.strides, pad: c.pad, bias });
    return [...plain.dataSync(), ...fused.dataSync()];
  });
}

async function withFix<T>(on: boolean, f: () => T): Promise<T> {
  await useBackend('wasm', { fixes: { [FIX]: on } as never });
  expect(getFix(FIX)?.isApplied()).toBe(on);
  expect(getFix('wasm-simd-conv2d')?.isApplied()).toBe(true);
  return f();
}

afterAll(async () => {
  setSimdConv2dBlocking(256, 256);
  await useBackend('wasm', { fixes: false });
});

describe('wasm-simd-conv2d-skip-padding', () => {
  it('gives the same bits as the slices with padding, over geometries, chunkings and slicings', async () => {
    try {
      for (const [rows, slice] of BLOCKINGS) {
        setSimdConv2dBlocking(rows, slice);
        for (const c of CASES) {
          const off = await withFix(false, () => forward(c));
          const on = await withFix(true, () => forward(c));
          expect(bitDifferences(on, off), `${c.x.join('x')} k${c.k} blocking ${rows}/${slice}`).toEqual([]);
          expect(on.some((v) => v !== 0)).toBe(true);
        }
      }
    } finally {
      setSimdConv2dBlocking(256, 256);
    }
  });

  it('leaves out the filter row that reads only padding: a NaN there reaches the top outputs only without the fix', async () => {
    const c: Case = { x: [3, 9, 9, 16], k: 4, cout: 8, strides: 2, pad: 'same' };
    const filter = () => {
      const w = rand([c.k, c.k, c.x[3], c.cout], 2).bufferSync();
      // First filter row (fh = 0): only the top row of outputs reads it in the padding.
      w.set(Number.NaN, 0, 1, 0, 0);
      return w.toTensor() as tf.Tensor4D;
    };
    const topNaNs = (values: number[]) => {
      // The Conv2D part, [3, 5, 5, 8]: channel 0 of each pixel in output row 0 of each image.
      let n = 0;
      for (let img = 0; img < 3; img++)
        for (let ow = 0; ow < 5; ow++) if (Number.isNaN(values[(img * 25 + ow) * 8] as number)) n++;
      return n;
    };
    // Slices of 4 taps of 16 channels (one filter row each), chunks of 12 pixels: 15 pixels a row
    // (3 images of 5) are enough to go row by row.
    setSimdConv2dBlocking(12, 64);
    try {
      const off = await withFix(false, () => tf.tidy(() => forward(c, filter())));
      const on = await withFix(true, () => tf.tidy(() => forward(c, filter())));
      expect(topNaNs(off)).toBe(15);
      expect(topNaNs(on)).toBe(0);
    } finally {
      setSimdConv2dBlocking(256, 256);
    }
  });

  it('leaves no tensor and no wasm buffer behind', async () => {
    // 10 images of 7 output pixels a row: row by row at the default chunks.
    await withFix(true, () => expectNoGrowth(() => forward(CASES[1] as Case)));
  });
});
