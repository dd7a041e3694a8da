/**
 * The `wasm-simd-batch-norm` fix: FusedBatchNorm in WebAssembly SIMD, the same bits as tfjs-wasm's
 * scalar kernel (special values included), the cases it does not take unchanged, a tfjs-layers
 * BatchNormalization's forward and gradient unchanged, nothing leaked, and switchable.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { FIX_NAMES, getFix, useBackend } from 'ts-gan/backends';
import { afterAll, describe, expect, it } from 'vitest';
import { bitDifferences, expectNoGrowth, offAndOn, seeded } from '../support/fixes';

const FIX = 'wasm-simd-batch-norm';

/** batchNorm(x, mean, variance, offset, scale) on seeded values; variance positive. */
function normalize(shape: number[], eps: number, seed: number, withScaleAndOffset = true): tf.Tensor {
  const c = shape[shape.length - 1] as number;
  const x = tf.mul(seeded(shape, seed), 3);
  const mean = seeded([c], seed + 1);
  const variance = tf.add(tf.square(seeded([c], seed + 2)), 0.01);
  const scale = withScaleAndOffset ? seeded([c], seed + 3) : undefined;
  const offset = withScaleAndOffset ? seeded([c], seed + 4) : undefined;
  return tf.batchNorm(x, mean, variance, offset, scale, eps);
}

afterAll(async () => {
  await useBackend('wasm', { fixes: false });
});

describe('wasm-simd-batch-norm', () => {
  it("has the same bits as tfjs-wasm's kernel: 4-D and 2-D inputs, 4 to 128 channels, one row, an epsilon that float32 rounds", async () => {
    const f = () =>
      tf.concat(
        [
          normalize([64, 7, 7, 128], 1e-3, 1),
          normalize([3, 5, 5, 4], 1e-5, 2),
          normalize([1, 12], 0.1, 3),
          normalize([9, 1, 1, 64], 1e-3, 4),
        ].map((t) => tf.reshape(t, [-1])),
      );
    const { off, on } = await offAndOn(FIX, f, true);
    expect(bitDifferences(on, off)).toEqual([]);
    expect(new Set(on).size).toBeGreaterThan(1000);
  });

  it('keeps NaN, infinities and signed zeros where tfjs-wasm does', async () => {
    const f = () => {
      const x = tf.tensor2d([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0, 0, 1, -1, 2], [2, 4]);
      return tf.batchNorm(x, [0, 0, -0, 0], [1, 0, 4, 0], [-0, 0, 1, -0], [1, -1, 0, 2], 0);
    };
    const { off, on } = await offAndOn(FIX, f, true);
    expect(bitDifferences(on, off)).toEqual([]);
    expect(on.some(Number.isNaN)).toBe(true);
  });

  it('leaves the cases it does not take to tfjs-wasm: 6 channels, no scale or offset', async () => {
    const f = () =>
      tf.concat([
        tf.reshape(normalize([4, 3, 3, 6], 1e-3, 5), [-1]),
        tf.reshape(normalize([4, 8], 1e-3, 6, false), [-1]),
      ]);
    const { off, on } = await offAndOn(FIX, f, true);
    expect(bitDifferences(on, off)).toEqual([]);
  });

  it('a tfjs-layers BatchNormalization in training mode: the same output and gradient with every default fix, nothing leaked', async () => {
    const model = tfl.sequential({ layers: [tfl.layers.batchNormalization({ inputShape: [4, 4, 16] })] });
    const f = () => {
      const x = seeded([8, 4, 4, 16], 9);
      const [y, g] = tf.tidy(() => {
        const out = model.apply(x, { training: true }) as tf.Tensor;
        const grad = tf.grad((xx: tf.Tensor) =>
          tf.sum(tf.square(tf.sin(model.apply(xx, { training: true }) as tf.Tensor))),
        )(x);
        return [tf.reshape(out, [-1]), tf.reshape(grad, [-1])];
      });
      return tf.concat([y as tf.Tensor, g as tf.Tensor]);
    };
    await useBackend('wasm', { fixes: { [FIX]: false } as never });
    const off = tf.tidy(() => Array.from(f().dataSync()));
    await useBackend('wasm');
    expect(getFix(FIX)?.isApplied()).toBe(true);
    const on = tf.tidy(() => Array.from(f().dataSync()));
    expect(bitDifferences(on, off)).toEqual([]);
    expectNoGrowth(f);
    model.dispose();
  });

  it('switching it off restores the original kernel', async () => {
    await useBackend('wasm', { fixes: false });
    const original = tf.getKernel('FusedBatchNorm', 'wasm');
    await useBackend('wasm', { fixes: Object.fromEntries(FIX_NAMES.map((n) => [n, n === FIX])) as never });
    expect(getFix(FIX)?.isApplied()).toBe(true);
    expect(tf.getKernel('FusedBatchNorm', 'wasm')?.kernelFunc).not.toBe(original?.kernelFunc);
    await useBackend('wasm', { fixes: false });
    expect(getFix(FIX)?.isApplied()).toBe(false);
    expect(tf.getKernel('FusedBatchNorm', 'wasm')?.kernelFunc).toBe(original?.kernelFunc);
    const report = await useBackend('wasm');
    expect(report.fixes).toContain(FIX);
  });
});
