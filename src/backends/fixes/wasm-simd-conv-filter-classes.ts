/**
 * The filter gradient of `wasm-simd-conv2d-backprop-filter` without the products of taps that fall
 * in the padding (the fix `wasm-simd-conv2d-backprop-filter-skip-padding`).
 *
 * The plain path (`simdBackpropFilter` in `wasm-simd-conv.ts`) multiplies colsᵀ[K, M] by dy[M, Cout]
 * with zeros in the columns where a tap reads the padding. Here the output pixels go by padding
 * class ({@link tapClasses}: the pixels whose taps inside the input form the same rectangle of the
 * filter), and each class's GEMM has only its own taps as rows: C[Kc, Cout] = colsᵀ[Kc, Mc] ·
 * dy[Mc, Cout] with Kc = class taps · Cin and Mc the class's pixels, in chunks. The class's rows of
 * dy are not contiguous: they are copied into scratch rows (a run of evenly spaced pixels at a
 * time). Each run of consecutive class taps (one per filter row) is a run of rows of dW, and the
 * chunk's C rows are added there. For the DCGAN's 4x4, stride-2 'same' layer from 14x14x64 to
 * 7x7x128 that leaves out 13.8% of the products, and the kernel takes about 11% less CPU time.
 *
 * Input channels a multiple of 4 only. With one channel (a grayscale image, K = 16 for a 4x4
 * filter) the GEMM is so short that copying dy's rows costs more than the products it saves (the
 * DCGAN's grayscale layer at batch 64 measured 0.9 → 1.4 ms), and other counts take the plain
 * path's JavaScript im2col: both keep the plain path.
 *
 * Numerics: dW is the float32 sum of the same nonzero products as the plain path, in another order
 * (by class, then by chunk): equal within float32 rounding, not bit for bit. (Where dy holds
 * Infinity or NaN, the plain path's 0·dy products of padding taps give NaN in those taps' rows of
 * dW; here they are left out, as they are where a kernel skips padding, e.g. tfjs's cpu kernel.)
 *
 * @packageDocumentation
 */
import type * as tf from '@tensorflow/tfjs-core';
import { type TapClass, tapClasses } from './conv-tap-classes.js';
import { paddedColumns } from './cpu-simd-matmul.js';
import { type HeapBackend, type HeapKernels, heapOutput, offsetOf } from './wasm-heap.js';

/** Whether the filter gradient goes by padding class (the fix `wasm-simd-conv2d-backprop-filter-skip-padding`). */
let skipPadding = false;

/** Turns the filter gradient by padding class on or off (the fix `wasm-simd-conv2d-backprop-filter-skip-padding`). */
export function setFilterGradientSkipPadding(on: boolean): void {
  skipPadding = on;
}

/** Whether the filter gradient goes by padding class now. */
export function filterGradientSkipPadding(): boolean {
  return skipPadding;
}

/**
 * The padding classes of a convolution where the class path takes its filter gradient, else null:
 * the fix is on, the input channels are a multiple of 4 (see the module's comment) and some pixel
 * reads the padding (otherwise the plain path is the same GEMM).
 */
export function filterGradientClasses(c: tf.backend_util.Conv2DInfo): readonly TapClass[] | null {
  if (!skipPadding || c.inChannels % 4 !== 0) return null;
  const classes = tapClasses(c);
  const padded = classes.length > 1 || (classes[0]?.taps.length ?? 0) < c.filterHeight * c.filterWidth;
  return padded ? classes : null;
}

/**
 * The filter gradient dW `[FH, FW, Cin, Cout]` from x `[N, H, W, Cin]` and dy `[N, OH, OW, Cout]`,
 * a padding class at a time, at most `chunkRows` pixels a GEMM (see the module's comment).
 */
