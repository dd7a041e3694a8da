import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-layers';
import { FIX_NAMES, getFix, useBackend } from 'ts-gan/backends';
import { afterAll, describe, expect, it } from 'vitest';
import { SIMD_MIN_INNER } from '../../src/backends/fixes/wasm-transposed-matmul';
import { expectClose } from '../../test-shared/compare';
import { expectNoGrowth, offAndOn, seeded, values } from '../support/fixes';

const FIX = 'wasm-simd-matmul';

/**
 * The same product on the cpu backend with only `cpu-simd-matmul` on: the same GEMM, packing and
 * epilogue, so the bits must match the wasm fix's exactly (XNNPACK sums in another order).
 */
async function onCpuGemm(f: () => tf.Tensor): Promise<number[]> {
  await useBackend('cpu', { fixes: Object.fromEntries(FIX_NAMES.map((n) => [n, n === 'cpu-simd-matmul'])) as never });
  return tf.tidy(() => values(f()));
}

afterAll(async () => {
  await useBackend('wasm', { fixes: false });
  await useBackend('cpu', { fixes: false });
});

describe('wasm-simd-matmul', () => {
  const cases: { name: string; a: number[]; b: number[]; ta: boolean; tb: boolean; bias: boolean }[] = [
    {
      name: "a Dense layer's weight gradient at batch 96 (xᵀ·dy)",
      a: [96, 70],
      b: [96, 40],
      ta: true,
      tb: false,
      bias: false,
    },
    {
      name: "a Dense layer's input gradient at batch 64 (dy·Wᵀ)",
      a: [64, 80],
      b: [50, 80],
      ta: false,
      tb: true,
      bias: false,
    },
    { name: 'both operands transposed', a: [72, 66], b: [30, 72], ta: true, tb: true, bias: false },
    { name: 'a forward pass of 130 rows with bias', a: [130, 64], b: [64, 20], ta: false, tb: false, bias: true },
  ];
  for (const c of cases) {
    it(`${c.name}: the GEMM's bits, within float32 rounding of tfjs-wasm`, async () => {
      const f = () =>
        tf.fused.matMul({
          a: seeded(c.a, 1) as tf.Tensor2D,
          b: seeded(c.b, 2) as tf.Tensor2D,
          transposeA: c.ta,
          transposeB: c.tb,
          ...(c.bias ? { bias: seeded([c.b[c.tb ? 0 : 1] as number], 3) } : {}),
        });
      const { off, on } = await offAndOn(FIX, f, true);
      // Sums of ~100 products of values in [-1, 1]: a few float32 ulps of magnitudes up to ~10.
      expectClose(on, off, 1e-4);
      expect(on).toEqual(await onCpuGemm(f));
      await useBackend('wasm', { fixes: { [FIX]: true } as never });
      expectNoGrowth(f);
    });
  }

  it(`products it does not take (fewer than ${SIMD_MIN_INNER} terms, a transposed product of few rows, a fused relu, a batch of 2) give tfjs-wasm its own bits`, async () => {
    const fs = [
      () => tf.matMul(seeded([32, 100], 4), seeded([32, 70], 5), true, false),
      () => tf.matMul(seeded([32, 100], 6), seeded([70, 100], 7), false, true),
      () =>
        tf.fused.matMul({
          a: seeded([80, 96], 8) as tf.Tensor2D,
          b: seeded([96, 16], 9) as tf.Tensor2D,
          activation: 'relu',
        }),
      () => tf.matMul(seeded([2, 80, 96], 10), seeded([2, 96, 16], 11)),
    ];
    for (const f of fs) {
      const { off, on } = await offAndOn(FIX, f, true);
      expect(on).toEqual(off);
    }
  });

  it('switching it off restores the original kernel', async () => {
    await useBackend('wasm', { fixes: false });
    const original = tf.getKernel('BatchMatMul', 'wasm');
    await useBackend('wasm', { fixes: Object.fromEntries(FIX_NAMES.map((n) => [n, n === FIX])) as never });
    expect(getFix(FIX)?.isApplied()).toBe(true);
    expect(tf.getKernel('BatchMatMul', 'wasm')).not.toBe(original);
    await useBackend('wasm', { fixes: false });
    expect(tf.getKernel('BatchMatMul', 'wasm')).toBe(original);
  });
});
