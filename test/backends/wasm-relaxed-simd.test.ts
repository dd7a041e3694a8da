import * as tf from '@tensorflow/tfjs-core';
// Registers tfjs's gradients (tfjs-core alone does not).
import '@tensorflow/tfjs-layers';
import { getFix, useBackend } from 'ts-gan/backends';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { GemmMemory, gemmVariant, hasRelaxedSimd, setRelaxedSimd } from '../../src/backends/fixes/wasm-simd-gemm';
import { expectClose } from '../../test-shared/compare';
import { GEMM_TEST_SHAPES, pack, product, uniform } from '../support/gemm';

const FIX = 'wasm-relaxed-simd';
/** Node's major version: V8 enables relaxed SIMD by default from Node 22 on, not in Node 20. */
const NODE_MAJOR = Number(process.versions.node.split('.')[0]);
/** float32's unit roundoff. */
const U = 2 ** -24;

afterEach(() => setRelaxedSimd(false));
afterAll(async () => {
  await useBackend('wasm', { fixes: false });
  await useBackend('cpu', { fixes: false });
});

/** C = A·B (A m x k, B k x n, row-major) through the library's GEMM, packed as wat/gemm.wat expects. */
function runGemm(g: GemmMemory, a: Float32Array, b: Float32Array, m: number, k: number, n: number): Float32Array {
  const p = pack(a, b, m, k, n);
  const padded = product(g, p, k);
  const c = new Float32Array(m * n);
  for (let i = 0; i < m; i++) c.set(padded.subarray(i * p.np, i * p.np + n), i * n);
  return c;
}

/** The exact product (in float64, exact for these sizes up to float64 rounding) and Σ|a·b| per element. */
function reference(a: Float32Array, b: Float32Array, m: number, k: number, n: number) {
  const exact = new Float64Array(m * n);
  const magnitude = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      let abs = 0;
      for (let kk = 0; kk < k; kk++) {
        const p = (a[i * k + kk] as number) * (b[kk * n + j] as number);
        s += p;
        abs += Math.abs(p);
      }
      exact[i * n + j] = s;
      magnitude[i * n + j] = abs;
    }
  }
  return { exact, magnitude };
}

function gemmMemory(): GemmMemory {
  const g = GemmMemory.create();
  if (!g) throw new Error('the SIMD GEMM could not be built');
  return g;
}

describe('relaxed-SIMD detection', () => {
  it(`says ${NODE_MAJOR >= 22 ? 'present' : 'absent'} on Node ${NODE_MAJOR}, and the GEMM variant follows it`, () => {
    expect(hasRelaxedSimd()).toBe(NODE_MAJOR >= 22);
    setRelaxedSimd(true);
    expect(gemmVariant()).toBe(NODE_MAJOR >= 22 ? 'relaxed-simd' : 'simd');
    setRelaxedSimd(false);
    expect(gemmVariant()).toBe('simd');
  });
});

describe('the relaxed-SIMD GEMM', () => {
  for (const [m, k, n] of GEMM_TEST_SHAPES) {
    it(`[${m},${k}]·[${k},${n}]: both paths within the FMA tolerance of each other and of the exact product`, () => {
      const g = gemmMemory();
      const a = uniform(m * k, 1 + m);
      const b = uniform(k * n, 2 + n);
      setRelaxedSimd(false);
      const plain = runGemm(g, a, b, m, k, n);
      setRelaxedSimd(true);
      const relaxed = runGemm(g, a, b, m, k, n);
      const { exact, magnitude } = reference(a, b, m, k, n);
      // A float32 dot product of K terms, summed in order with or without fused products, is within
      // γ_K Σ|a·b| of the exact one (γ_K = K·u / (1 - K·u), u = 2^-24); so the paths differ by at most twice that.
      const gamma = (k * U) / (1 - k * U);
      for (let i = 0; i < m * n; i++) {
        const bound = gamma * (magnitude[i] as number);
        expect(Math.abs((plain[i] as number) - (exact[i] as number))).toBeLessThanOrEqual(bound);
        expect(Math.abs((relaxed[i] as number) - (exact[i] as number))).toBeLessThanOrEqual(bound);
        expect(Math.abs((relaxed[i] as number) - (plain[i] as number))).toBeLessThanOrEqual(2 * bound);
      }
    });
  }

  it(`${NODE_MAJOR >= 22 ? 'fuses' : 'is absent, so the plain path runs'}: a product whose rounding decides the result`, () => {
    // k = 0 puts -(1 + 2^-11) in the sum; k = 1 adds (1 + 2^-12)², exactly 1 + 2^-11 + 2^-24. Rounded
    // to float32 first (a tie, to even) that product is 1 + 2^-11 and the sum 0; fused, the sum is 2^-24.
    const a = new Float32Array([-(1 + 2 ** -11), 1 + 2 ** -12]);
    const b = new Float32Array([1, 1 + 2 ** -12]);
    const g = gemmMemory();
    setRelaxedSimd(false);
    expect(runGemm(g, a, b, 1, 2, 1)[0]).toBe(0);
    setRelaxedSimd(true);
    // Every x86-64 CPU with FMA3 and every arm64 CPU fuses; V8 emits the fused instruction there.
    expect(runGemm(g, a, b, 1, 2, 1)[0]).toBe(NODE_MAJOR >= 22 ? 2 ** -24 : 0);
  });
});

