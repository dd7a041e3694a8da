/**
 * Small Dense products of a training step in the library's WebAssembly SIMD GEMM on tfjs-wasm's
 * heap itself, for the fix `wasm-heap-matmul` (carried by the kernel of `wasm-transposed-matmul`):
 * - the forward product `x · W` (+ bias) that `wasm-simd-forward-matmul` (at most 64 rows) or
 *   `wasm-simd-matmul` (at least 64 terms per output, while it is on) would run in the same GEMM but
 *   in a memory of its own, copying both operands in and the result out; at batch 256 the seed
 *   MLP's step takes 1.07x less CPU time this way than with those copies;
 * - the weight gradient `xᵀ · dy` (`transposeA`), which `wasm-transposed-matmul` runs as a
 *   `Transpose` plus XNNPACK, which packs `dy` again;
 * - the input gradient `dy · Wᵀ` (`transposeB`) of at least 64 rows and 64 terms while
 *   `wasm-simd-matmul` is on, which that fix runs with `Wᵀ` transposed by a JavaScript loop into the
 *   GEMM's own memory; here `transposeInto` (4x4 SIMD blocks) writes it on the heap.
 * Here A is packed straight from the heap into the GEMM's 4-row panels by SIMD loops
 * (`packPanels`, `stridedPanels` in `wat/conv-columns.wat`), B is read where it lies, or copied
 * into padded rows where its width is not a multiple of 8 or a multiple of 64 (see paddedColumns),
 * and C lands in the output or in padded rows copied out. In a `--arch dcgan` step at batch 64 the
 * generator's `[64,100]·[100,6272]` and its weight gradient took 6 ms each of CPU time.
 *
 * Taken where the rows of C are a multiple of 4, batch 1, float32, linear activation, no PReLU, a
 * bias of N values or none, and (without `transposeA`) K a multiple of 4, with `transposeB` N too;
 * the rest keep the kernel's other paths. Each output is the float32 sum of its K products in k order, the
 * bias added last: the forward product has the same bits as `wasm-simd-forward-matmul`'s (the same
 * GEMM), the weight gradient equals XNNPACK's within float32 rounding.
 *
 * @packageDocumentation
 */
import type * as tf from '@tensorflow/tfjs-core';
import { paddedColumns, planOf } from './cpu-simd-matmul.js';
import { type HeapBackend, heapKernels, heapOutput, offsetOf, Scratch } from './wasm-heap.js';
import { relaxedOn } from './wasm-simd-gemm.js';

/** Which products {@link heapProduct} takes, by rows (M) and terms per output (K). */
export interface HeapTakes {
  /** Plain products `a · b` (+ bias). */
  forward(m: number, k: number): boolean;
  /** Input gradients `dy · Wᵀ` (`transposeB`). */
  transposedB(m: number, k: number): boolean;
}

/**
 * `a · b` (+ bias), `aᵀ · b` with `transposeA`, or `a · bᵀ` with `transposeB`, on the heap; null
 * where this path does not take the case (the caller runs its other paths). `takes` says which plain
 * and `transposeB` products to take; weight gradients (`transposeA`) are taken whatever their sizes.
 */
export function heapProduct(args: Parameters<tf.KernelFunc>[0], takes: HeapTakes): tf.TensorInfo | null {
  const backend = args.backend as unknown as HeapBackend;
  const attrs = (args.attrs ?? {}) as { transposeA?: boolean; transposeB?: boolean; activation?: string };
  const { a, b, bias, preluActivationWeights } = args.inputs as Record<string, tf.TensorInfo | undefined>;
  const tA = attrs.transposeA === true;
  const tB = attrs.transposeB === true;
  if (!a || !b || (tA && tB) || preluActivationWeights || (attrs.activation ?? 'linear') !== 'linear') return null;
  const p = planOf(a, b, tA, tB);
  if (p?.batch !== 1 || p.m % 4 !== 0) return null;
  if (tB && (p.k % 4 !== 0 || p.n % 4 !== 0 || !takes.transposedB(p.m, p.k))) return null;
  if (!tA && !tB && (p.k % 4 !== 0 || !takes.forward(p.m, p.k))) return null;
  const { m, k, n } = p;
  if (bias && (bias.dtype !== 'float32' || bias.shape.length !== 1 || bias.shape[0] !== n)) return null;
  const ks = heapKernels(backend);
  if (!ks) return null;
  const np = rowWidth(n, k);
  const direct = np === n;
  return heapOutput(backend, p.outShape, (out, scratch) => {
    const ap = scratch.alloc(m * k);
    // Bᵀ is transposed into the GEMM's row-major B; a plain B is read where it lies when its rows fit.
    const bp = direct && !tB ? offsetOf(backend, b) : scratch.alloc(k * np);
    const cp = direct ? offsetOf(backend, out) : scratch.alloc(m * np);
    // Views only after every allocation (which may grow the heap).
    const heap = new Float32Array(backend.wasm.HEAPU8.buffer);
    const src = offsetOf(backend, a);
    if (tA) ks.columns.stridedPanels(src, m / 4, k, m * 4, ap);
    else ks.columns.packPanels(src, m / 4, k, ap);
    if (tB) ks.columns.transposeInto(offsetOf(backend, b), n, k, bp, np * 4);
    else if (!direct) copyRows(heap, offsetOf(backend, b) >> 2, n, bp >> 2, np, k, n);
    ks.gemm(ap, bp, cp, m, k, np);
    const o = offsetOf(backend, out);
    if (!direct) copyRows(heap, cp >> 2, np, o >> 2, n, m, n);
    if (bias) {
      const bb = offsetOf(backend, bias);
      if (n % 4 === 0) ks.columns.addBias(o, m, n, bb);
      else {
        const bf = bb >> 2;
        for (let i = 0, at = o >> 2; i < m; i++, at += n) {
          for (let j = 0; j < n; j++) heap[at + j] = (heap[at + j] as number) + (heap[bf + j] as number);
        }
      }
    }
  });
}

/**
 * The row width, in floats, of B and C for a product of `n` columns and `k` terms. The plain GEMM
 * takes paddedColumns's width. The relaxed-SIMD GEMM copies each strip of B into a memory of its
 * own, reading k rows: there only rows of a power-of-two width walked at least 256 rows down get the
 * 8 more floats, and elsewhere B is read and C written in place, without the copies into and out of
 * padded rows, which cost more than they saved: on Node 24, [64,100]·[100,6272] ran 1.09x faster in
 * place and its weight gradient 1.26x, [32,512]·[512,1024] (padded) the same.
 */
function rowWidth(n: number, k: number): number {
  const padded = paddedColumns(n);
  if (!relaxedOn()) return padded;
  const powerOfTwo = (n & (n - 1)) === 0;
  return powerOfTwo && k >= 256 ? padded : Math.ceil(n / 8) * 8;
}

/** `rows` rows of `width` floats from `from` (rows `fromStride` apart) to `to` (rows `toStride` apart). */
function copyRows(
  heap: Float32Array,
  from: number,
  fromStride: number,
  to: number,
  toStride: number,
  rows: number,
  width: number,
): void {
  if (width === 1) {
    for (let i = 0; i < rows; i++) heap[to + i * toStride] = heap[from + i * fromStride] as number;
    return;
  }
  for (let i = 0; i < rows; i++)
    heap.copyWithin(to + i * toStride, from + i * fromStride, from + i * fromStride + width);
}
