/**
 * The `wasm-simd-conv2d-backprop-filter-direct` fix: the SIMD filter gradient with dy read in place
 * as the GEMM's operand gives the same bits as with dy copied into padded rows (channel counts 1 to
 * 64 in, 8 to 128 out, one chunk and many), leaves other output widths alone, leaves nothing
 * behind, and switches off.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-layers';
import { getFix, useBackend } from 'ts-gan/backends';
import { afterAll, describe, expect, it } from 'vitest';
import { setSimdConvChunkRows } from '../../src/backends/fixes/wasm-simd-conv.js';
import type { ConvCase } from '../support/conv';
import { expectNoGrowth } from '../support/fixes';

const FIX = 'wasm-simd-conv2d-backprop-filter-direct';

type Case = ConvCase;
const CASES: Case[] = [
  { x: [6, 14, 14, 64], k: 4, cout: 128, strides: 2, pad: 'same' }, // the DCGAN's middle layer
  { x: [6, 28, 28, 1], k: 4, cout: 64, strides: 2, pad: 'same' }, // its grayscale layer
  { x: [3, 9, 9, 4], k: 3, cout: 8, strides: 1, pad: 'valid' },
  { x: [2, 11, 9, 3], k: 5, cout: 16, strides: 2, pad: 'same' }, // 3 channels: the JavaScript im2col
  { x: [2, 8, 8, 8], k: 3, cout: 12, strides: 1, pad: 'same' }, // Cout 12: dy still copied
];

const rand = (shape: number[], seed: number) => tf.randomUniform(shape, -1, 1, 'float32', seed);

/** The filter gradient of conv2d(x, w) against a seeded output gradient. */
function filterGradient(c: Case): number[] {
  return tf.tidy(() => {
    const x = rand(c.x, 1) as tf.Tensor4D;
    const w = rand([c.k, c.k, c.x[3], c.cout], 2) as tf.Tensor4D;
    const y = tf.conv2d(x, w, c.strides, c.pad);
    const dy = rand(y.shape, 3);
    const g = tf.grad((ww: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(x, ww as tf.Tensor4D, c.strides, c.pad), dy)))(w);
    return Array.from(g.dataSync());
  });
}

/** With the filter gradient by padding class off: it copies dy's rows whatever this fix says. */
async function withFix<T>(on: boolean, f: () => T): Promise<T> {
  await useBackend('wasm', { fixes: { [FIX]: on, 'wasm-simd-conv2d-backprop-filter-skip-padding': false } as never });
  expect(getFix(FIX)?.isApplied()).toBe(on);
  expect(getFix('wasm-simd-conv2d-backprop-filter')?.isApplied()).toBe(true);
  return f();
}

afterAll(async () => {
  setSimdConvChunkRows(256);
  await useBackend('wasm', { fixes: false });
});

describe('wasm-simd-conv2d-backprop-filter-direct', () => {
  it('gives the same bits as dy copied into padded rows, in one chunk and in chunks of 12 pixels', async () => {
    try {
      for (const rows of [256, 12]) {
        setSimdConvChunkRows(rows);
        for (const c of CASES) {
          const off = await withFix(false, () => filterGradient(c));
          const on = await withFix(true, () => filterGradient(c));
          const differ = on.findIndex((v, i) => !Object.is(v, off[i]));
          expect(differ, `${c.x.join('x')} -> ${c.cout}, chunks of ${rows}`).toBe(-1);
          expect(on.length).toBe(off.length);
          expect(on.some((v) => v !== 0)).toBe(true);
        }
      }
    } finally {
      setSimdConvChunkRows(256);
    }
  });

  it('allocates no buffer for a copy of dy', async () => {
    /** Floats the wasm backend allocates (tensors and the kernels' scratch) during one filter gradient. */
    const allocated = () => {
      const backend = tf.backend() as unknown as { makeOutput: (shape: number[], ...rest: unknown[]) => unknown };
      const makeOutput = backend.makeOutput;
      let floats = 0;
      backend.makeOutput = function (this: unknown, shape: number[], ...rest: unknown[]) {
        floats += tf.util.sizeFromShape(shape);
        return makeOutput.call(this, shape, ...rest);
      };
      try {
        filterGradient(CASES[0] as Case);
      } finally {
        backend.makeOutput = makeOutput;
      }
      return floats;
    };
    const off = await withFix(false, allocated);
    const on = await withFix(true, allocated);
    // One chunk's copy of dy (256 pixels in rows of 136 floats, 128 padded), and the product's rows
    // (K = 4·4·64 of them) 128 floats wide instead of 136.
    expect(off - on).toBe(256 * 136 + 1024 * 8);
  });

  it('leaves no tensor and no wasm buffer behind', async () => {
    await withFix(true, () => expectNoGrowth(() => filterGradient(CASES[1] as Case)));
  });
});
