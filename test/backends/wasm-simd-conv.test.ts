import * as tf from '@tensorflow/tfjs-core';
// Registers tfjs's gradients (tfjs-core alone does not).
import '@tensorflow/tfjs-layers';
import { getFix, useBackend } from 'ts-gan/backends';
import { afterAll, describe, expect, it } from 'vitest';
import { setSimdConvChunkRows } from '../../src/backends/fixes/wasm-simd-conv.js';
import { expectClose } from '../../test-shared/compare';
import { type ConvCase as Case, expectDcganTrainsTheSame, label, onPlainCpu, onWasmWith } from '../support/conv';
import { expectNothingLeft, seeded as rand } from '../support/fixes';

/**
 * Float32 sums of up to a few thousand products in another order than the kernel replaced:
 * relative to the largest value, well under 1e-5.
 */
const TOL = 2e-5;
const INPUT = 'wasm-simd-conv2d-backprop-input';
const FILTER = 'wasm-simd-conv2d-backprop-filter';

afterAll(async () => {
  await useBackend('wasm', { fixes: false });
  await useBackend('cpu', { fixes: false });
});

/** Shapes over kernels 3/4/5, strides 1/2, both paddings, channels 1/16/32/64, batch 1 and odd sizes. */
const CASES: Case[] = [
  { x: [1, 7, 7, 1], k: 3, cout: 16, strides: 1, pad: 'same' },
  { x: [3, 8, 8, 16], k: 4, cout: 32, strides: 2, pad: 'same' },
  { x: [2, 9, 9, 32], k: 5, cout: 16, strides: 2, pad: 'valid' },
  { x: [1, 6, 6, 64], k: 3, cout: 64, strides: 1, pad: 'valid' },
  { x: [7, 14, 14, 32], k: 4, cout: 64, strides: 2, pad: 'same' }, // 343 output pixels: two chunks
  { x: [3, 5, 7, 16], k: 5, cout: 1, strides: 1, pad: 'same' },
  { x: [2, 11, 9, 1], k: 4, cout: 32, strides: 2, pad: 'valid' },
  { x: [3, 28, 28, 1], k: 4, cout: 64, strides: 2, pad: 'same' }, // the DCGAN's grayscale layer: 588 pixels
  { x: [1, 13, 13, 16], k: 3, cout: 16, strides: 2, pad: 'same' },
  { x: [3, 6, 6, 6], k: 3, cout: 5, strides: 2, pad: 'same' },
];

function outShape(c: Case): [number, number, number, number] {
  const info = tf.backend_util.computeConv2DInfo(c.x, [c.k, c.k, c.x[3], c.cout], c.strides, 1, c.pad);
  return info.outShape as [number, number, number, number];
}

/** The two gradient kernels, run directly, read back. */
function gradients(c: Case, dataFormat: 'NHWC' | 'NCHW' = 'NHWC'): { dx: number[]; dw: number[] } {
  return tf.tidy(() => {
    const x = rand(c.x, 1);
    const w = rand([c.k, c.k, c.x[3], c.cout], 2);
    const dy = rand(outShape(c), 3);
    const attrs = { strides: c.strides, pad: c.pad, dataFormat };
    const dx = tf.engine().runKernel('Conv2DBackpropInput', { dy, filter: w }, { ...attrs, inputShape: c.x });
    const dw = tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { ...attrs, filterShape: w.shape });
    return { dx: Array.from((dx as tf.Tensor).dataSync()), dw: Array.from((dw as tf.Tensor).dataSync()) };
  });
}

/** wasm with every default fix, the two SIMD conv fixes `on` or off. */
const onWasm = <T>(on: boolean, f: () => T) => onWasmWith([INPUT, FILTER], on, f);

