import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-layers';
import { useBackend } from 'ts-gan/backends';
import { afterAll, describe, expect, it } from 'vitest';
import { SIMD_MIN_INNER } from '../../src/backends/fixes/wasm-transposed-matmul';
import { expectClose } from '../../test-shared/compare';
import {
  expectNoGrowth,
  expectNotTaken,
  expectSwitchOffRestores,
  offAndOn,
  only,
  seeded,
  values,
} from '../support/fixes';

const FIX = 'wasm-simd-matmul';

/**
 * The same product on the cpu backend with only `cpu-simd-matmul` on: the same GEMM, packing and
 * epilogue, so the bits must match the wasm fix's exactly (XNNPACK sums in another order).
 */
async function onCpuGemm(f: () => tf.Tensor): Promise<number[]> {
  await useBackend('cpu', { fixes: only('cpu-simd-matmul') });
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
    await expectNotTaken(
      FIX,
      [
        () => tf.matMul(seeded([32, 100], 4), seeded([32, 70], 5), true, false),
        () => tf.matMul(seeded([32, 100], 6), seeded([70, 100], 7), false, true),
        () =>
          tf.fused.matMul({
            a: seeded([80, 96], 8) as tf.Tensor2D,
            b: seeded([96, 16], 9) as tf.Tensor2D,
            activation: 'relu',
          }),
        () => tf.matMul(seeded([2, 80, 96], 10), seeded([2, 96, 16], 11)),
      ],
      true,
    );
  });

  it('switching it off restores the original kernel', async () => {
    await expectSwitchOffRestores(FIX, 'BatchMatMul');
  });
});
