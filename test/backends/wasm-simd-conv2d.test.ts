import * as tf from '@tensorflow/tfjs-core';
// Registers tfjs's gradients (tfjs-core alone does not).
import '@tensorflow/tfjs-layers';
import { getFix, useBackend } from 'ts-gan/backends';
import { afterAll, describe, expect, it } from 'vitest';
import { setSimdConv2dBlocking } from '../../src/backends/fixes/wasm-simd-conv2d.js';
import { expectClose } from '../../test-shared/compare';
import { type ConvCase as Case, expectDcganTrainsTheSame, label, onPlainCpu, onWasmWith } from '../support/conv';
import { expectNothingLeft, seeded as rand } from '../support/fixes';

/**
 * Each output is a float32 sum of the same K = fh·fw·Cin products as XNNPACK's (and the cpu
 * kernel's) in another order, the bias added last instead of first. Two orders of n float32
 * additions differ by at most 2·(n-1)·2^-24 times the sum of the terms' magnitudes; with inputs in
 * [-1, 1] that sum is at most K+1 (1601 here) and the largest output is of the order of sqrt(K), so
 * the worst case is loose. Measured: under 1e-6 of the largest value, as the other conv kernels'
 * tests; 2e-5 of the largest value leaves room and still catches any wrong product (a single
 * missing or misplaced term is of the order of 1/sqrt(K) of the largest value, above 1e-2).
 */
const TOL = 2e-5;
const FIX = 'wasm-simd-conv2d';

afterAll(async () => {
  await useBackend('wasm', { fixes: false });
  await useBackend('cpu', { fixes: false });
});

/**
 * Taken cases (Cin 1 or a multiple of 4, Cout a multiple of 8) over kernels 3/4/5, strides 1/2,
 * both paddings, output pixel counts that are and are not a multiple of 4; then cases left to
 * tfjs-wasm (Cin 6 or 2, Cout 5).
 */
const CASES: Case[] = [
  { x: [4, 14, 14, 64], k: 4, cout: 128, strides: 2, pad: 'same' }, // the DCGAN's middle layer, 196 pixels
  { x: [3, 8, 8, 16], k: 4, cout: 32, strides: 2, pad: 'same' },
  { x: [2, 9, 9, 32], k: 5, cout: 16, strides: 2, pad: 'valid' }, // 18 pixels: a partial last panel
  { x: [1, 6, 6, 64], k: 3, cout: 64, strides: 1, pad: 'valid' },
  { x: [5, 7, 7, 8], k: 4, cout: 16, strides: 1, pad: 'same' }, // 245 pixels
  { x: [1, 13, 13, 4], k: 3, cout: 8, strides: 2, pad: 'same' }, // 49 pixels
  { x: [1, 7, 7, 16], k: 3, cout: 64, strides: 1, pad: 'same' }, // 49 pixels, C through padded rows (K 144)
  { x: [2, 11, 9, 1], k: 4, cout: 32, strides: 2, pad: 'valid' }, // grayscale: scalar gathers
  { x: [3, 28, 28, 1], k: 4, cout: 64, strides: 2, pad: 'same' }, // the DCGAN's first layer
  { x: [3, 6, 6, 6], k: 3, cout: 5, strides: 2, pad: 'same' },
  { x: [2, 6, 6, 2], k: 3, cout: 8, strides: 1, pad: 'same' },
];

/** Conv2D, FusedConv2D with a bias, and FusedConv2D with a bias and relu, read back. */
function forward(c: Case): number[][] {
  return tf.tidy(() => {
    const x = rand(c.x, 1) as tf.Tensor4D;
    const w = rand([c.k, c.k, c.x[3], c.cout], 2) as tf.Tensor4D;
    const bias = rand([c.cout], 3);
    const plain = tf.conv2d(x, w, c.strides, c.pad);
    const fused = tf.fused.conv2d({ x, filter: w, strides: c.strides, pad: c.pad, bias });
    const relu = tf.fused.conv2d({ x, filter: w, strides: c.strides, pad: c.pad, bias, activation: 'relu' });
    return [plain, fused, relu].map((t) => Array.from(t.dataSync()));
  });
}

/** wasm with every default fix, this one `on` or off. */
const onWasm = <T>(on: boolean, f: () => T) => onWasmWith([FIX], on, f);
/** wasm with this fix in slices of taps: every default fix but `wasm-simd-conv2d-skip-padding`. */
const onSlices = async <T>(f: () => T) => {
  await useBackend('wasm', { fixes: { 'wasm-simd-conv2d-skip-padding': false } as never });
  expect(getFix(FIX)?.isApplied()).toBe(true);
  expect(getFix('wasm-simd-conv2d-skip-padding')?.isApplied()).toBe(false);
  return f();
};

