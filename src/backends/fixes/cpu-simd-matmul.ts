/**
 * cpu `BatchMatMul` and `_FusedMatMul` in WebAssembly SIMD. tfjs-backend-cpu 4.22 multiplies
 * matrices in scalar JavaScript, which dominates a training step on that backend (a rewritten
 * JavaScript loop was no faster). This fix runs the product in the WebAssembly SIMD float32 GEMM of
 * `wasm-simd-gemm.ts`, in a WebAssembly memory of its own: the operands are packed into it
 * (transposes resolved while copying, so the micro-kernel only does the plain case), the product
 * computed, the result copied out. `_FusedMatMul` then adds the bias and applies the activation
 * with the same float32 roundings as tfjs-cpu's Add and activation kernels.
 *
 * Anything it does not handle goes to the original kernel: dtypes other than float32, empty
 * shapes, batch shapes other than equal or one side 1, bias or PReLU weights that are not a
 * scalar or a row of N, unknown activations. Where WebAssembly SIMD is missing the fix does not
 * apply at all.
 *
 * Numerics: each output is summed in float32 in k order, where tfjs-cpu sums blocks of 48 terms in
 * float64; the two agree within float32 rounding of a sum of K products
 * (|difference| <= K * 2^-23 * max|a| * max|b| in the worst case, far less in practice).
 *
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import type { BackendFix } from './fix.js';
import { type CpuBackendLike, isReplaced, replaceKernel, restoreKernel } from './kernels.js';
import { GemmMemory, hasWasmSimd, threadedGemm } from './wasm-simd-gemm.js';

const BACKEND = 'cpu';
const KERNELS = ['BatchMatMul', '_FusedMatMul'] as const;
/** Largest working set the fix takes on (bytes of packed A, B and C); bigger products go to tfjs. */
const MAX_BYTES = 1 << 30;

interface KernelArgs {
  inputs: tf.NamedTensorInfoMap;
  backend: unknown;
  attrs?: tf.NamedAttrMap;
}

/** The GEMM and its memory, built on first use; null where it cannot be built. */
let gemmMemory: GemmMemory | null | undefined;

/**
 * The GEMM and its memory (shared with `wasm-simd-forward-matmul`): the threaded GEMM's shared
 * memory while `wasm-threaded-gemm` is on, else the one-thread module's own.
 */
export function gemm(): GemmMemory | null {
  const pool = threadedGemm();
  if (pool) return pool.memory;
  if (gemmMemory === undefined) gemmMemory = GemmMemory.create();
  return gemmMemory;
}

/** Bytes of the GEMM's WebAssembly memory (0 before first use). For tests of growth. */
export function cpuSimdMatMulMemoryBytes(): number {
  return gemmMemory ? gemmMemory.byteLength : 0;
}

/** Sizes of one product, or null when the fix leaves it to tfjs. */
export interface Plan {
  batch: number;
  batchA: number;
  batchB: number;
  m: number;
  k: number;
  n: number;
  outShape: number[];
}

export function planOf(a: tf.TensorInfo, b: tf.TensorInfo, transposeA: boolean, transposeB: boolean): Plan | null {
  if (a.dtype !== 'float32' || b.dtype !== 'float32') return null;
  const ra = a.shape.length;
  const rb = b.shape.length;
  if (ra < 2 || rb < 2) return null;
  const [a0, a1] = a.shape.slice(-2) as [number, number];
  const [b0, b1] = b.shape.slice(-2) as [number, number];
  const m = transposeA ? a1 : a0;
  const k = transposeA ? a0 : a1;
  const n = transposeB ? b0 : b1;
  if (k !== (transposeB ? b1 : b0)) return null; // tfjs throws its own message
  const batchA = tf.util.sizeFromShape(a.shape.slice(0, -2));
  const batchB = tf.util.sizeFromShape(b.shape.slice(0, -2));
  let outer: number[];
  try {
    outer = tf.broadcast_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
  } catch {
    return null;
  }
  const batch = Math.max(batchA, batchB);
  if (batchA !== batchB && batchA !== 1 && batchB !== 1) return null;
  if (tf.util.sizeFromShape(outer) !== batch) return null;
  if (m === 0 || k === 0 || n === 0 || batch === 0) return null;
  if (4 * (roundUp(m, 4) * (k + paddedColumns(n)) + k * paddedColumns(n)) > MAX_BYTES) return null;
  return { batch, batchA, batchB, m, k, n, outShape: [...outer, m, n] };
}

