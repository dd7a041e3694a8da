/**
 * The `lazy-fused-gradients` fix: every gradient it computes is bit-identical to tfjs's, it skips
 * the ones the tape does not need (counted in kernels), it survives second-order gradients, and it
 * switches off completely. Runs on cpu, the numerics reference.
 */
import * as tf from '@tensorflow/tfjs-core';
import { Trainer } from 'ts-gan';
import { applyFixes, FIX_NAMES, getFix, useBackend } from 'ts-gan/backends';
import { afterAll, beforeEach, describe, expect, test } from 'vitest';
import { bothWays } from '../../test-shared/compare';
import { tinyData, tinyGan, trainedWeights } from '../../test-shared/fixtures';

const fix = () => getFix('lazy-fused-gradients');
/** This fix alone: the others (a cpu product kernel, say) would change the numbers it is compared on. */
const on = () => applyFixes({ fixes: Object.fromEntries(FIX_NAMES.map((n) => [n, n === 'lazy-fused-gradients'])) });
const off = () => applyFixes({ fixes: false });
const rand = (shape: number[], seed: number) => tf.randomUniform(shape, -1, 1, 'float32', seed);

/** Gradients of `loss` with respect to `xs`, as plain arrays. */
const gradsOf = (loss: (...xs: tf.Tensor[]) => tf.Scalar, xs: tf.Tensor[]) => () =>
  tf.tidy(() =>
    tf
      .grads(loss)(xs)
      .map((g) => Array.from(g.dataSync())),
  );
/** The fix off or on (and checked on). */
const turn = (lazy: boolean) => {
  if (!lazy) return off();
  on();
  expect(fix()?.isApplied()).toBe(true);
};

/** How many times each kernel runs in `f`. */
async function kernelCounts(f: () => tf.TensorContainer): Promise<Record<string, number>> {
  const info = await tf.profile(() => {
    const out = f();
    tf.dispose(out);
  });
  const counts: Record<string, number> = {};
  for (const k of info.kernels) counts[k.name] = (counts[k.name] ?? 0) + 1;
  return counts;
}

beforeEach(() => {
  off();
});

afterAll(() => {
  off();
});