describe('wasm-simd-conv2d', () => {
  for (const c of CASES) {
    it(`equals XNNPACK and the cpu backend: ${label(c)}`, async () => {
      const cpu = await onPlainCpu(() => forward(c));
      const before = await onWasm(false, () => forward(c));
      const after = await onWasm(true, () => forward(c));
      const sliced = await onSlices(() => forward(c));
      for (const i of [0, 1, 2]) {
        expect(after[i]?.length).toBe(cpu[i]?.length);
        expectClose(after[i] ?? [], before[i] ?? [], TOL, 'largest');
        expectClose(after[i] ?? [], cpu[i] ?? [], TOL, 'largest');
        expectClose(sliced[i] ?? [], cpu[i] ?? [], TOL, 'largest');
      }
    });
  }

  it('gives the same result in many small chunks and slices as in one (without skip-padding)', async () => {
    const c: Case = { x: [3, 9, 9, 16], k: 4, cout: 8, strides: 2, pad: 'same' };
    const gray: Case = { x: [3, 9, 9, 1], k: 3, cout: 8, strides: 1, pad: 'same' };
    // One slice and one chunk: K = 256 columns, 75 pixels (gray: 9 columns, 243 pixels).
    const previous = setSimdConv2dBlocking(256, 256);
    try {
      const whole = await onSlices(() => [forward(c), forward(gray)]);
      // 12 pixels a chunk (75 pixels in 7 chunks, the last one partial), 3 taps a slice (16 taps in
      // 6; gray: 48 taps a slice, so one, and 243 pixels in 21 chunks).
      setSimdConv2dBlocking(12, 48);
      const chunked = await onSlices(() => [forward(c), forward(gray)]);
      const cpu = await onPlainCpu(() => [forward(c), forward(gray)]);
      for (const j of [0, 1]) {
        for (const i of [0, 1, 2]) {
          expectClose(chunked[j]?.[i] ?? [], whole[j]?.[i] ?? [], TOL, 'largest');
          expectClose(chunked[j]?.[i] ?? [], cpu[j]?.[i] ?? [], TOL, 'largest');
        }
      }
      // Gray in 2 taps a slice too: 9 taps in 5 slices.
      setSimdConv2dBlocking(12, 2);
      const sliced = await onSlices(() => forward(gray));
      for (const i of [0, 1, 2]) expectClose(sliced[i] ?? [], cpu[1]?.[i] ?? [], TOL, 'largest');
    } finally {
      setSimdConv2dBlocking(previous.rows, previous.slice);
    }
  });

  it('leaves NCHW data to tfjs-wasm (equal to cpu)', async () => {
    const run = () =>
      tf.tidy(() => {
        const x = rand([2, 8, 6, 6], 1) as tf.Tensor4D;
        const w = rand([3, 3, 8, 8], 2) as tf.Tensor4D;
        // tfjs-wasm has no NCHW convolution: whatever it does with one is what the fix must do.
        try {
          return Array.from(tf.conv2d(x, w, 1, 'same', 'NCHW').dataSync());
        } catch (err) {
          return String(err);
        }
      });
    const before = await onWasm(false, run);
    const after = await onWasm(true, run);
    expect(after).toEqual(before);
  });

  it('leaves no tensor and no wasm buffer behind, by padding classes and in slices', async () => {
    // expectNothingLeft also counts backend data ids: the kernel's scratch buffers are those, not tensors.
    const run = () =>
      expectNothingLeft(() => {
        const x = rand([3, 8, 8, 16], 4) as tf.Tensor4D;
        const w = rand([4, 4, 16, 8], 5) as tf.Tensor4D;
        const b = rand([8], 6);
        const y = tf.fused.conv2d({ x, filter: w, strides: 2, pad: 'same', bias: b });
        tf.dispose([x, w, b, y]);
      });
    await onWasm(true, run);
    await onSlices(run);
  });

  it('is switched off by name, leaving the other fixes', async () => {
    await useBackend('wasm', { fixes: { [FIX]: false } as never });
    expect(getFix(FIX)?.isApplied()).toBe(false);
    expect(getFix('wasm-simd-conv2d-backprop-input')?.isApplied()).toBe(true);
    await useBackend('wasm');
    expect(getFix(FIX)?.isApplied()).toBe(true);
  });

  it('a DCGAN with BatchNorm in both networks trains as with XNNPACK', async () => {
    await expectDcganTrainsTheSame([FIX], { discriminatorBatchNorm: true }, { frozenNetworkMode: 'training' });
  });
});
