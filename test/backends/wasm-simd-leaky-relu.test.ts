/**
 * The `wasm-simd-leaky-relu` fix: LeakyReLU and its gradient in WebAssembly SIMD give the same
 * bits as tfjs (scalar kernel, and Greater/Multiply/Select), for lengths with and without a tail,
 * for special values, through second-order gradients and a Trainer run; no leaks; switchable.
 */
import * as tf from '@tensorflow/tfjs-core';
import { applyFixes, FIX_NAMES, getFix, useBackend } from 'ts-gan/backends';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { bothWays } from '../../test-shared/compare';
import { narrowMlpRun } from '../../test-shared/fixtures';
import { expectSwitchOffRestores } from '../support/fixes';

const FIX = 'wasm-simd-leaky-relu';
const withFix = (on: boolean) => applyFixes({ fixes: Object.fromEntries(FIX_NAMES.map((n) => [n, on || n !== FIX])) });
const rand = (shape: number[], seed: number) => tf.randomUniform(shape, -3, 3, 'float32', seed);

/** `f`'s tensors read back as plain arrays (compared with Object.is equality: -0 and NaN count). */
const arraysOf = (f: () => tf.Tensor | tf.Tensor[]) => () =>
  tf.tidy(() => {
    const out = f();
    return (Array.isArray(out) ? out : [out]).map((t) => Array.from(t.dataSync()));
  });
/** The fix off or on (and checked on). */
const turn = (on: boolean) => {
  withFix(on);
  if (on) expect(getFix(FIX)?.isApplied()).toBe(true);
};

beforeAll(async () => {
  await useBackend('wasm');
});
afterAll(async () => {
  await useBackend('wasm', { fixes: false });
  await useBackend('cpu', { fixes: false });
});

describe('wasm-simd-leaky-relu', () => {
  for (const n of [1, 3, 4, 7, 64, 1021]) {
    test(`forward and gradient of ${n} values (a tail of ${n % 4}): the same bits as tfjs`, () => {
      const { off: plain, on: fixed } = bothWays(
        arraysOf(() => {
          const x = rand([n], n);
          const w = rand([n], n + 1);
          const y = tf.leakyRelu(x, 0.2);
          const g = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(tf.leakyRelu(v, 0.2), w)))(x);
          return [y, g];
        }),
        turn,
      );
      expect(fixed).toEqual(plain);
      // And against the formulas written here, with float32 rounding.
      const x = tf.tidy(() => Array.from(rand([n], n).dataSync()));
      const w = tf.tidy(() => Array.from(rand([n], n + 1).dataSync()));
      const a = Math.fround(0.2);
      expect(fixed[0]).toEqual(x.map((v) => (v < 0 ? Math.fround(v * a) : v)));
      expect(fixed[1]).toEqual(x.map((v, i) => (v > 0 ? (w[i] as number) : Math.fround((w[i] as number) * a))));
    });
  }

  test('special values: -0, 0, infinities, NaN, other slopes', () => {
    const values = [-0, 0, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.NaN, -1e-30, 1e30, -2.5];
    for (const alpha of [0.01, 0.3, 1]) {
      const { off: plain, on: fixed } = bothWays(
        arraysOf(() => {
          const x = tf.tensor1d(values);
          const y = tf.leakyRelu(x, alpha);
          const g = tf.grad((v: tf.Tensor) => tf.sum(tf.leakyRelu(v, alpha)))(x);
          return [y, g];
        }),
        turn,
      );
      expect(fixed.map((r) => r.map((v) => (Object.is(v, -0) ? '-0' : v)))).toEqual(
        plain.map((r) => r.map((v) => (Object.is(v, -0) ? '-0' : v))),
      );
    }
  });

  test('second order (a gradient penalty through LeakyReLU): the same bits', () => {
    const { off: plain, on: fixed } = bothWays(
      arraysOf(() => {
        const x = rand([8, 6], 11);
        const w1 = rand([6, 10], 12);
        const w2 = rand([10, 1], 13);
        const critic = (v: tf.Tensor) => tf.sum(tf.matMul(tf.leakyRelu(tf.matMul(v, w1), 0.2), w2));
        const penalty = (m: tf.Tensor) => {
          const g = tf.grad(critic)(x);
          return tf.sum(tf.square(tf.mul(g, m))) as tf.Scalar;
        };
        return tf.grads((m: tf.Tensor) => penalty(m))([tf.onesLike(x)]);
      }),
      turn,
    );
    expect(fixed).toEqual(plain);
    expect(plain[0]?.some((v) => v !== 0)).toBe(true);
  });

  test('a Trainer run of the MLP GAN (LeakyReLU in both networks) is bit-identical, and leaks nothing', async () => {
    const run = () => narrowMlpRun(3);
    const before = tf.memory().numTensors;
    withFix(false);
    const plain = await run();
    withFix(true);
    const fixed = await run();
    expect(fixed).toEqual(plain);
    expect(tf.memory().numTensors).toBe(before);
  });

  test("switching off puts tfjs's kernel and gradient back; other backends keep tfjs's composition", async () => {
    const original = await expectSwitchOffRestores(FIX, 'LeakyRelu', {
      gradient: 'LeakyRelu',
      // The gradient override stays correct on cpu, where the SIMD kernel does not exist.
      whileOn: async () => {
        await useBackend('cpu', { fixes: false });
        const cpu = tf.tidy(() =>
          Array.from(
            tf
              .grad((v: tf.Tensor) => tf.sum(tf.leakyRelu(v, 0.2)))(tf.tensor1d([-1, 2]))
              .dataSync(),
          ),
        );
        expect(cpu).toEqual([Math.fround(0.2), 1]);
      },
    });
    // Off by name, with every other fix on: tfjs's kernel and gradient too.
    await useBackend('wasm');
    withFix(false);
    expect(getFix(FIX)?.isApplied()).toBe(false);
    expect(tf.getKernel('LeakyRelu', 'wasm')).toBe(original.kernel);
    expect(tf.getGradient('LeakyRelu')).toBe(original.gradient);
  });
});