describe("the GEMM's cache blocking", () => {
  /** A·B summed in float32 in k order, one product rounded, then one sum rounded: the plain module's arithmetic. */
  function float32Reference(a: Float32Array, b: Float32Array, m: number, k: number, n: number): Float32Array {
    const c = new Float32Array(m * n);
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let kk = 0; kk < k; kk++)
          s = Math.fround(s + Math.fround((a[i * k + kk] as number) * (b[kk * n + j] as number)));
        c[i * n + j] = s;
      }
    }
    return c;
  }

  // K blocks are 256 long in the plain module, row blocks 128 rows: these cross both, with tails, and
  // one block exactly.
  const shapes: [number, number, number][] = [
    [261, 600, 20],
    [132, 257, 9],
    [128, 256, 8],
    [3, 1030, 17],
  ];
  for (const [m, k, n] of shapes) {
    it(`[${m},${k}]·[${k},${n}]: the plain module gives the bits of an unblocked float32 sum in k order`, () => {
      const g = gemmMemory();
      const a = uniform(m * k, 3 + m);
      const b = uniform(k * n, 4 + n);
      setRelaxedSimd(false);
      expect(runGemm(g, a, b, m, k, n)).toEqual(float32Reference(a, b, m, k, n));
    });
  }
});

/** Float32 sums of up to a few thousand products, against tfjs-cpu's float64 blocks: relative to the largest value. */
const TOL = 2e-5;
const rand = (shape: number[], seed: number) => tf.randomUniform(shape, -1, 1, 'float32', seed);

/** A Dense forward pass at batch 32 and the two gradients of a strided convolution, read back. */
function products(): number[] {
  return tf.tidy(() => {
    const y = tf.fused.matMul({ a: rand([32, 100], 1) as tf.Tensor2D, b: rand([100, 256], 2) as tf.Tensor2D });
    const x = rand([3, 8, 8, 16], 3);
    const w = rand([4, 4, 16, 32], 4);
    const dy = rand([3, 4, 4, 32], 5);
    const attrs = { strides: 2, pad: 'same', dataFormat: 'NHWC' };
    const dx = tf.engine().runKernel('Conv2DBackpropInput', { dy, filter: w }, { ...attrs, inputShape: x.shape });
    const dw = tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { ...attrs, filterShape: w.shape });
    return [y, dx as tf.Tensor, dw as tf.Tensor].flatMap((t) => Array.from(t.dataSync()));
  });
}

describe('the wasm-relaxed-simd fix', () => {
  for (const backend of ['wasm', 'cpu'] as const) {
    it(`${backend}: on where the engine has relaxed SIMD, off by name; both paths equal tfjs-cpu within float32 rounding`, async () => {
      await useBackend('cpu', { fixes: false });
      const reference = products();

      const off = await useBackend(backend, { fixes: { [FIX]: false } });
      expect(off.fixes).not.toContain(FIX);
      expect(gemmVariant()).toBe('simd');
      const plain = products();

      const on = await useBackend(backend);
      expect(on.fixes.includes(FIX)).toBe(hasRelaxedSimd());
      expect(getFix(FIX)?.isApplied()).toBe(hasRelaxedSimd());
      expect(gemmVariant()).toBe(hasRelaxedSimd() ? 'relaxed-simd' : 'simd');
      const before = tf.memory().numTensors;
      const relaxed = products();
      expect(tf.memory().numTensors).toBe(before);

      expectClose(plain, reference, TOL);
      expectClose(relaxed, reference, TOL);
      // The fused products round differently somewhere in 40,000 outputs: the relaxed module ran.
      if (hasRelaxedSimd()) expect(relaxed).not.toEqual(plain);
      else expect(relaxed).toEqual(plain);
    });
  }
});
