/**
 * The `mean-gradient` fix: tfjs's `Mean` gradient with the divisor filled by the backend instead of
 * a ones tensor built in JavaScript. The same bits on cpu and wasm for every axis form, one
 * multiply fewer, nothing left behind.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-layers';
import { FIX_NAMES, getFix, useBackend } from 'ts-gan/backends';
import { afterAll, describe, expect, it } from 'vitest';
import { expectNoGrowth, seeded, values } from '../support/fixes';

const FIX = 'mean-gradient';
/** Only this fix: the others change roundings elsewhere. */
const alone = (on: boolean) => Object.fromEntries(FIX_NAMES.map((n) => [n, on && n === FIX])) as never;

afterAll(async () => {
  await useBackend('wasm', { fixes: false });
  await useBackend('cpu', { fixes: false });
});

/** Gradients of a weighted mean over `axis` (each output weighted, so dy is not uniform). */
const meanGrad =
  (shape: number[], axis?: number | number[], keepDims = false) =>
  () => {
    const x = seeded(shape, 31);
    return tf.grad((t: tf.Tensor) => {
      const m = tf.mean(t, axis, keepDims);
      return tf.sum(tf.mul(m, seeded(m.shape, 32)));
    })(x);
  };

const CASES: [string, () => tf.Tensor][] = [
  ['every axis', meanGrad([32, 1])],
  ['the batch axis of [32, 24] (BatchNorm statistics)', meanGrad([32, 24], 0)],
  ['the last axis, kept', meanGrad([5, 7], -1, true)],
  ['axes 0 and 2 of a rank-3 tensor (27 terms)', meanGrad([3, 4, 9], [0, 2])],
];

describe('mean-gradient', () => {
  for (const backend of ['cpu', 'wasm'] as const) {
    for (const [name, f] of CASES) {
      it(`${backend}, ${name}: the same bits as tfjs's gradient`, async () => {
        await useBackend(backend, { fixes: alone(false) });
        const off = tf.tidy(() => values(f()));
        await useBackend(backend, { fixes: alone(true) });
        expect(getFix(FIX)?.isApplied()).toBe(true);
        const on = tf.tidy(() => values(f()));
        expect(on).toEqual(off);
        expectNoGrowth(f);
      });
    }
  }

  it('divides by a filled tensor: no multiply by ones', async () => {
    const f = meanGrad([32, 24], 0);
    const kernels = async () => {
      const info = await tf.profile(() => tf.dispose(f()));
      return info.kernels.map((k) => k.name);
    };
    await useBackend('wasm', { fixes: alone(false) });
    const before = await kernels();
    await useBackend('wasm', { fixes: alone(true) });
    const after = await kernels();
    // tfjs's Mean gradient multiplies dy by ones; the fix divides by a filled tensor instead.
    const count = (ks: string[], name: string) => ks.filter((k) => k === name).length;
    expect(count(after, 'Multiply')).toBe(count(before, 'Multiply') - 1);
    expect(count(after, 'Fill')).toBe(count(before, 'Fill') + 1);
    expect(after.length).toBe(before.length);
  });

  it('remove() restores tfjs gradient', async () => {
    await useBackend('cpu', { fixes: alone(true) });
    await useBackend('cpu', { fixes: alone(false) });
    expect(getFix(FIX)?.isApplied()).toBe(false);
  });
});