export function classFilterGradient(
  backend: HeapBackend,
  ks: HeapKernels,
  x: tf.TensorInfo,
  dy: tf.TensorInfo,
  filterShape: readonly number[],
  c: tf.backend_util.Conv2DInfo,
  classes: readonly TapClass[],
  chunkRows: number,
): tf.TensorInfo {
  const cin = c.inChannels;
  const cout = c.outChannels;
  const used = classes.filter((k) => k.taps.length > 0);
  const maxTaps = Math.max(0, ...used.map((k) => k.taps.length));
  const mc = Math.max(1, Math.min(chunkRows, Math.max(0, ...used.map((k) => k.pixels.length))));
  // Rows as they lie in dy where Cout is a multiple of 8 (see `wasm-simd-conv2d-backprop-filter-direct`).
  const np = cout % 8 === 0 ? cout : paddedColumns(cout);
  return heapOutput(backend, [...filterShape], (out, scratch) => {
    const a = scratch.alloc(Math.max(1, maxTaps * cin * mc));
    const b = scratch.alloc(mc * np);
    const cc = scratch.alloc(Math.max(1, maxTaps * cin * np));
    const table = scratch.alloc(Math.max(1, mc * maxTaps), 'int32');
    // Views only after every allocation (which may grow the heap).
    const heap = new Float32Array(backend.wasm.HEAPU8.buffer);
    const tv = new Int32Array(heap.buffer, table, Math.max(1, mc * maxTaps));
    const xf = offsetOf(backend, x);
    const dyf = offsetOf(backend, dy) >> 2;
    const dw = offsetOf(backend, out) >> 2;
    heap.fill(0, dw, dw + c.filterHeight * c.filterWidth * cin * cout);
    for (const k of used) {
      const t = k.taps.length;
      const count = k.pixels.length;
      // Chunks of equal size, at most mc pixels each.
      const per = Math.ceil(count / Math.ceil(count / mc));
      for (let i0 = 0; i0 < count; i0 += per) {
        const rows = Math.min(per, count - i0);
        tv.set(k.table.subarray(i0 * t, (i0 + rows) * t));
        ks.columns.gatherPanels(xf, table, t, rows, cin / 4, a);
        // B = the chunk's rows of dy, `np` floats apart (padding columns reach only padding columns of C).
        copyDyRows(ks, heap, k.pixels, i0, rows, dyf, cout, b >> 2, np);
        ks.gemm(a, b, cc, t * cin, rows, np);
        addRuns(ks, heap, k.runs, cc, np, cin, cout, dw);
      }
    }
  });
}

/**
 * dy's rows of pixels[i0..i0+rows) into rows `np` floats apart at float offset `b`. Where they are
 * contiguous (np = Cout), a run of pixels evenly spaced in dy (a row of an image, a column, the same
 * corner of every image) is one call of the WAT `copyRows`; otherwise a loop, row by row.
 */
function copyDyRows(
  ks: HeapKernels,
  heap: Float32Array,
  pixels: Int32Array,
  i0: number,
  rows: number,
  dyf: number,
  cout: number,
  b: number,
  np: number,
): void {
  if (np !== cout) {
    for (let i = 0; i < rows; i++) {
      const src = dyf + (pixels[i0 + i] as number) * cout;
      const dst = b + i * np;
      for (let q = 0; q < cout; q++) heap[dst + q] = heap[src + q] as number;
    }
    return;
  }
  for (let i = 0; i < rows; ) {
    const first = pixels[i0 + i] as number;
    const step = i + 1 < rows ? (pixels[i0 + i + 1] as number) - first : 1;
    let n = 1;
    while (i + n < rows && pixels[i0 + i + n] === first + n * step) n++;
    ks.columns.copyRows((dyf + first * cout) << 2, step * cout * 4, n, cout, (b + i * np) << 2);
    i += n;
  }
}

/** C's rows (class taps × Cin, `np` floats apart) added into dW (float offset `dw`) at each run's rows. */
function addRuns(
  ks: HeapKernels,
  heap: Float32Array,
  runs: readonly (readonly [number, number])[],
  cc: number,
  np: number,
  cin: number,
  cout: number,
  dw: number,
): void {
  let j = 0;
  for (const [t0, n] of runs) {
    const src = cc + j * cin * np * 4;
    const dst = dw + t0 * cin * cout;
    if (cout % 4 === 0) ks.columns.addRows(src, np * 4, n * cin, cout, dst << 2);
    else {
      for (let r = 0; r < n * cin; r++) {
        const s = (src >> 2) + r * np;
        const d = dst + r * cout;
        for (let q = 0; q < cout; q++) heap[d + q] = (heap[d + q] as number) + (heap[s + q] as number);
      }
    }
    j += n;
  }
}
