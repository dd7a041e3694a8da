import * as tf from '@tensorflow/tfjs-core';
import { applyFixes, getFix, useBackend } from 'ts-gan/backends';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gemm, paddedColumns } from '../../src/backends/fixes/cpu-simd-matmul';
import { bothWays, expectClose } from '../../test-shared/compare';
import { gemmWork } from '../support/conv';
import { expectNothingLeft, seeded } from '../support/fixes';

const FIX = 'wasm-heap-matmul';
/**
 * The weight gradient is a float32 sum of the same K products as XNNPACK's (and the cpu kernel's)
 * in another order: two orders of K float32 additions differ by at most about 2·K·2^-24 of the sum
 * of the terms' magnitudes, which for K <= 64 and values in [-1, 1] stays under 1e-5 of the largest
 * output; a wrong or missing term moves an output by far more.
 */
const TOL = 1e-5;

const turn = (on: boolean) => {
  applyFixes({ fixes: { [FIX]: on } });
  expect(getFix(FIX)?.isApplied()).toBe(on);
};
const read = (f: () => tf.Tensor) => () =>
  tf.tidy(() => {
    const t = f();
    return { shape: t.shape, values: Array.from(t.dataSync()) };
  });

/**
 * `f`'s product runs on the heap with the fix on (the GEMM's own memory does not grow) and in the
 * GEMM's own memory with it off (it grows: `f` must need more than any earlier test), with the same bits.
 */
function expectTakenOnHeap(f: () => { shape: number[]; values: number[] }): void {
  const own = gemm();
  if (!own) throw new Error('the SIMD GEMM could not be built');
  const before = own.byteLength;
  turn(true);
  const on = f();
  expect(own.byteLength).toBe(before);
  turn(false);
  const off = f();
  expect(own.byteLength).toBeGreaterThan(before);
  turn(true);
  expect(on).toEqual(off);
}

/** `f` run on plain cpu gives `on`'s values within `tol` of the largest; wasm is back on after. */
async function expectCpuAlike(f: () => { values: number[] }, on: { values: number[] }, tol: number): Promise<void> {
  await useBackend('cpu', { fixes: false });
  const cpu = f();
  await useBackend('wasm');
  expectClose(on.values, cpu.values, tol, 'largest');
}

beforeAll(async () => {
  await useBackend('wasm');
});
afterAll(async () => {
  await useBackend('wasm', { fixes: false });
  await useBackend('cpu', { fixes: false });
});

describe('wasm-heap-matmul', () => {
  const forward: { name: string; m: number; k: number; n: number; bias: boolean }[] = [
    { name: "the DCGAN generator's Dense, [64,100]·[100,6272] (padded rows)", m: 64, k: 100, n: 6272, bias: false },
    { name: "the DCGAN discriminator's logit, [64,6272]·[6272,1] + bias", m: 64, k: 6272, n: 1, bias: true },
    { name: '[12,20]·[20,40] + bias (rows in place)', m: 12, k: 20, n: 40, bias: true },
    { name: '[8,12]·[12,6] + bias (a bias added in JavaScript)', m: 8, k: 12, n: 6, bias: true },
  ];
  for (const c of forward) {
    it(`forward ${c.name}: the same bits as wasm-simd-forward-matmul`, () => {
      const f = read(() =>
        tf.fused.matMul({
          a: seeded([c.m, c.k], 1),
          b: seeded([c.k, c.n], 2),
          bias: c.bias ? seeded([c.n], 3) : undefined,
        }),
      );
      const { off, on } = bothWays(f, turn);
      expect(on).toEqual(off);
    });
  }

  it('takes forward products of any rows while wasm-simd-matmul is on, with their bits, and no copy into the GEMM memory', () => {
    // 256 rows, above wasm-simd-forward-matmul's 64: wasm-simd-matmul alone copies the operands into
    // the GEMM's own memory (22 MB for this product, far more than any earlier test needed).
    const f = read(() =>
      tf.fused.matMul({ a: seeded([256, 4096], 14), b: seeded([4096, 1024], 15), bias: seeded([1024], 16) }),
    );
    expectTakenOnHeap(f);
  });

  it('takes input gradients (transposeB) of 64 rows and terms or more while wasm-simd-matmul is on, with their bits', () => {
    // [256,2048]·[4096,2048]ᵀ: wasm-simd-matmul alone transposes B into the GEMM's own memory (40 MB, more
    // than the test before needed).
    const f = read(() => tf.matMul(seeded([256, 2048], 17), seeded([4096, 2048], 18), false, true));
    expectTakenOnHeap(f);
  });

  const gradients: { name: string; k: number; m: number; n: number }[] = [
    { name: "the DCGAN generator's, [64,100]ᵀ·[64,6272]", k: 64, m: 100, n: 6272 },
    { name: "the DCGAN discriminator's, [64,6272]ᵀ·[64,1]", k: 64, m: 6272, n: 1 },
    { name: '[9,12]ᵀ·[9,16]', k: 9, m: 12, n: 16 },
  ];
  for (const c of gradients) {
    it(`weight gradient ${c.name}: equal to XNNPACK and to cpu`, async () => {
      const f = read(() => tf.matMul(seeded([c.k, c.m], 4), seeded([c.k, c.n], 5), true, false));
      const { off, on } = bothWays(f, turn);
      expect(on.shape).toEqual([c.m, c.n]);
      expectClose(on.values, off.values, TOL, 'largest');
      await expectCpuAlike(f, on, TOL);
    });
  }

  it('leaves rows not a multiple of 4, transposeB and activations to the other paths (same bits)', () => {
    const f = read(() =>
      tf.concat([
        tf.reshape(tf.matMul(seeded([6, 8], 6), seeded([8, 8], 7)), [-1]),
        tf.reshape(tf.matMul(seeded([8, 12], 8), seeded([16, 12], 9), false, true), [-1]),
        tf.reshape(tf.fused.matMul({ a: seeded([8, 12], 10), b: seeded([12, 8], 11), activation: 'relu' }), [-1]),
      ]),
    );
    const { off, on } = bothWays(f, turn);
    expect(on).toEqual(off);
  });

  it('leaves no tensor and no wasm buffer behind', () => {
    turn(true);
    expectNothingLeft(() => {
      const a = seeded([64, 20], 12);
      const b = seeded([20, 72], 13);
      tf.dispose([a, b, tf.matMul(a, b), tf.matMul(a, a, true, false)]);
    });
  });

  it('is switched off by name, leaving the other matmul fixes', () => {
    turn(false);
    expect(getFix('wasm-transposed-matmul')?.isApplied()).toBe(true);
    expect(getFix('wasm-simd-forward-matmul')?.isApplied()).toBe(true);
    turn(true);
  });
});