describe('lazy-fused-gradients: equal to tfjs', () => {
  const combos: [boolean, boolean][] = [
    [false, false],
    [false, true],
    [true, false],
    [true, true],
  ];
  for (const [transposeA, transposeB] of combos) {
    for (const withBias of [false, true]) {
      test(`fused.matMul transposeA=${transposeA} transposeB=${transposeB} bias=${withBias}: bit-identical gradients`, () => {
        const [m, k, n] = [5, 7, 3];
        const a = rand(transposeA ? [k, m] : [m, k], 1);
        const b = rand(transposeB ? [n, k] : [k, n], 2);
        const bias = rand([n], 3);
        const w = rand([m, n], 4);
        const loss = (...xs: tf.Tensor[]) =>
          tf.sum(
            tf.mul(
              tf.fused.matMul({
                a: xs[0] as tf.Tensor2D,
                b: xs[1] as tf.Tensor2D,
                transposeA,
                transposeB,
                ...(withBias ? { bias: xs[2] } : {}),
              }),
              w,
            ),
          ) as tf.Scalar;
        const { off: plain, on: lazy } = bothWays(gradsOf(loss, withBias ? [a, b, bias] : [a, b]), turn, {
          noLeaks: false,
        });
        expect(lazy).toEqual(plain);
        expect(plain[0]?.some((v) => v !== 0)).toBe(true);
        tf.dispose([a, b, bias, w]);
      });
    }
  }

  for (const [strides, pad] of [
    [1, 'same'],
    [2, 'same'],
    [2, 'valid'],
  ] as const) {
    test(`fused.conv2d strides=${strides} pad=${pad}, with bias: bit-identical gradients`, () => {
      const x = rand([2, 7, 7, 3], 5);
      const filter = rand([3, 3, 3, 4], 6);
      const bias = rand([4], 7);
      const loss = (...xs: tf.Tensor[]) => {
        const y = tf.fused.conv2d({
          x: xs[0] as tf.Tensor4D,
          filter: xs[1] as tf.Tensor4D,
          strides,
          pad,
          bias: xs[2],
        });
        return tf.sum(tf.mul(y, tf.sin(y))) as tf.Scalar;
      };
      const { off: plain, on: lazy } = bothWays(gradsOf(loss, [x, filter, bias]), turn, { noLeaks: false });
      expect(lazy).toEqual(plain);
      tf.dispose([x, filter, bias]);
    });
  }

  test('second-order: a gradient penalty through a fused Dense critic is bit-identical', () => {
    const x = rand([4, 6], 8);
    const w1 = rand([6, 5], 9);
    const w2 = rand([5, 1], 10);
    const penalty = (...ws: tf.Tensor[]) => {
      const critic = (input: tf.Tensor) =>
        tf.sum(
          tf.fused.matMul({
            a: tf.tanh(tf.fused.matMul({ a: input as tf.Tensor2D, b: ws[0] as tf.Tensor2D })),
            b: ws[1] as tf.Tensor2D,
          }),
        ) as tf.Scalar;
      const g = tf.grad(critic)(x);
      return tf.sum(tf.square(tf.sub(tf.sqrt(tf.sum(tf.square(g), 1)), 1))) as tf.Scalar;
    };
    const { off: plain, on: lazy } = bothWays(gradsOf(penalty, [w1, w2]), turn, { noLeaks: false });
    expect(lazy).toEqual(plain);
    tf.dispose([x, w1, w2]);
  });

  test('a Trainer run is bit-identical with the fix on and off, and leaks nothing', async () => {
    const run = () => trainedWeights(tinyGan(), tinyData(), { batchSize: 4, seed: 3, logEvery: 5 }, 10);
    const before = tf.memory().numTensors;
    const plain = await run();
    on();
    const lazy = await run();
    expect(lazy).toEqual(plain);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('lazy-fused-gradients: skips what the tape does not need', () => {
  test('the gradient of a Dense input alone runs one product instead of two', async () => {
    const a = rand([8, 16], 11);
    const b = rand([16, 4], 12);
    const bias = rand([4], 13);
    const inputGrad = () => tf.grad((x: tf.Tensor) => tf.sum(tf.fused.matMul({ a: x as tf.Tensor2D, b, bias })))(a);
    const plain = await kernelCounts(inputGrad);
    on();
    const lazy = await kernelCounts(inputGrad);
    expect(plain.BatchMatMul).toBe(2);
    expect(lazy.BatchMatMul).toBe(1);
    // The bias gradient (a Sum) is skipped too.
    expect(lazy.Sum ?? 0).toBeLessThan(plain.Sum ?? 0);
    tf.dispose([a, b, bias]);
  });

  test("dy is reshaped to the product's shape once per Dense layer, not once per operand gradient", async () => {
    const a = rand([8, 16], 21);
    const b = rand([16, 4], 22);
    const bias = rand([4], 23);
    const all = () =>
      tf.grads((x: tf.Tensor, w: tf.Tensor, c: tf.Tensor) =>
        tf.sum(tf.fused.matMul({ a: x as tf.Tensor2D, b: w as tf.Tensor2D, bias: c })),
      )([a, b, bias]);
    const plain = await kernelCounts(all);
    on();
    const lazy = await kernelCounts(all);
    // tfjs's eager gradient reshapes dy once for its three products; so does the lazy one.
    expect(lazy.Reshape).toBe(plain.Reshape);
    expect(lazy.BatchMatMul).toBe(plain.BatchMatMul);
    tf.dispose([a, b, bias]);
  });

  test('the gradient of a conv input alone skips Conv2DBackpropFilter; of the filter alone, Conv2DBackpropInput', async () => {
    const x = rand([2, 6, 6, 2], 14) as tf.Tensor4D;
    const filter = rand([3, 3, 2, 3], 15) as tf.Tensor4D;
    const conv = (input: tf.Tensor4D, f: tf.Tensor4D) =>
      tf.sum(tf.fused.conv2d({ x: input, filter: f, strides: 2, pad: 'same' }));
    const dx = () => tf.grad((input: tf.Tensor) => conv(input as tf.Tensor4D, filter))(x);
    const dFilter = () => tf.grad((f: tf.Tensor) => conv(x, f as tf.Tensor4D))(filter);
    const plain = [await kernelCounts(dx), await kernelCounts(dFilter)];
    on();
    const lazy = [await kernelCounts(dx), await kernelCounts(dFilter)];
    expect(plain[0]?.Conv2DBackpropFilter).toBe(1);
    expect(lazy[0]?.Conv2DBackpropFilter).toBeUndefined();
    expect(lazy[0]?.Conv2DBackpropInput).toBe(1);
    expect(plain[1]?.Conv2DBackpropInput).toBe(1);
    expect(lazy[1]?.Conv2DBackpropInput).toBeUndefined();
    expect(lazy[1]?.Conv2DBackpropFilter).toBe(1);
    tf.dispose([x, filter]);
  });

  test("a Trainer step runs fewer products: no discriminator weight gradients in the generator's update", async () => {
    const step = async () => {
      const gan = tinyGan();
      const data = tinyData();
      const trainer = new Trainer(gan, { batchSize: 4, seed: 3 });
      await trainer.fit(data, { steps: 1 }); // warm-up: optimizer slots, compiled shapes
      const info = await tf.profile(async () => {
        await trainer.fit(data, { steps: 2 });
      });
      trainer.dispose();
      gan.dispose();
      data.dispose();
      return info.kernels.filter((k) => k.name === 'BatchMatMul').length;
    };
    const plain = await step();
    on();
    const lazy = await step();
    // Per step, tfjs runs 2 backward products per Dense layer reached; the fix skips the
    // discriminator's 2 weight gradients in the generator update and its first layer's input
    // gradient on the real and the generated batch in its own update.
    expect(lazy).toBeLessThan(plain);
  });
});

describe('lazy-fused-gradients: switching', () => {
  test('applies and removes cleanly, idempotently, through useBackend', async () => {
    const engine = tf.engine() as unknown as Record<string, unknown>;
    expect(Object.hasOwn(engine, 'customGrad')).toBe(false);
    const report = await useBackend('cpu');
    expect(report.fixes).toContain('lazy-fused-gradients');
    on();
    expect(fix()?.isApplied()).toBe(true);
    await useBackend('cpu', { fixes: { 'lazy-fused-gradients': false } });
    expect(fix()?.isApplied()).toBe(false);
    expect(Object.hasOwn(engine, 'customGrad')).toBe(false);
    expect(Object.hasOwn(engine, 'runKernel')).toBe(false);
    // Other custom gradients are untouched while it is on.
    on();
    const square = tf.customGrad((x, save) => {
      (save as (t: tf.Tensor[]) => void)([x as tf.Tensor]);
      return {
        value: tf.square(x as tf.Tensor),
        gradFunc: (dy, saved) => tf.mul(dy, tf.mul(2, saved[0] as tf.Tensor)),
      };
    });
    const g = tf.grad((x: tf.Tensor) => square(x) as tf.Tensor)(tf.scalar(3));
    expect(g.dataSync()[0]).toBe(6);
    g.dispose();
  });
});
