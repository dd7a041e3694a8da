/**
 * The `wasm-batch-reductions` (and its SIMD form, `wasm-simd-batch-reductions`), `wasm-row-gather`
 * and `wasm-fast-transpose` fixes: the same bits
 * as tfjs-wasm's own kernels on every shape they take, the original kernel on every shape they do
 * not, a whole Trainer run unchanged, no leaks, and switchable.
 */
import * as tf from '@tensorflow/tfjs-core';
import { applyFixes, FIX_NAMES, type FixName, getFix, useBackend } from 'ts-gan/backends';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { bothWays } from '../../test-shared/compare';
import { narrowMlpRun } from '../../test-shared/fixtures';

const FIXES: FixName[] = [
  'wasm-batch-reductions',
  'wasm-simd-batch-reductions',
  'wasm-row-gather',
  'wasm-fast-transpose',
];
/** Every fix on, with these four on or off. */
const withFixes = (on: boolean) =>
  applyFixes({ fixes: Object.fromEntries(FIX_NAMES.map((n) => [n, on || !FIXES.includes(n)])) });
const rand = (shape: number[], seed: number) => tf.randomUniform(shape, -1, 1, 'float32', seed);

/** `f`'s values, shape and dtype, read back. */
const readOf = (f: () => tf.Tensor) => () =>
  tf.tidy(() => {
    const t = f();
    return { shape: t.shape, dtype: t.dtype, values: Array.from(t.dataSync()) };
  });
/** These four fixes off or on (and checked on). */
const turn = (on: boolean) => {
  withFixes(on);
  if (on) for (const name of FIXES) expect(getFix(name)?.isApplied()).toBe(true);
};

beforeAll(async () => {
  await useBackend('wasm');
});
afterAll(async () => {
  await useBackend('wasm', { fixes: false });
  await useBackend('cpu', { fixes: false });
});

describe('wasm-batch-reductions', () => {
  const cases: { name: string; shape: number[]; axis: number | number[]; keepDims?: boolean }[] = [
    { name: 'a bias gradient: [256, 1024] over axis 0', shape: [256, 1024], axis: 0 },
    { name: "BatchNorm's 4-D sum over [0, 1, 2]", shape: [1, 1, 64, 48], axis: [0, 1, 2] },
    { name: 'two leading axes, keepDims', shape: [5, 3, 4, 2], axis: [0, 1], keepDims: true },
    {
      name: 'leading axes out of order (the original kernel: the order sets its sums)',
      shape: [5, 3, 4],
      axis: [1, 0],
    },
    { name: 'a negative leading axis', shape: [7, 9], axis: -2 },
    { name: 'a trailing axis (the original kernel)', shape: [6, 10], axis: 1 },
    { name: 'a middle axis (the original kernel)', shape: [3, 4, 5], axis: 1 },
    { name: 'every axis (the original kernel)', shape: [4, 6], axis: [0, 1] },
  ];
  for (const c of cases) {
    for (const op of ['sum', 'mean'] as const) {
      test(`${op}, ${c.name}: the same bits as tfjs-wasm`, () => {
        // Values of mixed magnitude, so that the order of float32 additions shows in the bits.
        const reduce = op === 'sum' ? tf.sum : tf.mean;
        const f = () => reduce(tf.mul(rand(c.shape, 1), tf.exp(tf.mul(rand(c.shape, 2), 6))), c.axis, c.keepDims);
        const { off: plain, on: fixed } = bothWays(readOf(f), turn);
        expect(fixed).toEqual(plain);
      });
    }
  }

  test('int32 sums keep the original kernel, with the same result', () => {
    const { off: plain, on: fixed } = bothWays(
      readOf(() => tf.sum(tf.tensor2d([1, 2, 3, 4, 5, 6], [3, 2], 'int32'), 0)),
      turn,
    );
    expect(fixed).toEqual(plain);
    expect((fixed as { values: number[] }).values).toEqual([9, 12]);
  });
});