describe('wasm-simd-conv2d-backprop-input and -filter', () => {
  for (const c of CASES) {
    it(`equal the kernels they replace and the cpu backend: ${label(c)}`, async () => {
      const cpu = await onPlainCpu(() => gradients(c));
      const before = await onWasm(false, () => gradients(c));
      const after = await onWasm(true, () => gradients(c));
      expectClose(after.dx, before.dx, TOL, 'largest');
      expectClose(after.dw, before.dw, TOL, 'largest');
      expectClose(after.dx, cpu.dx, TOL, 'largest');
      expectClose(after.dw, cpu.dw, TOL, 'largest');
    });
  }

  it('give the same result in many small chunks as in one', async () => {
    const c: Case = { x: [3, 9, 9, 16], k: 4, cout: 8, strides: 2, pad: 'same' };
    const gray: Case = { x: [3, 9, 9, 1], k: 3, cout: 8, strides: 1, pad: 'same' };
    const gray4: Case = { x: [3, 9, 9, 1], k: 4, cout: 8, strides: 2, pad: 'same' };
    const whole = await onWasm(true, () => [gradients(c), gradients(gray), gradients(gray4)]);
    // 75, 243 and 75 output pixels: 7, 21 and 7 chunks, the last partial
    const previous = setSimdConvChunkRows(12);
    try {
      const chunked = await onWasm(true, () => [gradients(c), gradients(gray), gradients(gray4)]);
      for (const i of [0, 1, 2]) {
        expectClose(chunked[i]?.dx ?? [], whole[i]?.dx ?? [], TOL, 'largest');
        expectClose(chunked[i]?.dw ?? [], whole[i]?.dw ?? [], TOL, 'largest');
      }
    } finally {
      setSimdConvChunkRows(previous);
    }
  });

  it('leave NCHW data to the previous kernels (equal to cpu)', async () => {
    // In NCHW, x and dy are [N, C, H, W].
    const run = () =>
      tf.tidy(() => {
        const x = rand([2, 4, 6, 6], 1);
        const w = rand([3, 3, 4, 4], 2);
        const dy = rand([2, 4, 6, 6], 3);
        const attrs = { strides: 1, pad: 'same', dataFormat: 'NCHW' };
        const dw = tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { ...attrs, filterShape: [3, 3, 4, 4] });
        const dx = tf.engine().runKernel('Conv2DBackpropInput', { dy, filter: w }, { ...attrs, inputShape: x.shape });
        return { dx: Array.from((dx as tf.Tensor).dataSync()), dw: Array.from((dw as tf.Tensor).dataSync()) };
      });
    const cpu = await onPlainCpu(run);
    const wasm = await onWasm(true, run);
    expectClose(wasm.dw, cpu.dw, TOL, 'largest');
    expectClose(wasm.dx, cpu.dx, TOL, 'largest');
  });

  it('a conv layer trained through both gradients leaves no tensor and no wasm buffer behind', async () => {
    // expectNothingLeft also counts backend data ids: the kernels' scratch buffers are those, not tensors.
    await onWasm(true, () =>
      expectNothingLeft(() => {
        const x = rand([3, 8, 8, 16], 4);
        const w = tf.tidy(() => tf.variable(rand([4, 4, 16, 8], 5)));
        const { grads, value } = tf.variableGrads(
          () => tf.mean(tf.square(tf.conv2d(x as tf.Tensor4D, w as unknown as tf.Tensor4D, 2, 'same'))) as tf.Scalar,
          [w],
        );
        tf.dispose([x, value, ...Object.values(grads)]);
        w.dispose();
      }),
    );
  });

  it('are switched off by name, leaving the previous kernels', async () => {
    await useBackend('wasm', { fixes: { [INPUT]: false, [FILTER]: false } as never });
    expect(getFix(INPUT)?.isApplied()).toBe(false);
    expect(getFix(FILTER)?.isApplied()).toBe(false);
    expect(getFix('wasm-conv2d-backprop-input')?.isApplied()).toBe(true);
    expect(getFix('wasm-conv2d-backprop-filter')?.isApplied()).toBe(true);
  });

  it('a DCGAN with R1 trains as with the previous kernels', async () => {
    await expectDcganTrainsTheSame([INPUT, FILTER], {}, { r1: { gamma: 10 } });
  });
});
