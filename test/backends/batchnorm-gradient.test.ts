/**
 * The `batchnorm-gradient` fix: tfjs's FusedBatchNorm gradient without the Tile, the same bits on
 * cpu and wasm, no Tile kernel left, and switchable.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { applyFixes, FIX_NAMES, getFix, useBackend } from 'ts-gan/backends';
import { afterAll, describe, expect, test } from 'vitest';

const only = (on: boolean) =>
  applyFixes({ fixes: Object.fromEntries(FIX_NAMES.map((n) => [n, on && n === 'batchnorm-gradient'])) });
const rand = (shape: number[], seed: number) => tf.randomUniform(shape, -1, 1, 'float32', seed);

/** Gradients with respect to x, scale and offset through batch statistics (mean and variance depend on x). */
function bnGradients(shape: number[], withScale: boolean): number[][] {
  return tf.tidy(() => {
    const x = rand(shape, 1);
    const c = shape[shape.length - 1] as number;
    const scale = rand([c], 2);
    const offset = rand([c], 3);
    const w = rand(shape, 4);
    const f = (xx: tf.Tensor, s: tf.Tensor, o: tf.Tensor) => {
      const axes = [...Array(shape.length - 1).keys()];
      const { mean, variance } = tf.moments(xx, axes);
      const y = tf.batchNorm(xx, mean, variance, o, withScale ? s : undefined, 1e-3);
      return tf.sum(tf.mul(tf.tanh(y), w)) as tf.Scalar;
    };
    return tf
      .grads(f)([x, scale, offset])
      .map((g) => Array.from(g.dataSync()));
  });
}

async function kernels(f: () => void): Promise<string[]> {
  const info = await tf.profile(f);
  return info.kernels.map((k) => k.name);
}

afterAll(async () => {
  await useBackend('cpu', { fixes: false });
});

describe('batchnorm-gradient', () => {
  for (const backend of ['cpu', 'wasm'] as const) {
    test(`${backend}: the same bits as tfjs's gradient for 2-D and 4-D inputs, with scale and offset (tfjs's own gradient fails without a scale on wasm: it saves an undefined tensor)`, async () => {
      await useBackend(backend, { fixes: false });
      for (const [shape, withScale] of [
        [[8, 5], true],
        [[3, 4, 4, 6], true],
      ] as const) {
        only(false);
        const plain = bnGradients([...shape], withScale);
        only(true);
        expect(getFix('batchnorm-gradient')?.isApplied()).toBe(true);
        const fixed = bnGradients([...shape], withScale);
        expect(fixed).toEqual(plain);
        expect(plain[0]?.some((v) => v !== 0)).toBe(true);
      }
    });
  }

  test('a tfjs-layers BatchNormalization in training mode: same gradient, no Tile kernel', async () => {
    await useBackend('cpu', { fixes: false });
    const layer = tfl.layers.batchNormalization({ momentum: 0.8, inputShape: [6] });
    const model = tfl.sequential({ layers: [layer] });
    const x = rand([16, 6], 5);
    const grad = () =>
      tf.tidy(() =>
        Array.from(
          tf
            .grad((xx: tf.Tensor) => tf.sum(tf.square(model.apply(xx, { training: true }) as tf.Tensor)))(x)
            .dataSync(),
        ),
      );
    only(false);
    const plain = grad();
    const plainKernels = await kernels(() => {
      grad();
    });
    only(true);
    const fixed = grad();
    const fixedKernels = await kernels(() => {
      grad();
    });
    expect(fixed).toEqual(plain);
    expect(plainKernels).toContain('Tile');
    expect(fixedKernels).not.toContain('Tile');
    const before = tf.memory().numTensors;
    grad();
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
    model.dispose();
  });

  test("switching off puts tfjs's own gradient back", async () => {
    await useBackend('cpu', { fixes: false });
    const original = tf.getGradient('FusedBatchNorm');
    only(true);
    expect(tf.getGradient('FusedBatchNorm')).not.toBe(original);
    only(true);
    only(false);
    expect(tf.getGradient('FusedBatchNorm')).toBe(original);
    const report = await useBackend('cpu');
    expect(report.fixes).toContain('batchnorm-gradient');
  });
});