describe('wasm-heap-input-gradient', () => {
  const FEW = 'wasm-heap-input-gradient';
  const turnFew = (on: boolean) => {
    applyFixes({ fixes: { [FEW]: on } });
    expect(getFix(FEW)?.isApplied()).toBe(on);
  };
  /**
   * Sums of K = 256-1024 float32 products in another order than XNNPACK's: two orders differ by
   * at most about 2·K·2^-24 of the sum of the terms' magnitudes, under 4e-5 of the largest output here.
   */
  const SUM_TOL = 4e-5;
  const shapes: [number, number, number][] = [
    [32, 784, 1024], // the seed MLP's generator, batch 32: dy [32,784] · W[1024,784]ᵀ
    [32, 256, 512],
    [4, 64, 8],
  ];
  for (const [m, k, n] of shapes) {
    it(`takes dy·Wᵀ of ${m} rows, ${k} terms, ${n} columns on the heap: equal to XNNPACK and to cpu`, async () => {
      const f = read(() => tf.matMul(seeded([m, k], 20), seeded([n, k], 21), false, true));
      turnFew(false);
      const off = f();
      expect(gemmWork(() => f())).toBe(0);
      turnFew(true);
      const results: ReturnType<typeof f>[] = [];
      // One product, its rows padded apart as the GEMM writes them (see paddedColumns).
      expect(gemmWork(() => results.push(f()))).toBe(m * k * paddedColumns(n));
      const on = results[0] as ReturnType<typeof f>;
      expect(on.shape).toEqual([m, n]);
      expectClose(on.values, off.values, SUM_TOL, 'largest');
      await expectCpuAlike(f, on, SUM_TOL);
    });
  }

  it('leaves fewer than 64 terms and rows not a multiple of 4 to the other paths', () => {
    turnFew(true);
    expect(gemmWork(() => tf.dispose(tf.matMul(seeded([32, 1], 22), seeded([256, 1], 23), false, true)))).toBe(0);
    expect(gemmWork(() => tf.dispose(tf.matMul(seeded([6, 64], 24), seeded([8, 64], 25), false, true)))).toBe(0);
  });

  it('leaves no tensor and no wasm buffer behind, and is switched off by name alone', () => {
    turnFew(true);
    expectNothingLeft(() => {
      const a = seeded([32, 64], 26);
      const b = seeded([16, 64], 27);
      tf.dispose([a, b, tf.matMul(a, b, false, true)]);
    });
    turnFew(false);
    expect(getFix(FIX)?.isApplied()).toBe(true);
    turnFew(true);
  });
});
