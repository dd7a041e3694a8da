import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-layers';
import { useBackend } from 'ts-gan/backends';
import { afterAll, describe, expect, it } from 'vitest';
import { tanh32 } from '../../src/backends/fixes/wasm-simd-tanh';
import { expectClose } from '../../test-shared/compare';
import { expectNoGrowth, expectSwitchOffRestores, offAndOn } from '../support/fixes';

const FIX = 'wasm-simd-tanh';
/** The interpolant's largest error measured over [-10, 10] is 4.1e-7 (7 ulps near saturation). */
const TOL = 5e-7;

/** `n` points evenly over [lo, hi], as float32. */
function sweep(n: number, lo: number, hi: number): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => lo + ((hi - lo) * i) / (n - 1));
}

afterAll(async () => {
  await useBackend('wasm', { fixes: false });
});

describe('wasm-simd-tanh', () => {
  it('is within 5e-7 of tfjs-wasm and of the exact tanh over [-10, 10]; every element has the same bits as the scalar steps', async () => {
    // 100,003 points: not a multiple of 4, so the JavaScript tail runs too.
    const xs = sweep(100_003, -10, 10);
    const { off, on } = await offAndOn(FIX, () => tf.tanh(tf.tensor1d(xs)), true);
    expectClose(on, off, TOL);
    expectClose(
      on,
      Array.from(xs, (x) => Math.tanh(x)),
      TOL,
    );
    expect(on).toEqual(Array.from(xs, tanh32));
    // The path it replaces differs somewhere (so the comparison above checks the fix, not tfjs).
    expect(on).not.toEqual(off);
  });

  it('keeps NaN, the signs of zero and tiny values, and saturates at +/-1', async () => {
    const xs = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0, 0, 1e-30, -3e-4, 9, 20, -20];
    const { on } = await offAndOn(FIX, () => tf.tanh(tf.tensor1d(xs)), true);
    expect(on).toEqual([Number.NaN, 1, -1, -0, 0, Math.fround(1e-30), Math.fround(-3e-4), 1, 1, -1]);
  });

  it('leaves the gradient within float32 rounding, and nothing behind', async () => {
    const f = () => {
      const x = tf.tensor2d(sweep(64 * 13, -4, 4), [64, 13]);
      return tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.tanh(t), t)))(x);
    };
    const { off, on } = await offAndOn(FIX, f, true);
    // d/dt tanh(t)·t = tanh(t) + t·(1 - tanh(t)²): an error e in tanh moves it by at most (1 + 2|t|)·e,
    // 9 × 4.1e-7 for |t| <= 4.
    expectClose(on, off, 4e-6);
    expectNoGrowth(f);
  });

  it('switching it off restores the original kernel', async () => {
    await expectSwitchOffRestores(FIX, 'Tanh');
  });
});
