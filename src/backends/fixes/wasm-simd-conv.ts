/**
 * The two convolution gradients of the wasm backend in the library's WebAssembly SIMD GEMM
 * (`wasm-simd-gemm.ts`, shared with `cpu-simd-matmul`), for the fixes
 * `wasm-simd-conv2d-backprop-input` and `wasm-simd-conv2d-backprop-filter`.
 *
 * The JavaScript paths they replace (`wasm-conv2d-backprop-input`, `wasm-conv2d-backprop-filter`)
 * build a column tensor on the tfjs heap in JavaScript and call XNNPACK's `BatchMatMul`, which
 * packs both operands again; in a DCGAN step the whole kernel ran at about half the GEMM's speed.
 * Here the GEMM runs on tfjs-wasm's heap itself (an instance of its module that imports that
 * memory), the operands are packed once in the panel layout its micro-kernel reads, im2col and
 * col2im are SIMD loops (`wat/conv-columns.wat`) driven by a table of pixel offsets cached per
 * shape, and the pixels go in chunks of a few hundred rows so that a chunk's operands stay in cache:
 * - input gradient (conv-transpose forward): cols[M, K] = dy[M, Cout] · Wᵀ[Cout, K], then col2im
 *   adds each row into dx, chunk by chunk (M = batch·outH·outW, K = fh·fw·Cin);
 * - filter gradient: dW[K, Cout] = colsᵀ[K, M] · dy[M, Cout], with colsᵀ packed directly as the
 *   GEMM's row panels (im2col), summed over chunks; with padding, by padding class without the
 *   products of padding taps (`wasm-simd-conv-filter-classes.ts`).
 *
 * One channel (a grayscale image) takes scalar loops in WAT (`gatherPanels1` where the taps are a
 * multiple of 4, `scatterAdd1`); other channel counts that are not a multiple of 4 take a
 * JavaScript im2col in the filter gradient and stay on the previous kernel in the input gradient. NHWC float32 only: the
 * callers keep the other cases, and engines where the modules cannot use tfjs's memory (a shared
 * one), on their previous kernels. Each output is a float32 sum of the same products as before in
 * another order: equal within float32 rounding.
 *
 * @packageDocumentation
 */
import type * as tf from '@tensorflow/tfjs-core';
import { tapClasses } from './conv-tap-classes.js';
import { paddedColumns } from './cpu-simd-matmul.js';
import { type HeapBackend, heapKernels, heapOutput, offsetOf, pixelTable, Scratch } from './wasm-heap.js';
import { classFilterGradient, filterGradientClasses } from './wasm-simd-conv-filter-classes.js';
import { backpropInputByClass } from './wasm-simd-conv-input-classes.js';

/** Output pixels per chunk: a chunk's packed operands (about 0.5 MiB at 512 columns) stay in L2; 128 to 512 measured alike. */
const CHUNK_ROWS = 256;
let chunkRows = CHUNK_ROWS;

/**
 * Whether the filter gradient reads dy in place as the GEMM's B (the fix
 * `wasm-simd-conv2d-backprop-filter-direct`): copying its rows into padded ones (see paddedColumns)
 * cost more than the cache conflicts it avoids, 1.5 → 0.85 ms for the DCGAN's grayscale layer and
 * 20.8 → 18.9 ms for its 64 → 128-channel layer at batch 64.
 */
let dyInPlace = false;

/** Turns reading dy in place on or off (the fix `wasm-simd-conv2d-backprop-filter-direct`). */
export function setFilterGradientDyInPlace(on: boolean): void {
  dyInPlace = on;
}

/** Whether the filter gradient reads dy in place now. */
export function filterGradientDyInPlace(): boolean {
  return dyInPlace;
}

/**
 * Whether the input gradient leaves out the products of taps that fall in the padding (the fix
 * `wasm-simd-conv2d-backprop-input-skip-padding`), a padding class of dy's pixels at a time (see
 * `conv-tap-classes.ts`).
 */
let inputSkipsPadding = false;

/** Turns the input gradient's padding skip on or off (the fix `wasm-simd-conv2d-backprop-input-skip-padding`). */
export function setInputGradientSkipPadding(on: boolean): void {
  inputSkipsPadding = on;
}

/** Whether the input gradient skips padding taps now. */
export function inputGradientSkipsPadding(): boolean {
  return inputSkipsPadding;
}

/** For tests: fewer rows per chunk force many chunks (rounded down to a multiple of 4, at least 4). Returns the previous value. */
export function setSimdConvChunkRows(rows: number): number {
  const previous = chunkRows;
  chunkRows = Math.max(4, Math.floor(rows / 4) * 4);
  return previous;
}

const roundUp = (x: number, to: number) => Math.ceil(x / to) * to;

/**
 * The input gradient dx `[N, H, W, Cin]` of a convolution from dy `[N, OH, OW, Cout]` and its
 * filter `[FH, FW, Cin, Cout]`, or null where the heap kernels are unavailable.
 */
