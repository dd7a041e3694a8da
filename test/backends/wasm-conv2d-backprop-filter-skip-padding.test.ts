/**
 * The `wasm-simd-conv2d-backprop-filter-skip-padding` fix: the SIMD filter gradient by padding
 * class equals plain cpu within float32 rounding ('same' geometries, a 5x5 filter on a 3x3 input,
 * 4 to 64 channels in, Cout not a multiple of 8 nor of 4, one chunk and many), its GEMMs really
 * leave out the padding taps' products, a geometry without padding and inputs of 1 or 3 channels
 * keep the plain path's products and bits, it leaves nothing behind, and it switches off.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-layers';
import { useBackend } from 'ts-gan/backends';
import { afterAll, describe, expect, it } from 'vitest';
import { tapClasses } from '../../src/backends/fixes/conv-tap-classes.js';
import { setSimdConvChunkRows } from '../../src/backends/fixes/wasm-simd-conv.js';
import { expectClose } from '../../test-shared/compare';
import { type ConvCase, label as convLabel, gemmWork, onPlainCpu, onWasmWith } from '../support/conv';
import { bitDifferences, expectNoGrowth, seeded as rand } from '../support/fixes';

/** A convolution case; a number pads every side by that many pixels. */
type Case = Omit<ConvCase, 'pad'> & { pad: ConvCase['pad'] | number };
const label = (c: Case) => convLabel(c as ConvCase);

const FIX = 'wasm-simd-conv2d-backprop-filter-skip-padding';
/** Float32 sums of up to a few thousand products in another order: relative to the largest value. */
const TOL = 2e-5;

const CASES: Case[] = [
  { x: [2, 14, 14, 64], k: 4, cout: 128, strides: 2, pad: 'same' }, // the DCGAN's middle layer
  { x: [3, 9, 9, 8], k: 3, cout: 12, strides: 1, pad: 'same' }, // Cout 12: dy copied into padded rows
  { x: [2, 3, 3, 4], k: 5, cout: 6, strides: 1, pad: 'same' }, // whole filter rows outside; Cout 6: scalar sums
  { x: [2, 11, 9, 4], k: 3, cout: 10, strides: 2, pad: 'same' }, // 4 and 6 taps at the edges
  { x: [5, 7, 7, 16], k: 4, cout: 8, strides: 1, pad: 'same' }, // stride 1, 4x4: pad 1 before, 2 after
  { x: [2, 4, 4, 8], k: 3, cout: 8, strides: 1, pad: 3 }, // the border pixels read only padding: classes without taps
];
/**
 * Left to the plain path: no padding (one class of every tap), the DCGAN's grayscale layer (one
 * channel), three channels (the plain path's JavaScript im2col).
 */
const PLAIN: Case[] = [
  { x: [2, 9, 9, 32], k: 5, cout: 16, strides: 2, pad: 'valid' },
  { x: [3, 28, 28, 1], k: 4, cout: 64, strides: 2, pad: 'same' },
  { x: [2, 11, 9, 3], k: 5, cout: 16, strides: 2, pad: 'same' },
];

function info(c: Case): tf.backend_util.Conv2DInfo {
  return tf.backend_util.computeConv2DInfo(c.x, [c.k, c.k, c.x[3], c.cout], c.strides, 1, c.pad);
}

/** The filter gradient kernel, run directly, read back. */
function filterGradient(c: Case): number[] {
  return tf.tidy(() => {
    const x = rand(c.x, 1);
    const dy = rand(info(c).outShape, 3);
    const attrs = { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', filterShape: [c.k, c.k, c.x[3], c.cout] };
    return Array.from((tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, attrs) as tf.Tensor).dataSync());
  });
}

/** Products (GEMM rows × inner size, per output column) of one filter gradient, counted at the heap GEMM. */
const gemmProducts = (c: Case): number =>
  gemmWork(
    () => void filterGradient(c),
    (mp, k) => mp * k,
  );

const onWasm = <T>(on: boolean, f: () => T) => onWasmWith([FIX], on, f);

afterAll(async () => {
  setSimdConvChunkRows(256);
  await useBackend('wasm', { fixes: false });
  await useBackend('cpu', { fixes: false });
});

describe('wasm-simd-conv2d-backprop-filter-skip-padding', () => {
  for (const c of CASES) {
    it(`equals plain cpu in one chunk and in chunks of 12 pixels: ${label(c)}`, async () => {
      const cpu = await onPlainCpu(() => filterGradient(c));
      for (const rows of [256, 12]) {
        setSimdConvChunkRows(rows);
        try {
          const on = await onWasm(true, () => filterGradient(c));
          expect(on.some((v) => v !== 0)).toBe(true);
          expectClose(on, cpu, TOL, 'largest');
        } finally {
          setSimdConvChunkRows(256);
        }
      }
    });
  }

  it("multiplies only the taps inside the input: the DCGAN layer's GEMMs do 13.8% fewer products", async () => {
    const c = CASES[0] as Case;
    const conv = info(c);
    const pixels = conv.batchSize * conv.outHeight * conv.outWidth;
    const inside = tapClasses(conv).reduce((s, k) => s + k.pixels.length * k.taps.length, 0);
    const off = await onWasm(false, () => gemmProducts(c));
    const on = await onWasm(true, () => gemmProducts(c));
    expect(off).toBe(pixels * c.k * c.k * c.x[3]);
    expect(on).toBe(inside * c.x[3]);
    expect(1 - on / off).toBeCloseTo(0.138, 3);
  });

  for (const c of PLAIN) {
    it(`leaves ${label(c)} to the plain path: the same products and bits`, async () => {
      const off = await onWasm(false, () => ({ dw: filterGradient(c), products: gemmProducts(c) }));
      const on = await onWasm(true, () => ({ dw: filterGradient(c), products: gemmProducts(c) }));
      expect(bitDifferences(on.dw, off.dw)).toEqual([]);
      expect(on.products).toBe(off.products);
      expect(on.dw.some((v) => v !== 0)).toBe(true);
    });
  }

  it('leaves no tensor and no wasm buffer behind', async () => {
    await onWasm(true, () => expectNoGrowth(() => filterGradient(CASES[3] as Case)));
  });
});
