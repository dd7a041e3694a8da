/**
 * The `wasm-shared-cast` fix: a Cast to the dtype a tensor already has shares its data on wasm
 * (other casts copy and convert as before), gradients through BatchNorm statistics and ReLU are the
 * same bits, nothing leaks, and it switches off.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-layers';
import { getFix, useBackend } from 'ts-gan/backends';
import { afterAll, describe, expect, it } from 'vitest';
import { expectNoGrowth, offAndOn, seeded, values } from '../support/fixes';

const FIX = 'wasm-shared-cast';

afterAll(async () => {
  await useBackend('wasm', { fixes: false });
});

describe('wasm-shared-cast', () => {
  it('a same-dtype cast shares the data, survives its source and frees it with the last reference; other casts convert', async () => {
    await useBackend('wasm', { fixes: { [FIX]: true } as never });
    expect(getFix(FIX)?.isApplied()).toBe(true);
    const ids = tf.backend().numDataIds();
    const x = tf.tensor1d([1.5, -2, 3.25]);
    const y = tf.cast(x, 'float32');
    expect(y.dataId).toBe(x.dataId);
    expect(tf.backend().numDataIds()).toBe(ids + 1);
    x.dispose();
    expect(values(y)).toEqual([1.5, -2, 3.25]);
    const i = tf.cast(y, 'int32');
    expect(i.dataId).not.toBe(y.dataId);
    expect(i.dtype).toBe('int32');
    expect(values(i)).toEqual([1, -2, 3]);
    tf.dispose([y, i]);
    await useBackend('wasm', { fixes: { [FIX]: false } as never });
    const z = tf.tensor1d([4]);
    const zc = tf.cast(z, 'float32');
    expect(zc.dataId).not.toBe(z.dataId);
    tf.dispose([z, zc]);
  });

  it('gradients through tf.moments, BatchNorm and ReLU are the same bits, and nothing leaks', async () => {
    const f = () => {
      const x = seeded([6, 3, 3, 8], 21);
      const g = tf.grad((xx: tf.Tensor) => {
        const { mean, variance } = tf.moments(xx, [0, 1, 2]);
        const h = tf.relu(tf.batchNorm(xx, mean, variance, seeded([8], 22), seeded([8], 23), 1e-3));
        return tf.sum(tf.mul(h, seeded([6, 3, 3, 8], 24)));
      })(x);
      return tf.reshape(g, [-1]);
    };
    const { off, on } = await offAndOn(FIX, f, true);
    expect(on).toEqual(off);
    expect(on.some((v) => v !== 0)).toBe(true);
    expectNoGrowth(f);
  });
});
