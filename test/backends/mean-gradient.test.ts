/**
 * The `mean-gradient` fix: tfjs's Mean gradient without its tensor of ones, the same bits on cpu
 * and wasm (a tfjs-layers BatchNormalization in training mode included), no `ones` upload left,
 * nothing leaked, and switchable.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { applyFixes, FIX_NAMES, getFix, useBackend } from 'ts-gan/backends';
import { afterAll, describe, expect, test } from 'vitest';

const FIX = 'mean-gradient';
const only = (on: boolean) => applyFixes({ fixes: Object.fromEntries(FIX_NAMES.map((n) => [n, on && n === FIX])) });
const rand = (shape: number[], seed: number) => tf.randomUniform(shape, -1, 1, 'float32', seed);

/** d/dx of sum(w · mean(x, axis)²) for a few shapes and axes (keepDims both ways). */
function meanGradients(): number[][] {
  const cases: [number[], number | number[], boolean][] = [
    [[6, 5], 0, false],
    [[6, 5], 1, true],
    [[3, 4, 4, 8], [0, 1, 2], false],
    [[3, 4, 4, 8], [1, 3], true],
    [[7], 0, false],
  ];
  return cases.map(([shape, axis, keepDims], i) =>
    tf.tidy(() => {
      const x = rand(shape, 10 + i);
      const f = (xx: tf.Tensor) => {
        const m = tf.mean(xx, axis, keepDims);
        return tf.sum(tf.mul(tf.square(m), rand(m.shape, 20 + i))) as tf.Scalar;
      };
      return Array.from(tf.grad(f)(x).dataSync());
    }),
  );
}

/** The gradient of a BatchNormalization layer in training mode with respect to its input. */
function layerGradient(model: tfl.LayersModel, x: tf.Tensor): number[] {
  return tf.tidy(() =>
    Array.from(
      tf
        .grad((xx: tf.Tensor) => tf.sum(tf.square(tf.sin(model.apply(xx, { training: true }) as tf.Tensor))))(x)
        .dataSync(),
    ),
  );
}

afterAll(async () => {
  await useBackend('cpu', { fixes: false });
});

describe('mean-gradient', () => {
  for (const backend of ['cpu', 'wasm'] as const) {
    test(`${backend}: the same bits as tfjs's Mean gradient over leading, trailing and inner axes`, async () => {
      await useBackend(backend, { fixes: false });
      only(false);
      const plain = meanGradients();
      only(true);
      expect(getFix(FIX)?.isApplied()).toBe(true);
      const fixed = meanGradients();
      expect(fixed).toEqual(plain);
      expect(plain.every((g) => g.some((v) => v !== 0))).toBe(true);
    });

    test(`${backend}: a tfjs-layers BatchNormalization in training mode: the same gradient, nothing leaked`, async () => {
      await useBackend(backend, { fixes: false });
      const model = tfl.sequential({
        layers: [tfl.layers.batchNormalization({ momentum: 0.8, inputShape: [5, 5, 8] })],
      });
      const x = rand([4, 5, 5, 8], 5);
      only(false);
      const plain = layerGradient(model, x);
      only(true);
      const fixed = layerGradient(model, x);
      expect(fixed).toEqual(plain);
      expect(plain.some((v) => v !== 0)).toBe(true);
      const before = tf.memory().numTensors;
      layerGradient(model, x);
      expect(tf.memory().numTensors).toBe(before);
      x.dispose();
      model.dispose();
    });
  }

  test('the ones tensor is gone: no tensor made from JavaScript values in the gradient', async () => {
    await useBackend('wasm', { fixes: false });
    const x = rand([4, 3, 3, 8], 7);
    const uploads = (on: boolean) => {
      only(on);
      const before = tf.memory().numTensors;
      let made = 0;
      // tf.ones builds its tensor from a JavaScript array (engine.makeTensor), not from a kernel.
      const engine = tf.engine() as unknown as { makeTensor: (...a: unknown[]) => tf.Tensor };
      const makeTensor = engine.makeTensor;
      engine.makeTensor = function (this: unknown, ...a: unknown[]) {
        const [values, shape] = a as [ArrayLike<number>, number[]];
        if (tf.util.sizeFromShape(shape ?? []) === x.size && values) made++;
        return makeTensor.apply(this, a);
      };
      try {
        tf.tidy(() => {
          tf.grad((xx: tf.Tensor) => tf.sum(tf.square(tf.mean(xx, [0, 1, 2]))))(x);
        });
      } finally {
        engine.makeTensor = makeTensor;
      }
      expect(tf.memory().numTensors).toBe(before);
      return made;
    };
    expect(uploads(false)).toBe(1);
    expect(uploads(true)).toBe(0);
    x.dispose();
  });

  test("switching off puts tfjs's own gradient back", async () => {
    await useBackend('cpu', { fixes: false });
    const original = tf.getGradient('Mean');
    only(true);
    expect(tf.getGradient('Mean')).not.toBe(original);
    only(true);
    only(false);
    expect(tf.getGradient('Mean')).toBe(original);
    const report = await useBackend('cpu');
    expect(report.fixes).toContain(FIX);
  });
});
