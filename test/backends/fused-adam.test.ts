import * as tf from '@tensorflow/tfjs-core';
// tfjs-layers registers the gradients of tfjs-core's ops.
import '@tensorflow/tfjs-layers';
import { GAN, presets, Trainer } from 'ts-gan';
import { FIX_NAMES, getFix, useBackend } from 'ts-gan/backends';
import { afterAll, describe, expect, it } from 'vitest';
import { simdAdamFor } from '../../src/backends/fixes/wasm-simd-adam.js';
import { FusedAdamOptimizer } from '../../src/kernels/fused-adam-optimizer.js';
import { trainTinyMlp } from '../support/fixes';

afterAll(async () => {
  await useBackend('wasm', { fixes: false });
  await useBackend('cpu', { fixes: false });
});

/** Trains two variables for a few steps with `opt`; returns their values and the optimizer weights. */
async function trajectory(opt: tf.Optimizer): Promise<number[]> {
  const w = tf.variable(tf.randomUniform([37, 5], -1, 1, 'float32', 11));
  const b = tf.variable(tf.randomUniform([5], -1, 1, 'float32', 12));
  const x = tf.randomUniform([8, 37], -1, 1, 'float32', 13);
  for (let i = 0; i < 6; i++) {
    tf.tidy(() => {
      opt.minimize(() => tf.mean(tf.square(tf.tanh(tf.add(tf.matMul(x, w), b)))) as tf.Scalar, false, [w, b]);
    });
  }
  const weights = await opt.getWeights();
  const out = [...w.dataSync(), ...b.dataSync(), ...weights.flatMap((nt) => Array.from(nt.tensor.dataSync()))];
  tf.dispose([w, b, x]);
  opt.dispose();
  return out;
}

describe('fused-adam', () => {
  for (const backend of ['cpu', 'wasm'] as const) {
    it(`on ${backend}, the fused kernel gives the same bits as tf.train.adam`, async () => {
      await useBackend(backend, { fixes: false });
      const reference = await trajectory(tf.train.adam(0.01, 0.5, 0.999, 1e-7));
      const fallback = await trajectory(new FusedAdamOptimizer(0.01, 0.5, 0.999, 1e-7));
      // Only fused-adam on, to compare Adam alone: the library's GEMM (cpu-simd-matmul,
      // wasm-simd-forward-matmul, with wasm-relaxed-simd's fused multiply-add where the engine has
      // relaxed SIMD) sums products with other roundings than tfjs's kernels.
      await useBackend(backend, { fixes: Object.fromEntries(FIX_NAMES.map((n) => [n, n === 'fused-adam'])) });
      expect(getFix('fused-adam')?.isApplied()).toBe(true);
      const fused = await trajectory(new FusedAdamOptimizer(0.01, 0.5, 0.999, 1e-7));
      expect(fallback).toEqual(reference);
      expect(fused.length).toBe(reference.length);
      // Same float32 operation order as tf.train.adam: identical values, not just close ones.
      expect(fused).toEqual(reference);
    });
  }

  it('on wasm, the update runs in the SIMD function of wat/adam.wat (it validates and instantiates)', async () => {
    await useBackend('wasm');
    const memory = (tf.backend() as unknown as { wasm: { asm: { memory: WebAssembly.Memory } } }).wasm.asm.memory;
    expect(memory).toBeInstanceOf(WebAssembly.Memory);
    expect(typeof simdAdamFor(memory)).toBe('function');
  });

  it('does not leak: tensor count and bytes flat after the first step', async () => {
    await useBackend('wasm');
    const opt = new FusedAdamOptimizer(0.01, 0.5, 0.999, 1e-7);
    const w = tf.variable(tf.ones([4, 3]));
    const step = () => tf.tidy(() => void opt.minimize(() => tf.sum(tf.square(w)) as tf.Scalar, false, [w]));
    step();
    const { numTensors, numBytes } = tf.memory();
    step();
    step();
    expect(tf.memory().numTensors).toBe(numTensors);
    expect(tf.memory().numBytes).toBe(numBytes);
    opt.dispose();
    w.dispose();
  });
});

