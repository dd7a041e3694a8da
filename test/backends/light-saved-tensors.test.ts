/**
 * The `light-saved-tensors` fix: tensors saved for a gradient without tfjs's `Identity` kernel and
 * tape node where one gradient records, the same bits (every recorded Trainer run on cpu), and
 * tfjs's own clones under nested gradients.
 */
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-layers';
import { FIX_NAMES, getFix, useBackend } from 'ts-gan/backends';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectNoGrowth, offAndOn, seeded, values } from '../support/fixes';
import { type Fingerprint, fingerprint, RUNS } from '../support/step-fingerprints';

const FIX = 'light-saved-tensors';
/** Only this fix, on `backend`: other fixes change roundings. */
const alone = (on: boolean) => Object.fromEntries(FIX_NAMES.map((n) => [n, on && n === FIX])) as never;

beforeAll(async () => {
  await useBackend('cpu', { fixes: false });
});

afterAll(async () => {
  await useBackend('wasm', { fixes: false });
  await useBackend('cpu', { fixes: false });
});

/** A Dense layer, BatchNorm on batch statistics and LeakyReLU: the gradients of the seed's generator. */
const denseBatchNorm = () => {
  const x = seeded([8, 6], 11);
  const w = seeded([6, 5], 12);
  const [dx, dw] = tf.grads((xx: tf.Tensor, ww: tf.Tensor) => {
    const h = tf.matMul(xx, ww);
    const { mean, variance } = tf.moments(h, 0);
    const y = tf.leakyRelu(tf.batchNorm(h, mean, variance, seeded([5], 13), seeded([5], 14), 1e-3), 0.2);
    return tf.mean(tf.softplus(tf.neg(y)));
  })([x, w]) as [tf.Tensor, tf.Tensor];
  return tf.concat([tf.reshape(dx, [-1]), tf.reshape(dw, [-1])]);
};

/** The kernels `f` runs, by name. */
async function kernelCounts(f: () => tf.Tensor): Promise<Map<string, number>> {
  const info = await tf.profile(() => f());
  const counts = new Map<string, number>();
  for (const k of info.kernels) counts.set(k.name, (counts.get(k.name) ?? 0) + 1);
  return counts;
}

describe('light-saved-tensors', () => {
  it('saves tensors for a gradient without Identity kernels, on cpu and wasm', async () => {
    for (const backend of ['cpu', 'wasm'] as const) {
      await useBackend(backend, { fixes: alone(false) });
      const before = await kernelCounts(denseBatchNorm);
      await useBackend(backend, { fixes: alone(true) });
      expect(getFix(FIX)?.isApplied()).toBe(true);
      const after = await kernelCounts(denseBatchNorm);
      // What is left are clones the ops themselves make (a cast to the same dtype, say).
      expect((before.get('Identity') ?? 0) - (after.get('Identity') ?? 0)).toBeGreaterThan(10);
      // Every other kernel runs as often as before.
      before.delete('Identity');
      after.delete('Identity');
      expect([...after.entries()].sort()).toEqual([...before.entries()].sort());
    }
  });

  it('gradients are the same bits on wasm, and nothing leaks', async () => {
    const { off, on } = await offAndOn(FIX, denseBatchNorm, true);
    expect(on).toEqual(off);
    expectNoGrowth(denseBatchNorm);
    // A saved tensor outlives its source and keeps its values after a variable's assign.
    const v = tf.variable(tf.tensor1d([1, 2, 3]));
    const g = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(x, v)))(tf.tensor1d([4, 5, 6]));
    v.assign(tf.tensor1d([7, 8, 9]));
    expect(values(g)).toEqual([1, 2, 3]);
    tf.dispose([v, g]);
  });

  it('second-order gradients keep tfjs clones: d²/dx² of sum(x³ · w) is 6 x w', async () => {
    for (const backend of ['cpu', 'wasm'] as const) {
      await useBackend(backend, { fixes: alone(true) });
      const x = tf.tensor1d([0.5, -1.5, 2]);
      const w = tf.tensor1d([3, -2, 0.25]);
      const cube = (t: tf.Tensor) => tf.sum(tf.mul(tf.mul(tf.mul(t, t), t), w));
      const second = tf.grad((t: tf.Tensor) => tf.sum(tf.grad(cube)(t)))(x);
      expect(values(second)).toEqual([9, 18, 3]);
      tf.dispose([x, w, second]);
    }
  });

  it('every recorded trainer run on cpu (R1, R2, WGAN-GP, EMA, conditional, ...) keeps its exact bits', async () => {
    const recorded: Record<string, Fingerprint> = JSON.parse(
      readFileSync(new URL('../fixtures/step-fingerprints.json', import.meta.url), 'utf8'),
    );
    // With the other gradient fixes that claim the same bits, which change the tape this one records on.
    const exact = new Set([
      FIX,
      'mean-gradient',
      'lazy-fused-gradients',
      'batchnorm-gradient',
      'fused-batchnorm-gradient',
    ]);
    await useBackend('cpu', { fixes: Object.fromEntries(FIX_NAMES.map((n) => [n, exact.has(n)])) as never });
    expect(getFix(FIX)?.isApplied()).toBe(true);
    for (const name of Object.keys(RUNS)) {
      const before = tf.memory().numTensors;
      expect(await fingerprint(name), name).toEqual(recorded[name]);
      expect(tf.memory().numTensors).toBe(before);
    }
  });

  it('remove() restores tfjs clones', async () => {
    await useBackend('cpu', { fixes: alone(true) });
    await useBackend('cpu', { fixes: alone(false) });
    expect(getFix(FIX)?.isApplied()).toBe(false);
    expect((await kernelCounts(denseBatchNorm)).get('Identity') ?? 0).toBeGreaterThan(10);
  });
});