export function simdBackpropInput(
  backend: HeapBackend,
  dy: tf.TensorInfo,
  filter: tf.TensorInfo,
  c: tf.backend_util.Conv2DInfo,
): tf.TensorInfo | null {
  const ks = heapKernels(backend);
  const cin = c.inChannels;
  const cout = c.outChannels;
  const taps = c.filterHeight * c.filterWidth;
  const k = taps * cin;
  const m = c.batchSize * c.outHeight * c.outWidth;
  // Other channel counts than 1 and multiples of 4 stay with the caller's kernel: a col2im in
  // JavaScript measured slower than XNNPACK's product plus that kernel's col2im.
  if (!ks || m === 0 || (cin % 4 !== 0 && cin !== 1)) return null;
  // One input channel (a grayscale layer) keeps the path with the padding taps: its classes are a
  // few columns wide, and going class by class measured slower (1.17 against 1.12 ms for the
  // DCGAN's 14x14x64 -> 28x28x1 layer at batch 64).
  if (inputSkipsPadding && cout % 4 === 0 && cin % 4 === 0) {
    const classes = tapClasses(c);
    if (classes.length > 1) return backpropInputByClass(backend, ks, dy, filter, c, classes, chunkRows);
  }
  const np = paddedColumns(k);
  const mp = Math.min(chunkRows, roundUp(m, 4));
  return heapOutput(backend, [c.batchSize, c.inHeight, c.inWidth, cin], (out, scratch) => {
    const b = scratch.alloc(cout * np);
    const a = scratch.alloc(mp * cout);
    const cc = scratch.alloc(mp * np);
    const table = scratch.alloc(mp * taps, 'int32');
    // Views only after every allocation (which may grow the heap).
    const heap = new Float32Array(backend.wasm.HEAPU8.buffer);
    const tv = new Int32Array(heap.buffer, table, mp * taps);
    const pixels = pixelTable(c);
    const dx = offsetOf(backend, out) >> 2;
    heap.fill(0, dx, dx + c.batchSize * c.inHeight * c.inWidth * cin);
    // B = Wᵀ: row d holds w[kk][d] (the filter read as [K, Cout]). Its padding columns reach only
    // padding columns of C, which col2im never reads.
    if (k % 4 === 0 && cout % 4 === 0) ks.columns.transposeInto(offsetOf(backend, filter), k, cout, b, np * 4);
    else {
      const w = offsetOf(backend, filter) >> 2;
      for (let kk = 0; kk < k; kk++) {
        const src = w + kk * cout;
        for (let d = 0; d < cout; d++) heap[(b >> 2) + d * np + kk] = heap[src + d] as number;
      }
    }
    const dyf = offsetOf(backend, dy) >> 2;
    for (let m0 = 0; m0 < m; m0 += mp) {
      const rows = Math.min(mp, m - m0);
      // A = dy rows in 4-row panels, a[(p*Cout + d)*4 + r] = dy[m0 + 4p + r][d]: whole panels in
      // SIMD where Cout is a multiple of 4, the rest here. Rows past `rows` in the last panel hold
      // stale values: they reach only padding rows of C.
      const simdRows = cout % 4 === 0 ? rows & ~3 : 0;
      if (simdRows > 0) ks.columns.packPanels((dyf + m0 * cout) << 2, simdRows >> 2, cout, a);
      for (let i = simdRows; i < rows; i++) {
        let dst = (a >> 2) + (i >> 2) * cout * 4 + (i & 3);
        const src = dyf + (m0 + i) * cout;
        for (let d = 0; d < cout; d++, dst += 4) heap[dst] = heap[src + d] as number;
      }
      ks.gemm(a, b, cc, roundUp(rows, 4), cout, np);
      tv.set(pixels.subarray(m0 * taps, (m0 + rows) * taps));
      if (cin === 1) ks.columns.scatterAdd1(cc, np * 4, table, taps, rows, dx << 2);
      else ks.columns.scatterAdd(cc, np * 4, table, taps, rows, cin * 4, dx << 2);
    }
  });
}

/**
 * The filter gradient dW `[FH, FW, Cin, Cout]` of a convolution from its input x `[N, H, W, Cin]`
 * and dy `[N, OH, OW, Cout]`, or null where the heap kernels are unavailable.
 */