describe('wasm-simd-batch-reductions', () => {
  /** Every default fix, the two reductions' fixes as given. */
  const reductions = (rows: boolean, simd: boolean) => {
    applyFixes({ fixes: { 'wasm-batch-reductions': rows, 'wasm-simd-batch-reductions': simd } });
    expect(getFix('wasm-simd-batch-reductions')?.isApplied()).toBe(simd);
    expect(getFix('wasm-batch-reductions')?.isApplied()).toBe(rows);
  };
  const cases: { name: string; shape: number[]; axis: number | number[]; keepDims?: boolean }[] = [
    { name: "a DCGAN BatchNorm's [64, 7, 7, 128] over [0, 1, 2]", shape: [64, 7, 7, 128], axis: [0, 1, 2] },
    { name: 'a bias gradient: [33, 1028] over axis 0', shape: [33, 1028], axis: 0 },
    { name: 'two leading axes of [5, 3, 2, 2], keepDims', shape: [5, 3, 2, 2], axis: [0, 1], keepDims: true },
    { name: 'one row: [1, 8] over axis 0', shape: [1, 8], axis: 0 },
    { name: 'rows 9 wide (the JavaScript loop)', shape: [7, 9], axis: 0 },
  ];
  for (const c of cases) {
    for (const op of ['sum', 'mean'] as const) {
      test(`${op}, ${c.name}: the same bits as tfjs-wasm and as the JavaScript loop`, () => {
        const reduce = op === 'sum' ? tf.sum : tf.mean;
        // Values of mixed magnitude, so that the order of float32 additions shows in the bits.
        const read = readOf(() =>
          reduce(tf.mul(rand(c.shape, 1), tf.exp(tf.mul(rand(c.shape, 2), 6))), c.axis, c.keepDims),
        );
        reductions(false, false);
        const original = read();
        reductions(true, false);
        const loop = read();
        const { on: simd } = bothWays(read, (on) => reductions(!on, on));
        expect(simd).toEqual(original);
        expect(simd).toEqual(loop);
      });
    }
  }

  test('switched off by name, it leaves the JavaScript loop; both off, the original kernel', () => {
    reductions(true, true);
    const both = tf.getKernel('Sum', 'wasm');
    reductions(true, false);
    expect(tf.getKernel('Sum', 'wasm')?.kernelFunc).toBeDefined();
    reductions(false, false);
    expect(tf.getKernel('Sum', 'wasm')).not.toBe(both);
    reductions(true, true);
  });
});

describe('wasm-row-gather', () => {
  test('float32 rows of images, repeated indices: the same values as tfjs-wasm', () => {
    const x = rand([10, 3, 3, 2], 3);
    const idx = tf.tensor1d([9, 0, 4, 4, 2], 'int32');
    const { off: plain, on: fixed } = bothWays(
      readOf(() => tf.gather(x, idx)),
      turn,
    );
    expect(fixed).toEqual(plain);
    expect((fixed as { shape: number[] }).shape).toEqual([5, 3, 3, 2]);
    tf.dispose([x, idx]);
  });

  test('int32 rows with 2-D indices', () => {
    const x = tf.tensor2d([1, 2, 3, 4, 5, 6], [3, 2], 'int32');
    const idx = tf.tensor2d([2, 0, 1, 2], [2, 2], 'int32');
    const { off: plain, on: fixed } = bothWays(
      readOf(() => tf.gather(x, idx)),
      turn,
    );
    expect(fixed).toEqual(plain);
    expect((fixed as { values: number[] }).values).toEqual([5, 6, 1, 2, 3, 4, 5, 6]);
    tf.dispose([x, idx]);
  });

  test('another axis keeps the original kernel, with the same result', () => {
    const x = rand([4, 5], 4);
    const idx = tf.tensor1d([4, 1], 'int32');
    const { off: plain, on: fixed } = bothWays(
      readOf(() => tf.gather(x, idx, 1)),
      turn,
    );
    expect(fixed).toEqual(plain);
    tf.dispose([x, idx]);
  });

  test('an out-of-range index behaves as tfjs-wasm does (the original kernel runs)', () => {
    const x = rand([4, 2], 5);
    const idx = tf.tensor1d([1, 7], 'int32');
    const outcome = () => {
      try {
        return { values: Array.from(tf.tidy(() => tf.gather(x, idx).dataSync())) };
      } catch (e) {
        return { error: String(e) };
      }
    };
    withFixes(false);
    const plain = outcome();
    withFixes(true);
    expect(outcome()).toEqual(plain);
    tf.dispose([x, idx]);
  });
});