/**
 * Floats per row of packed B and of C: N rounded up to 8, plus 8 more when a row would be a
 * multiple of 256 bytes. Rows 2^k bytes apart all fall in the same few cache sets, and the k loop
 * walks down a column strip: N = 512 or 1024 ran at a third of the speed of N = 784 without this.
 */
export function paddedColumns(n: number): number {
  const np = roundUp(n, 8);
  return np % 64 === 0 ? np + 8 : np;
}

function roundUp(x: number, to: number): number {
  return Math.ceil(x / to) * to;
}

/** Packs one A matrix (m x k, or k x m when transposed) into 4-row panels at `base`. */
function packA(f: Float32Array, base: number, src: Float32Array, off: number, m: number, k: number, t: boolean): void {
  if (!t) {
    for (let i = 0; i < m; i++) {
      let d = base + (i >> 2) * k * 4 + (i & 3);
      const s = off + i * k;
      for (let kk = 0; kk < k; kk++, d += 4) f[d] = src[s + kk] as number;
    }
  } else {
    for (let kk = 0; kk < k; kk++) {
      const s = off + kk * m;
      for (let i = 0; i < m; i++) f[base + ((i >> 2) * k + kk) * 4 + (i & 3)] = src[s + i] as number;
    }
  }
  // Padding rows of the last panel: zeros (they reach only padding rows of C).
  for (let i = m; i < roundUp(m, 4); i++) {
    let d = base + (i >> 2) * k * 4 + (i & 3);
    for (let kk = 0; kk < k; kk++, d += 4) f[d] = 0;
  }
}

/** Packs one B matrix (k x n, or n x k when transposed) row-major with rows of `np` floats at `base`. */
function packB(
  f: Float32Array,
  base: number,
  src: Float32Array,
  off: number,
  k: number,
  n: number,
  np: number,
  t: boolean,
): void {
  if (!t) {
    if (n === np) f.set(src.subarray(off, off + k * n), base);
    else for (let kk = 0; kk < k; kk++) f.set(src.subarray(off + kk * n, off + kk * n + n), base + kk * np);
  } else {
    for (let j = 0; j < n; j++) {
      const s = off + j * k;
      let d = base + j;
      for (let kk = 0; kk < k; kk++, d += np) f[d] = src[s + kk] as number;
    }
  }
  if (n < np) for (let kk = 0; kk < k; kk++) f.fill(0, base + kk * np + n, base + kk * np + np);
}

/**
 * Where the product of one batch is: `f` is the GEMM's memory, C's row i starts at `cBase + i * np`,
 * and only its first `n` floats are C's.
 */
export type ProductRows = (f: Float32Array, cBase: number, np: number, batch: number) => void;

/**
 * Computes every batch's product and hands each to `take` while it is in the GEMM's memory; false
 * when that memory cannot grow far enough (the caller then runs tfjs's kernel).
 */
export function productRows(
  g: GemmMemory,
  p: Plan,
  av: Float32Array,
  bv: Float32Array,
  ta: boolean,
  tb: boolean,
  take: ProductRows,
): boolean {
  const { batch, batchA, batchB, m, k, n } = p;
  const mp = roundUp(m, 4);
  const np = paddedColumns(n);
  const aBase = 0;
  const bBase = mp * k;
  const cBase = bBase + k * np;
  try {
    g.reserve(4 * (cBase + mp * np));
  } catch {
    return false; // RangeError: the engine refused to grow the memory
  }
  const f = g.floats();
  for (let bi = 0; bi < batch; bi++) {
    if (bi === 0 || batchA > 1) packA(f, aBase, av, (bi % batchA) * m * k, m, k, ta);
    if (bi === 0 || batchB > 1) packB(f, bBase, bv, (bi % batchB) * k * n, k, n, np, tb);
    g.gemm(4 * aBase, 4 * bBase, 4 * cBase, mp, k, np);
    take(f, cBase, np, bi);
  }
  return true;
}

