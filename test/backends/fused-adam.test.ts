import * as tf from '@tensorflow/tfjs-core';
// tfjs-layers registers the gradients of tfjs-core's ops.
import '@tensorflow/tfjs-layers';
import { FIX_NAMES, getFix, useBackend } from 'ts-gan/backends';
import { afterAll, describe, expect, it } from 'vitest';
import { simdAdamFor } from '../../src/backends/fixes/wasm-simd-adam.js';
import { FusedAdamOptimizer } from '../../src/kernels/fused-adam-optimizer.js';

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
