/**
 * The `wasm-simd-conv2d-backprop-input-skip-padding` fix: the input gradient computed a padding
 * class at a time equals the one with the padding taps (and the cpu backend) within float32
 * rounding, really multiplies fewer terms, leaves nothing behind, and switches off.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-layers';
import { getFix, useBackend } from 'ts-gan/backends';
import { afterAll, describe, expect, it } from 'vitest';
import { paddingShare } from '../../src/backends/fixes/conv-tap-classes.js';
import { setSimdConvChunkRows } from '../../src/backends/fixes/wasm-simd-conv.js';
import { expectClose } from '../../test-shared/compare';
import { type ConvCase, gemmWork, label, onPlainCpu, onWasmWith } from '../support/conv';
import { expectNothingLeft, seeded } from '../support/fixes';

const FIX = 'wasm-simd-conv2d-backprop-input-skip-padding';
/** Float32 sums of up to a few thousand products added in another order: relative to the largest value. */
const TOL = 2e-5;

const CASES: ConvCase[] = [
  { x: [4, 14, 14, 64], k: 4, cout: 128, strides: 2, pad: 'same' }, // the DCGAN's 7x7x128 -> 14x14x64 layer
  { x: [3, 28, 28, 1], k: 4, cout: 64, strides: 2, pad: 'same' }, // its grayscale layer
  { x: [3, 9, 9, 16], k: 4, cout: 8, strides: 2, pad: 'same' }, // partial panels
  { x: [5, 7, 7, 8], k: 3, cout: 4, strides: 1, pad: 'same' }, // Cout a multiple of 4, not of 8
  { x: [2, 3, 3, 4], k: 5, cout: 8, strides: 1, pad: 'same' }, // whole filter rows and columns outside
  { x: [2, 11, 9, 1], k: 3, cout: 32, strides: 2, pad: 'same' }, // grayscale, taps not a multiple of 4
  { x: [2, 9, 9, 12], k: 3, cout: 8, strides: 2, pad: 'valid' }, // no padding: one class
  { x: [3, 6, 6, 6], k: 3, cout: 5, strides: 2, pad: 'same' }, // Cout not a multiple of 4: the previous path
];

function outShape(c: ConvCase): [number, number, number, number] {
  return tf.backend_util.computeConv2DInfo(c.x, [c.k, c.k, c.x[3], c.cout], c.strides, 1, c.pad).outShape as [
    number,
    number,
    number,
    number,
  ];
}

/** dx of `c` through the kernel, read back. */
function inputGradient(c: ConvCase): number[] {
  return tf.tidy(() => {
    const dy = seeded(outShape(c), 3);
    const filter = seeded([c.k, c.k, c.x[3], c.cout], 2);
    const attrs = { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', inputShape: c.x };
    return Array.from((tf.engine().runKernel('Conv2DBackpropInput', { dy, filter }, attrs) as tf.Tensor).dataSync());
  });
}

const withFix = <T>(on: boolean, f: () => T) => onWasmWith([FIX], on, f);

afterAll(async () => {
  setSimdConvChunkRows(256);
  await useBackend('wasm', { fixes: false });
});

describe(FIX, () => {
  for (const c of CASES) {
    it(`equals the input gradient with the padding taps and the cpu backend: ${label(c)}`, async () => {
      const cpu = await onPlainCpu(() => inputGradient(c));
      const before = await withFix(false, () => inputGradient(c));
      const after = await withFix(true, () => inputGradient(c));
      expectClose(after, before, TOL, 'largest');
      expectClose(after, cpu, TOL, 'largest');
    });
  }

  it('gives the same result in many small chunks as in one', async () => {
    const c = CASES[2] as ConvCase;
    const whole = await withFix(true, () => inputGradient(c));
    setSimdConvChunkRows(8);
    try {
      expectClose(await withFix(true, () => inputGradient(c)), whole, TOL, 'largest');
    } finally {
      setSimdConvChunkRows(256);
    }
  });

  it("leaves out the padding taps' products: the DCGAN layer's GEMM does 13.8% fewer multiply-adds", async () => {
    const c = CASES[0] as ConvCase;
    const info = tf.backend_util.computeConv2DInfo(c.x, [c.k, c.k, c.x[3], c.cout], c.strides, 1, c.pad);
    const without = await withFix(false, () => gemmWork(() => inputGradient(c)));
    const withSkip = await withFix(true, () => gemmWork(() => inputGradient(c)));
    // Padding columns of the GEMM's rows (a few per cent) aside, the saving is the padding share.
    expect(paddingShare(info)).toBeCloseTo(1 - (26 / 28) ** 2, 10);
    expect(withSkip / without).toBeLessThan(1 - paddingShare(info) + 0.01);
    expect(withSkip / without).toBeGreaterThan(1 - paddingShare(info) - 0.03);
  });

  it('leaves no tensor and no wasm buffer behind', async () => {
    await withFix(true, () => expectNothingLeft(() => void inputGradient(CASES[2] as ConvCase)));
  });

  it('is switched off by name, leaving the input gradient with the padding taps', async () => {
    await useBackend('wasm', { fixes: { [FIX]: false } as never });
    expect(getFix(FIX)?.isApplied()).toBe(false);
    expect(getFix('wasm-simd-conv2d-backprop-input')?.isApplied()).toBe(true);
  });
});