/**
 * Copies C's rows from the GEMM's memory to `out` at `offset`, adding `bias` (a row of n) if given:
 * a float32 sum, as tfjs's Add kernel rounds it.
 */
export function copyRows(
  f: Float32Array,
  cBase: number,
  np: number,
  m: number,
  n: number,
  out: Float32Array,
  offset: number,
  bias: Float32Array | null,
): void {
  if (!bias && n === np) {
    out.set(f.subarray(cBase, cBase + m * n), offset);
    return;
  }
  for (let i = 0; i < m; i++) {
    const s = cBase + i * np;
    const d = offset + i * n;
    if (!bias) out.set(f.subarray(s, s + n), d);
    else for (let j = 0; j < n; j++) out[d + j] = (f[s + j] as number) + (bias[j] as number);
  }
}

/**
 * The product of every batch, as a fresh Float32Array of `batch * m * n` floats; null when the
 * GEMM's memory cannot grow that far (the caller then runs tfjs's kernel).
 */
export function product(
  g: GemmMemory,
  p: Plan,
  av: Float32Array,
  bv: Float32Array,
  ta: boolean,
  tb: boolean,
): Float32Array | null {
  const out = new Float32Array(p.batch * p.m * p.n);
  const done = productRows(g, p, av, bv, ta, tb, (f, cBase, np, bi) =>
    copyRows(f, cBase, np, p.m, p.n, out, bi * p.m * p.n, null),
  );
  return done ? out : null;
}

function float32Values(backend: CpuBackendLike, t: tf.TensorInfo): Float32Array | null {
  const v = backend.data.get(t.dataId).values;
  return v instanceof Float32Array ? v : null;
}

/** A bias or PReLU weight the fix handles: float32, every dimension 1 except a last of N (or 1). */
function rowOf(backend: CpuBackendLike, t: tf.TensorInfo | undefined, outRank: number, n: number): Float32Array | null {
  if (!t) return null;
  if (t.dtype !== 'float32' || t.shape.length > outRank) return null;
  const last = t.shape.length === 0 ? 1 : (t.shape[t.shape.length - 1] as number);
  if (last !== n && last !== 1) return null;
  if (t.shape.slice(0, -1).some((d) => d !== 1)) return null;
  return float32Values(backend, t);
}

type Activation = (x: number, j: number) => number;

/** The activations of tfjs-cpu's `applyActivation`, element by element, or null for others. */
function activationOf(attrs: tf.NamedAttrMap, alphaRow: Float32Array | null): Activation | null {
  const name = (attrs.activation as string | undefined) ?? 'linear';
  switch (name) {
    case 'linear':
      return (x) => x;
    case 'relu':
      return (x) => Math.max(0, x);
    case 'relu6':
      return (x) => Math.min(Math.max(0, x), 6);
    case 'elu':
      return (x) => (x >= 0 ? x : Math.exp(x) - 1);
    case 'sigmoid':
      return (x) => 1 / (1 + Math.exp(-x));
    case 'leakyrelu': {
      const alpha = attrs.leakyreluAlpha;
      if (typeof alpha !== 'number') return null;
      return (x) => (x < 0 ? alpha * x : x);
    }
    case 'prelu': {
      if (!alphaRow) return null;
      const w = alphaRow;
      if (w.length === 1) {
        const a = w[0] as number;
        return (x) => (x < 0 ? a * x : x);
      }
      return (x, j) => (x < 0 ? (w[j] as number) * x : x);
    }
    default:
      return null;
  }
}

