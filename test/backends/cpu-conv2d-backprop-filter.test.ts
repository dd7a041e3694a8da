/**
 * cpu-conv2d-backprop-filter: the filter gradient in another loop order, equal to tfjs-backend-cpu's
 * own kernel to float rounding over strides, paddings, kernel sizes, channels and batches.
 */
import * as tf from '@tensorflow/tfjs-core';
import 'ts-gan'; // registers tfjs's gradients, as an application's import does
import { getFix, useBackend } from 'ts-gan/backends';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

const FIX = 'cpu-conv2d-backprop-filter';
const fix = () => {
  const f = getFix(FIX);
  if (!f) throw new Error(`fix ${FIX} is not registered`);
  return f;
};

beforeAll(async () => {
  await useBackend('cpu', { fixes: false });
});
afterAll(async () => {
  await useBackend('cpu', { fixes: false });
});

interface Case {
  x: [number, number, number, number];
  filter: [number, number, number, number];
  strides: number;
  pad: 'same' | 'valid' | number;
}

/** The kernel's result with the fix removed, then applied. */
function offAndOn({ x, filter, strides, pad }: Case, nchwDy?: number[]) {
  const dataFormat = nchwDy ? 'NCHW' : 'NHWC';
  const run = () =>
    tf.tidy(() => {
      const input = tf.randomNormal(x, 0, 1, 'float32', 1);
      const dyShape = nchwDy ?? tf.conv2d(input as tf.Tensor4D, tf.zeros(filter) as tf.Tensor4D, strides, pad).shape;
      const dy = tf.randomNormal(dyShape, 0, 1, 'float32', 2);
      const out = tf.engine().runKernel('Conv2DBackpropFilter', { x: input, dy }, {
        strides,
        pad,
        dataFormat,
        dimRoundingMode: undefined,
        filterShape: filter,
      } as unknown as tf.NamedAttrMap) as tf.Tensor;
      return Float32Array.from(out.dataSync());
    });
  fix().remove();
  expect(fix().isApplied()).toBe(false);
  const off = run();
  fix().apply();
  expect(fix().isApplied()).toBe(true);
  const on = run();
  return { off, on };
}

const CASES: Case[] = [
  { x: [2, 28, 28, 1], filter: [4, 4, 1, 16], strides: 2, pad: 'same' },
  { x: [3, 14, 14, 16], filter: [4, 4, 16, 32], strides: 2, pad: 'same' },
  { x: [1, 9, 7, 3], filter: [3, 3, 3, 5], strides: 1, pad: 'valid' },
  { x: [2, 10, 10, 6], filter: [5, 5, 6, 4], strides: 1, pad: 'same' },
  { x: [3, 11, 11, 2], filter: [3, 3, 2, 8], strides: 2, pad: 1 },
  { x: [1, 8, 8, 4], filter: [5, 5, 4, 3], strides: 3, pad: 'valid' },
];

describe('cpu-conv2d-backprop-filter', () => {
  test.each(CASES)('equals tfjs-cpu within float rounding: x %j', (c) => {
    const { off, on } = offAndOn(c);
    expect(on.length).toBe(off.length);
    const scale = Math.max(...off.map(Math.abs));
    let worst = 0;
    for (let i = 0; i < on.length; i++) worst = Math.max(worst, Math.abs((on[i] as number) - (off[i] as number)));
    // Sums of up to a few thousand products in another order: within 1e-5 of the largest value.
    expect(worst / scale).toBeLessThan(1e-5);
    expect(scale).toBeGreaterThan(0);
  });

  test('a convolution trained with it takes the same weight gradient as without it, and nothing leaks', () => {
    const grads = () =>
      tf.tidy(() => {
        const x = tf.randomNormal([4, 12, 12, 3], 0, 1, 'float32', 3) as tf.Tensor4D;
        const w = tf.randomNormal([4, 4, 3, 8], 0, 0.1, 'float32', 4) as tf.Tensor4D;
        const g = tf.grad((k: tf.Tensor) => tf.sum(tf.square(tf.conv2d(x, k as tf.Tensor4D, 2, 'same'))))(w);
        return Float32Array.from(g.dataSync());
      });
    fix().remove();
    const off = grads();
    fix().apply();
    const before = tf.memory().numTensors;
    const on = grads();
    expect(tf.memory().numTensors).toBe(before);
    const scale = Math.max(...off.map(Math.abs));
    for (let i = 0; i < on.length; i++)
      expect(Math.abs((on[i] as number) - (off[i] as number))).toBeLessThan(1e-5 * scale);
  });

  test('NCHW data takes tfjs-cpu’s own kernel', () => {
    const { off, on } = offAndOn({ x: [2, 3, 8, 8], filter: [3, 3, 3, 4], strides: 1, pad: 'same' }, [2, 4, 8, 8]);
    expect(on).toEqual(off);
  });

  test('is applied by default on cpu and can be switched off by name', async () => {
    expect((await useBackend('cpu')).fixes).toContain(FIX);
    expect((await useBackend('cpu', { fixes: { [FIX]: false } })).fixes).not.toContain(FIX);
    await useBackend('cpu', { fixes: false });
  });
});
