import * as tf from '@tensorflow/tfjs-core';
// Registers tfjs's gradients (tfjs-core alone does not).
import '@tensorflow/tfjs-layers';
import { GAN, presets, Trainer } from 'ts-gan';
import { getFix, useBackend } from 'ts-gan/backends';
import { afterAll, describe, expect, it } from 'vitest';
import { setSimdConvChunkRows } from '../../src/backends/fixes/wasm-simd-conv.js';
import { expectClose, maxAbsDiffAll } from '../../test-shared/compare';
import { glyphData } from '../support/family';

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

type Pad = 'same' | 'valid';
interface Case {
  x: [number, number, number, number];
  k: number;
  cout: number;
  strides: number;
  pad: Pad;
}

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

const rand = (shape: number[], seed: number) => tf.randomUniform(shape, -1, 1, 'float32', seed);
const label = (c: Case) => `x ${c.x.join('x')}, ${c.k}x${c.k}x${c.cout}, stride ${c.strides}, ${c.pad}`;

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

async function onCpu<T>(f: () => T): Promise<T> {
  await useBackend('cpu', { fixes: false });
  return f();
}

/** wasm with every default fix, the two SIMD conv fixes `on` or off. */
async function onWasm<T>(on: boolean, f: () => T): Promise<T> {
  await useBackend('wasm', { fixes: { [INPUT]: on, [FILTER]: on } as never });
  expect(getFix(INPUT)?.isApplied()).toBe(on);
  expect(getFix(FILTER)?.isApplied()).toBe(on);
  return f();
}

describe('wasm-simd-conv2d-backprop-input and -filter', () => {
  for (const c of CASES) {
    it(`equal the kernels they replace and the cpu backend: ${label(c)}`, async () => {
      const cpu = await onCpu(() => gradients(c));
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
    const cpu = await onCpu(run);
    const wasm = await onWasm(true, run);
    expectClose(wasm.dw, cpu.dw, TOL, 'largest');
    expectClose(wasm.dx, cpu.dx, TOL, 'largest');
  });

  it('a conv layer trained through both gradients leaves no tensor and no wasm buffer behind', async () => {
    const step = () => {
      const x = rand([3, 8, 8, 16], 4);
      const w = tf.tidy(() => tf.variable(rand([4, 4, 16, 8], 5)));
      const { grads, value } = tf.variableGrads(
        () => tf.mean(tf.square(tf.conv2d(x as tf.Tensor4D, w as unknown as tf.Tensor4D, 2, 'same'))) as tf.Scalar,
        [w],
      );
      tf.dispose([x, value, ...Object.values(grads)]);
      w.dispose();
    };
    await onWasm(true, step); // warm-up: tables, modules
    const before = tf.memory().numTensors;
    // The kernels' scratch buffers are backend data, not tensors: count those too.
    const buffers = tf.backend().numDataIds();
    step();
    expect(tf.memory().numTensors).toBe(before);
    expect(tf.backend().numDataIds()).toBe(buffers);
  });

  it('are switched off by name, leaving the previous kernels', async () => {
    await useBackend('wasm', { fixes: { [INPUT]: false, [FILTER]: false } as never });
    expect(getFix(INPUT)?.isApplied()).toBe(false);
    expect(getFix(FILTER)?.isApplied()).toBe(false);
    expect(getFix('wasm-conv2d-backprop-input')?.isApplied()).toBe(true);
    expect(getFix('wasm-conv2d-backprop-filter')?.isApplied()).toBe(true);
  });

  it('a DCGAN with R1 trains as with the previous kernels', async () => {
    const train = async () => {
      const gan = new GAN({ ...presets.dcgan({ filters: 8 }), latentDim: 8, dataShape: [8, 8, 1], seed: 5 });
      const trainer = new Trainer(gan, { batchSize: 9, r1: { gamma: 10 } });
      const d = glyphData(36);
      const history = await trainer.fit(d.x, { steps: 3 });
      const weights = [...gan.generator.getWeights(), ...gan.discriminator.getWeights()].map((w) =>
        Array.from(w.dataSync()),
      );
      tf.dispose([d.x, d.labels]);
      trainer.dispose();
      gan.dispose();
      return { weights, dLoss: history.values.dLoss as number[] };
    };
    // tfjs-backend-wasm's fused conv custom gradient trips tfjs's IS_TEST kernel leak check with
    // or without the fixes (see wasm-kernels.test.ts); this test compares values only.
    tf.env().set('IS_TEST', false);
    try {
      const before = await onWasm(false, train);
      const after = await onWasm(true, train);
      expect(after.weights.length).toBeGreaterThan(0);
      expect(maxAbsDiffAll(after.weights, before.weights)).toBeLessThan(1e-4);
      expectClose(after.dLoss, before.dLoss, 1e-4, 'largest');
    } finally {
      tf.env().set('IS_TEST', true);
    }
  });
});