describe('wasm-fast-transpose', () => {
  const cases: { name: string; shape: number[]; perm?: number[]; dtype?: 'int32' }[] = [
    { name: 'a 1024x784 weight (blocks and a partial block)', shape: [1024, 784] },
    { name: 'a 37x5 matrix (smaller than a block)', shape: [37, 5] },
    { name: 'a batch of matrices, last two axes', shape: [3, 33, 65], perm: [0, 2, 1] },
    { name: 'int32', shape: [40, 70], dtype: 'int32' },
    { name: 'another permutation (the original kernel)', shape: [2, 3, 4], perm: [2, 0, 1] },
  ];
  for (const c of cases) {
    test(`${c.name}: the same values as tfjs-wasm`, () => {
      const f = () => {
        const x = rand(c.shape, 7);
        return tf.transpose(c.dtype ? tf.cast(tf.mul(x, 1000), 'int32') : x, c.perm);
      };
      const { off: plain, on: fixed } = bothWays(readOf(f), turn);
      expect(fixed).toEqual(plain);
      if (c.perm && c.perm[0] !== 0) return;
      // And against a transpose written here: tfjs-wasm may hand the fixed run the same memory.
      const x = tf.tidy(() => Array.from(rand(c.shape, 7).dataSync()));
      const [rows, cols] = c.shape.slice(-2) as [number, number];
      const expected = x.map((_, k) => {
        const base = k - (k % (rows * cols));
        const j = Math.floor((k - base) / rows);
        const i = (k - base) % rows;
        return x[base + i * cols + j] as number;
      });
      const values = (fixed as { values: number[] }).values;
      expect(values).toEqual(c.dtype ? expected.map((v) => Math.trunc(Math.fround(v * 1000)) | 0) : expected);
    });
  }

  test('a Dense backward product through it equals the product on cpu', async () => {
    const grads = () =>
      tf.tidy(() => {
        const x = rand([16, 40], 8);
        const w = rand([40, 24], 9);
        const g = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.square(tf.matMul(a, b))))([x, w]);
        return g.map((t) => Array.from(t.dataSync()));
      });
    withFixes(true);
    const fixed = grads();
    await useBackend('cpu', { fixes: false });
    const cpu = grads();
    await useBackend('wasm');
    for (let i = 0; i < cpu.length; i++) {
      const scale = Math.max(...(cpu[i] as number[]).map(Math.abs));
      (fixed[i] as number[]).forEach((v, j) => {
        expect(Math.abs(v - (cpu[i]?.[j] as number))).toBeLessThanOrEqual(1e-5 * scale);
      });
    }
  });
});

describe('the four together', () => {
  test('a Trainer run of a BatchNorm MLP GAN is bit-identical with the fixes on and off', async () => {
    const run = () => narrowMlpRun(1);
    const before = tf.memory().numTensors;
    withFixes(false);
    const plain = await run();
    withFixes(true);
    const fixed = await run();
    expect(fixed).toEqual(plain);
    expect(tf.memory().numTensors).toBe(before);
  });

  test('switching off puts the original kernels back', () => {
    withFixes(true);
    const sum = tf.getKernel('Sum', 'wasm');
    withFixes(false);
    expect(tf.getKernel('Sum', 'wasm')).not.toBe(sum);
    for (const name of FIXES) expect(getFix(name)?.isApplied()).toBe(false);
  });
});