export function simdBackpropFilter(
  backend: HeapBackend,
  x: tf.TensorInfo,
  dy: tf.TensorInfo,
  filterShape: readonly number[],
  c: tf.backend_util.Conv2DInfo,
): tf.TensorInfo | null {
  const ks = heapKernels(backend);
  const cin = c.inChannels;
  const cout = c.outChannels;
  const taps = c.filterHeight * c.filterWidth;
  const k = taps * cin;
  const m = c.batchSize * c.outHeight * c.outWidth;
  if (!ks || m === 0) return null;
  // Without the products of padding taps, by padding class (the fix
  // `wasm-simd-conv2d-backprop-filter-skip-padding`), where some pixel reads the padding.
  const classes = filterGradientClasses(c);
  if (classes) return classFilterGradient(backend, ks, x, dy, filterShape, c, classes, chunkRows);
  const kp = roundUp(k, 4);
  // dy's rows are the GEMM's B as they lie where Cout is a multiple of 8 (the fix
  // `wasm-simd-conv2d-backprop-filter-direct`); otherwise they are copied into padded rows.
  const direct = dyInPlace && cout % 8 === 0;
  const np = direct ? cout : paddedColumns(cout);
  const mc = Math.min(chunkRows, m);
  return heapOutput(backend, [...filterShape], (out, scratch) => {
    const a = scratch.alloc(kp * mc);
    const b = direct ? -1 : scratch.alloc(mc * np);
    const cc = scratch.alloc(kp * np);
    // Table-driven im2col in WAT: channel groups of 4, or one channel with taps a multiple of 4.
    const gray = cin === 1 && taps % 4 === 0;
    const table = cin % 4 === 0 || gray ? scratch.alloc(mc * taps, 'int32') : -1;
    // Views only after every allocation (which may grow the heap).
    const heap = new Float32Array(backend.wasm.HEAPU8.buffer);
    const tv = table >= 0 ? new Int32Array(heap.buffer, table, mc * taps) : null;
    const pixels = tv ? pixelTable(c) : null;
    const xf = offsetOf(backend, x);
    const dyf = offsetOf(backend, dy) >> 2;
    const dw = offsetOf(backend, out) >> 2;
    for (let m0 = 0; m0 < m; m0 += mc) {
      const rows = Math.min(mc, m - m0);
      if (tv && pixels) {
        tv.set(pixels.subarray(m0 * taps, (m0 + rows) * taps));
        if (gray) ks.columns.gatherPanels1(xf, table, taps, rows, a);
        else ks.columns.gatherPanels(xf, table, taps, rows, cin / 4, a);
      } else packColumnPanels(heap, a >> 2, xf >> 2, c, m0, rows);
      // B = the chunk's dy rows, in place or copied `np` floats apart (padding columns reach only
      // padding columns of C).
      if (!direct) {
        for (let i = 0; i < rows; i++) {
          const src = dyf + (m0 + i) * cout;
          heap.copyWithin((b >> 2) + i * np, src, src + cout);
        }
      }
      ks.gemm(a, direct ? (dyf + m0 * cout) << 2 : b, cc, kp, rows, np);
      // The chunks' sums added in chunk order (SIMD where Cout is a multiple of 4): the same additions.
      if (m0 > 0 && cout % 4 === 0) ks.columns.addRows(cc, np * 4, k, cout, dw << 2);
      else {
        for (let kk = 0; kk < k; kk++) {
          const src = (cc >> 2) + kk * np;
          const dst = dw + kk * cout;
          if (m0 === 0) heap.copyWithin(dst, src, src + cout);
          else for (let d = 0; d < cout; d++) heap[dst + d] = (heap[dst + d] as number) + (heap[src + d] as number);
        }
      }
    }
  });
}

/**
 * im2col, transposed, into the GEMM's row panels, in JavaScript (any channel count):
 * a[(p*rows + i)*4 + r] = cols[m0 + i][4p + r], where cols[(n, oh, ow)][(fh*FW + fw)*Cin + ci] =
 * x[n, oh*sh - top + fh, ow*sw - left + fw, ci] (0 in the padding). Lanes past K in the last panel
 * hold stale values: they reach only padding rows of C. `aBase` and `x` are float offsets into `heap`.
 */
function packColumnPanels(
  heap: Float32Array,
  aBase: number,
  x: number,
  c: tf.backend_util.Conv2DInfo,
  m0: number,
  rows: number,
): void {
  const { inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW } = c;
  const { filterHeight: FH, filterWidth: FW, strideHeight: sh, strideWidth: sw } = c;
  const { top, left } = c.padInfo;
  let ow = m0 % OW;
  let oh = Math.floor(m0 / OW) % OH;
  let n = Math.floor(m0 / (OW * OH));
  const panelStride = rows * 4;
  for (let i = 0; i < rows; i++) {
    const rowBase = aBase + i * 4;
    for (let fh = 0; fh < FH; fh++) {
      const ih = oh * sh - top + fh;
      const inRows = ih >= 0 && ih < H;
      for (let fw = 0; fw < FW; fw++) {
        const iw = ow * sw - left + fw;
        const k0 = (fh * FW + fw) * C;
        const inside = inRows && iw >= 0 && iw < W;
        const src = x + ((n * H + ih) * W + iw) * C;
        for (let ci = 0; ci < C; ci++) {
          const kk = k0 + ci;
          heap[rowBase + (kk >> 2) * panelStride + (kk & 3)] = inside ? (heap[src + ci] as number) : 0;
        }
      }
    }
    if (++ow === OW) {
      ow = 0;
      if (++oh === OH) {
        oh = 0;
        n++;
      }
    }
  }
}