function batchMatMulKernel(original: tf.KernelConfig | undefined): tf.KernelFunc {
  return (args) => {
    const { inputs, attrs } = args as unknown as KernelArgs;
    const backend = args.backend as unknown as CpuBackendLike;
    const { a, b } = inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    const ta = Boolean(attrs?.transposeA);
    const tb = Boolean(attrs?.transposeB);
    const g = gemm();
    const p = planOf(a, b, ta, tb);
    const av = p && float32Values(backend, a);
    const bv = p && float32Values(backend, b);
    if (!g || !p || !av || !bv) return callOriginal(original, 'BatchMatMul', args);
    const out = product(g, p, av, bv, ta, tb);
    if (!out) return callOriginal(original, 'BatchMatMul', args);
    return backend.makeTensorInfo(p.outShape, 'float32', out);
  };
}

function fusedMatMulKernel(original: tf.KernelConfig | undefined): tf.KernelFunc {
  return (args) => {
    const { inputs } = args as unknown as KernelArgs;
    const attrs = (args.attrs ?? {}) as tf.NamedAttrMap;
    const backend = args.backend as unknown as CpuBackendLike;
    const { a, b, bias, preluActivationWeights } = inputs as Record<string, tf.TensorInfo | undefined>;
    const ta = Boolean(attrs.transposeA);
    const tb = Boolean(attrs.transposeB);
    const g = gemm();
    const p = a && b ? planOf(a, b, ta, tb) : null;
    const av = p && a ? float32Values(backend, a) : null;
    const bv = p && b ? float32Values(backend, b) : null;
    if (!g || !p || !av || !bv) return callOriginal(original, '_FusedMatMul', args);
    const rank = p.outShape.length;
    const biasRow = bias ? rowOf(backend, bias, rank, p.n) : null;
    const alphaRow = preluActivationWeights ? rowOf(backend, preluActivationWeights, rank, p.n) : null;
    const act = activationOf(attrs, alphaRow);
    if ((bias && !biasRow) || !act) return callOriginal(original, '_FusedMatMul', args);
    const out = product(g, p, av, bv, ta, tb);
    if (!out) return callOriginal(original, '_FusedMatMul', args);
    const linear = (attrs.activation ?? 'linear') === 'linear';
    if (biasRow || !linear) epilogue(out, p.n, biasRow, linear ? null : act);
    return backend.makeTensorInfo(p.outShape, 'float32', out);
  };
}

/**
 * Adds the bias (rounded to float32, as tfjs's Add kernel stores it) and applies the activation
 * (computed in float64 from the float32 sum and stored as float32, as tfjs-cpu's kernels do).
 */
export function epilogue(out: Float32Array, n: number, bias: Float32Array | null, act: Activation | null): void {
  const f = Math.fround;
  const scalarBias = bias !== null && bias.length === 1 ? (bias[0] as number) : null;
  for (let i = 0; i < out.length; i += n) {
    for (let j = 0; j < n; j++) {
      let x = out[i + j] as number;
      if (bias) x = f(x + (scalarBias ?? (bias[j] as number)));
      if (act) x = act(x, j);
      out[i + j] = x;
    }
  }
}

function callOriginal(original: tf.KernelConfig | undefined, name: string, args: Parameters<tf.KernelFunc>[0]) {
  if (!original) throw new Error(`ts-gan backend fix: ${name} is not registered on ${BACKEND}.`);
  return original.kernelFunc(args);
}

/** The fix object used by `useBackend`. */
export const cpuSimdMatMulFix: BackendFix = {
  name: 'cpu-simd-matmul',
  description:
    'cpu BatchMatMul/_FusedMatMul run as a WebAssembly SIMD float32 GEMM (4x8 register blocks) instead of scalar JavaScript; not applied where WebAssembly SIMD is missing.',
  backends: [BACKEND],
  apply: () => {
    // Without WebAssembly SIMD (or without the cpu kernels) nothing is replaced: isApplied() stays false.
    if (!hasWasmSimd() || !gemm()) return;
    if (tf.getKernel('BatchMatMul', BACKEND)) replaceKernel('BatchMatMul', BACKEND, batchMatMulKernel);
    if (tf.getKernel('_FusedMatMul', BACKEND)) replaceKernel('_FusedMatMul', BACKEND, fusedMatMulKernel);
  },
  remove: () => {
    for (const k of KERNELS) restoreKernel(k, BACKEND);
  },
  isApplied: () => isReplaced('BatchMatMul', BACKEND),
};