describe('wasm-in-place-adam', () => {
  const FIX = 'wasm-in-place-adam';
  const withFixes = (names: string[]) => Object.fromEntries(FIX_NAMES.map((n) => [n, names.includes(n)])) as never;
  /** The optimizer's first and second moment of its first variable. */
  const moments = (opt: tf.Optimizer) => {
    const state = opt as unknown as { accumulatedFirstMoment: { variable: tf.Variable }[] } & {
      accumulatedSecondMoment: { variable: tf.Variable }[];
    };
    return [state.accumulatedFirstMoment[0]?.variable, state.accumulatedSecondMoment[0]?.variable] as tf.Variable[];
  };

  it('the same bits as tf.train.adam, with the moments updated where they lie', async () => {
    await useBackend('wasm', { fixes: false });
    const reference = await trajectory(tf.train.adam(0.01, 0.5, 0.999, 1e-7));
    await useBackend('wasm', { fixes: withFixes(['fused-adam', FIX]) });
    expect(getFix(FIX)?.isApplied()).toBe(true);
    expect(await trajectory(new FusedAdamOptimizer(0.01, 0.5, 0.999, 1e-7))).toEqual(reference);
    // In place: a moment keeps its data from step to step; the weight gets new data each step.
    const opt = new FusedAdamOptimizer(0.01, 0.5, 0.999, 1e-7);
    const w = tf.variable(tf.randomUniform([9, 4], -1, 1, 'float32', 21));
    const step = () => tf.tidy(() => void opt.minimize(() => tf.sum(tf.square(w)) as tf.Scalar, false, [w]));
    step();
    const [m, v] = moments(opt) as [tf.Variable, tf.Variable];
    const ids = [m.dataId, v.dataId, w.dataId];
    const { numTensors, numBytes } = tf.memory();
    const dataIds = tf.backend().numDataIds();
    step();
    expect([m.dataId, v.dataId]).toEqual(ids.slice(0, 2));
    expect(w.dataId).not.toBe(ids[2]);
    step();
    expect(tf.memory().numTensors).toBe(numTensors);
    expect(tf.memory().numBytes).toBe(numBytes);
    expect(tf.backend().numDataIds()).toBe(dataIds);
    opt.dispose();
    w.dispose();
  });

  it('a moment that another tensor shares gets a new buffer: the other tensor keeps its values', async () => {
    await useBackend('wasm', { fixes: withFixes(['fused-adam', 'wasm-shared-identity', FIX]) });
    const opt = new FusedAdamOptimizer(0.01, 0.5, 0.999, 1e-7);
    const w = tf.variable(tf.randomUniform([9, 4], -1, 1, 'float32', 22));
    const step = () => tf.tidy(() => void opt.minimize(() => tf.sum(tf.square(w)) as tf.Scalar, false, [w]));
    step();
    const [m] = moments(opt) as [tf.Variable];
    const kept = tf.clone(m);
    expect(kept.dataId).toBe(m.dataId);
    const before = Array.from(kept.dataSync());
    step();
    expect(Array.from(kept.dataSync())).toEqual(before);
    expect(m.dataId).not.toBe(kept.dataId);
    expect(Array.from(m.dataSync())).not.toEqual(before);
    tf.dispose([kept, w]);
    opt.dispose();
  });

  it("the seed's MLP GAN trains to the same weights and moments on wasm, with every default fix", async () => {
    // The generator's weights and both optimizers' moments.
    const train = () =>
      trainTinyMlp(4, async (trainer) => [
        ...trainer.gan.generator.weights.map((w) => w.read()),
        ...(await trainer.generatorOptimizer.getWeights()).map((nt) => nt.tensor),
        ...(await trainer.discriminatorOptimizer.getWeights()).map((nt) => nt.tensor),
      ]);
    await useBackend('wasm', { fixes: { [FIX]: false } as never });
    const copying = await train();
    await useBackend('wasm');
    expect(getFix(FIX)?.isApplied()).toBe(true);
    expect(await train()).toEqual(copying);
  });

  it('off: every update writes new buffers', async () => {
    await useBackend('wasm', { fixes: withFixes(['fused-adam']) });
    expect(getFix(FIX)?.isApplied()).toBe(false);
    const opt = new FusedAdamOptimizer(0.01, 0.5, 0.999, 1e-7);
    const w = tf.variable(tf.ones([4, 3]));
    const step = () => tf.tidy(() => void opt.minimize(() => tf.sum(tf.square(w)) as tf.Scalar, false, [w]));
    step();
    const [m] = moments(opt) as [tf.Variable];
    const id = m.dataId;
    step();
    expect(m.dataId).not.toBe(id);
    opt.dispose();
    w.dispose();
  });
});
