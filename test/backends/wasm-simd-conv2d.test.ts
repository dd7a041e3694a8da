import * as tf from '@tensorflow/tfjs-core';
import { getFix, useBackend } from 'ts-gan/backends';
import { afterAll, describe, expect, it } from 'vitest';
import { setSimdConvChunkRows } from '../../src/backends/fixes/wasm-simd-conv.js';
import { expectClose } from '../../test-shared/compare';

/** Float32 sums of up to 1,600 products in another order than XNNPACK's: well under 1e-5 relative. */
const TOL = 2e-5;
const FIX = 'wasm-simd-conv2d';

afterAll(async () => {
  await useBackend('wasm', { fixes: false });
  await useBackend('cpu', { fixes: false });
});

interface Case {
  x: [number, number, number, number];
  k: number;
  cout: number;
  strides: number;
  pad: 'same' | 'valid';
}

/** Kernels 3/4/5, strides 1/2, both paddings, channels 1/16/32/64 (1 and 6 take tfjs's kernel), batch 1 and odd. */
const CASES: Case[] = [
  { x: [1, 7, 7, 4], k: 3, cout: 16, strides: 1, pad: 'same' },
  { x: [3, 8, 8, 16], k: 4, cout: 32, strides: 2, pad: 'same' },
  { x: [2, 9, 9, 32], k: 5, cout: 16, strides: 2, pad: 'valid' },
  { x: [1, 6, 6, 64], k: 3, cout: 64, strides: 1, pad: 'valid' },
  { x: [7, 14, 14, 32], k: 4, cout: 64, strides: 2, pad: 'same' }, // 343 output pixels: two chunks
  { x: [3, 5, 7, 16], k: 5, cout: 1, strides: 1, pad: 'same' },
  { x: [2, 11, 9, 1], k: 4, cout: 32, strides: 2, pad: 'valid' },
  { x: [1, 13, 13, 16], k: 3, cout: 5, strides: 2, pad: 'same' },
  { x: [3, 6, 6, 6], k: 3, cout: 5, strides: 2, pad: 'same' },
];

const rand = (shape: number[], seed: number) => tf.randomUniform(shape, -1, 1, 'float32', seed);

/** conv2d, and the fused conv2d with a bias (tfjs-layers' Conv2D), read back. */
function forward(c: Case, activation: 'linear' | 'relu' = 'linear'): { plain: number[]; fused: number[] } {
  return tf.tidy(() => {
    const x = rand(c.x, 1) as tf.Tensor4D;
    const w = rand([c.k, c.k, c.x[3], c.cout], 2) as tf.Tensor4D;
    const bias = rand([c.cout], 3);
    const plain = tf.conv2d(x, w, c.strides, c.pad);
    const fused = tf.fused.conv2d({ x, filter: w, strides: c.strides, pad: c.pad, bias, activation });
    return { plain: Array.from(plain.dataSync()), fused: Array.from(fused.dataSync()) };
  });
}

async function onWasm<T>(on: boolean, f: () => T): Promise<T> {
  await useBackend('wasm', { fixes: { [FIX]: on } as never });
  expect(getFix(FIX)?.isApplied()).toBe(on);
  return f();
}

describe('wasm-simd-conv2d', () => {
  for (const c of CASES) {
    it(`equals tfjs-wasm's kernel and cpu: x ${c.x.join('x')}, ${c.k}x${c.k}x${c.cout}, stride ${c.strides}, ${c.pad}`, async () => {
      await useBackend('cpu', { fixes: false });
      const cpu = forward(c);
      const before = await onWasm(false, () => forward(c));
      const after = await onWasm(true, () => forward(c));
      for (const key of ['plain', 'fused'] as const) {
        expectClose(after[key], before[key], TOL, 'largest');
        expectClose(after[key], cpu[key], TOL, 'largest');
      }
    });
  }

  it('gives the same result in many small chunks (last one partial)', async () => {
    const c: Case = { x: [3, 9, 9, 16], k: 4, cout: 8, strides: 2, pad: 'same' };
    const whole = await onWasm(true, () => forward(c));
    const previous = setSimdConvChunkRows(12); // 75 output pixels: 7 chunks
    try {
      const chunked = await onWasm(true, () => forward(c));
      expectClose(chunked.plain, whole.plain, TOL, 'largest');
      expectClose(chunked.fused, whole.fused, TOL, 'largest');
    } finally {
      setSimdConvChunkRows(previous);
    }
  });

  it('leaves fused activations, dilations and NCHW to tfjs-wasm (equal to cpu)', async () => {
    const run = () =>
      tf.tidy(() => {
        const x = rand([2, 8, 8, 8], 4) as tf.Tensor4D;
        const w = rand([3, 3, 8, 8], 5) as tf.Tensor4D;
        const relu = tf.fused.conv2d({ x, filter: w, strides: 1, pad: 'same', bias: rand([8], 6), activation: 'relu' });
        const dilated = tf.conv2d(x, w, 1, 'same', 'NHWC', 2);
        return [...relu.dataSync(), ...dilated.dataSync()];
      });
    await useBackend('cpu', { fixes: false });
    const cpu = run();
    const wasm = await onWasm(true, run);
    expectClose(wasm, cpu, TOL, 'largest');
  });

  it('leaves no tensor and no wasm buffer behind', async () => {
    const c: Case = { x: [3, 8, 8, 16], k: 4, cout: 8, strides: 2, pad: 'same' };
    await onWasm(true, () => forward(c)); // warm-up: tables, modules
    const tensors = tf.memory().numTensors;
    const buffers = tf.backend().numDataIds();
    forward(c);
    expect(tf.memory().numTensors).toBe(tensors);
    expect(tf.backend().numDataIds()).toBe(buffers);
  });
});
