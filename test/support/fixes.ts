/**
 * Helpers for the tests of the backend fixes: run an op with a fix off and on, on the cpu backend,
 * on seeded inputs, and check that repeating it leaves nothing behind.
 */
import * as tf from '@tensorflow/tfjs-core';
import { FIX_NAMES, getFix, useBackend } from 'ts-gan/backends';
import { expect } from 'vitest';

export function values(t: tf.Tensor): number[] {
  return Array.from(t.dataSync());
}

/**
 * Runs `f` on wasm with every fix off, then with the named fix on (with the default fixes, or alone
 * when `alone`); returns both results as arrays.
 */
export async function offAndOn(
  fix: string,
  f: () => tf.Tensor,
  alone = false,
): Promise<{ off: number[]; on: number[] }> {
  await useBackend('wasm', { fixes: false });
  const off = tf.tidy(() => values(f()));
  const fixes = alone ? Object.fromEntries(FIX_NAMES.map((n) => [n, n === fix])) : { [fix]: true };
  await useBackend('wasm', { fixes: fixes as never });
  expect(getFix(fix)?.isApplied()).toBe(true);
  const on = tf.tidy(() => values(f()));
  return { off, on };
}

export async function onCpu(f: () => tf.Tensor): Promise<number[]> {
  await useBackend('cpu', { fixes: false });
  return tf.tidy(() => values(f()));
}

export function seeded(shape: number[], seed: number): tf.Tensor {
  return tf.randomUniform(shape, -1, 1, 'float32', seed);
}

/** Runs `f` in a tidy twice; the second run must leave no tensor, byte or backend buffer behind. */
export function expectNoGrowth(f: () => unknown): void {
  const run = () =>
    tf.tidy(() => {
      f();
    });
  run();
  const tensors = tf.memory().numTensors;
  const bytes = tf.memory().numBytes;
  const ids = tf.backend().numDataIds();
  run();
  expect(tf.memory().numTensors).toBe(tensors);
  expect(tf.memory().numBytes).toBe(bytes);
  expect(tf.backend().numDataIds()).toBe(ids);
}
