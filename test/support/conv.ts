/**
 * Set-up shared by the tests of the SIMD convolution fixes (`wasm-simd-conv2d` and the two
 * `wasm-simd-conv2d-backprop-*`): a convolution case and its label, a run on plain cpu, a run on
 * wasm with the fixes under test on or off, and a short DCGAN training compared both ways.
 */
import * as tf from '@tensorflow/tfjs-core';
import { type DcganOptions, GAN, type GANConfig, presets, Trainer, type TrainerOptions } from 'ts-gan';
import { getFix, useBackend } from 'ts-gan/backends';
import { expect } from 'vitest';
import { type HeapBackend, heapKernels } from '../../src/backends/fixes/wasm-heap';
import { expectClose, maxAbsDiffAll } from '../../test-shared/compare';
import { glyphData } from './family';

export type Pad = 'same' | 'valid';

/** An NHWC convolution: input shape, a k x k kernel to `cout` channels, stride and padding. */
export interface ConvCase {
  x: [number, number, number, number];
  k: number;
  cout: number;
  strides: number;
  pad: Pad;
}

export const label = (c: ConvCase) => `x ${c.x.join('x')}, ${c.k}x${c.k}x${c.cout}, stride ${c.strides}, ${c.pad}`;

/** Runs `f` on the cpu backend with every fix off. */
export async function onPlainCpu<T>(f: () => T): Promise<T> {
  await useBackend('cpu', { fixes: false });
  return f();
}

/** Runs `f` on wasm with every default fix, the `fixes` under test `on` or off (checked). */
export async function onWasmWith<T>(fixes: readonly string[], on: boolean, f: () => T): Promise<T> {
  await useBackend('wasm', { fixes: Object.fromEntries(fixes.map((n) => [n, on])) as never });
  for (const name of fixes) expect(getFix(name)?.isApplied(), name).toBe(on);
  return f();
}

/**
 * Trains a DCGAN with 8 filters on 8x8 glyphs for 3 steps of batch 9, with the `fixes` off and then
 * on; the weights must stay within 1e-4 and the discriminator losses within 1e-4 of the largest.
 */
export async function expectDcganTrainsTheSame(
  fixes: readonly string[],
  dcgan: DcganOptions,
  trainerOptions: Partial<TrainerOptions>,
): Promise<void> {
  const train = async () => {
    const config: GANConfig = {
      ...presets.dcgan({ filters: 8, ...dcgan }),
      latentDim: 8,
      dataShape: [8, 8, 1],
      seed: 5,
    };
    const gan = new GAN(config);
    const trainer = new Trainer(gan, { batchSize: 9, ...trainerOptions });
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
  // or without the fixes (see wasm-kernels.test.ts); this compares values only.
  tf.env().set('IS_TEST', false);
  try {
    const before = await onWasmWith(fixes, false, train);
    const after = await onWasmWith(fixes, true, train);
    expect(after.weights.length).toBeGreaterThan(0);
    expect(maxAbsDiffAll(after.weights, before.weights)).toBeLessThan(1e-4);
    expectClose(after.dLoss, before.dLoss, 1e-4, 'largest');
  } finally {
    tf.env().set('IS_TEST', true);
  }
}

/**
 * The multiply-adds (rows · K · columns, padding included) that the heap GEMM of the wasm backend
 * does while `run` runs, or another `measure` of its calls summed: its kernels object is shared, so
 * a counting wrapper sees every call.
 */
export function gemmWork(
  run: () => void,
  measure: (mp: number, k: number, np: number) => number = (mp, k, np) => mp * k * np,
): number {
  const ks = heapKernels(tf.backend() as unknown as HeapBackend);
  if (!ks) throw new Error('gemmWork: the heap kernels are not available on this backend');
  const gemm = ks.gemm;
  let work = 0;
  ks.gemm = (a, b, c, mp, k, np) => {
    work += measure(mp, k, np);
    gemm(a, b, c, mp, k, np);
  };
  try {
    run();
  } finally {
    ks.gemm = gemm;
  }
  return work;
}
