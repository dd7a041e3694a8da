/**
 * The forward convolution of `wasm-simd-conv2d` without a single product of a padding tap, for the
 * fix `wasm-simd-conv2d-skip-padding`.
 *
 * The output pixels go by padding class ({@link tapClasses}: the pixels whose taps inside the
 * input form the same rectangle of the filter). For each class, y[pixels, Cout] = cols[pixels,
 * K'] · W'[K', Cout] with K' = (the class's taps)·Cin: the columns are gathered with the class's
 * table (its taps only, no -1 but in a last partial panel), W' is the filter's rows of those taps
 * (read in place where they are consecutive, as for the middle pixels and the top and bottom
 * edges, else copied once per call), and the rows of the product are written to the class's
 * pixels with the bias added (`scatterRowsBias` in `wat/conv-columns.wat`). A class with no tap
 * (a pixel whose window lies wholly in the padding) gets the bias, or 0.
 *
 * For the DCGAN's 14x14x64 to 7x7x128 layer (4x4 filter, stride 2, 'same') that leaves out 13.8%
 * of the products: the padding rows above and below the image and the padding columns left and
 * right of it.
 *
 * @packageDocumentation
 */
import type * as tf from '@tensorflow/tfjs-core';
import { type TapClass, tapClasses } from './conv-tap-classes.js';
import type { HeapBackend, HeapKernels, Scratch } from './wasm-heap.js';

/** The filter's K rows of `cout` floats at byte address `w`, copied into rows `np` floats apart at `to`. */
export function copyPaddedRows(heap: Float32Array, w: number, k: number, cout: number, to: number, np: number): void {
  for (let kk = 0; kk < k; kk++) {
    const src = (w >> 2) + kk * cout;
    heap.copyWithin((to >> 2) + kk * np, src, src + cout);
  }
}

/** Whether a class's runs of taps follow one another (its filter rows are one block). */
function consecutive(k: TapClass): boolean {
  return k.runs.every(([t0], i) => i === 0 || t0 === (k.runs[i - 1]?.[0] ?? 0) + (k.runs[i - 1]?.[1] ?? 0));
}

/** Byte addresses of the operands, for {@link classConv2d}. */
export interface ClassOperands {
  /** The input x, NHWC. */
  x: number;
  /** The filter, [K, Cout] rows `np` floats apart (a padded copy or the filter itself). */
  b: number;
  /** Floats from one row of `b` (and of the product) to the next. */
  np: number;
  /** The output y, [M, Cout]. */
  y: number;
  /** The bias, Cout floats, or -1 for none. */
  bias: number;
}

/**
 * y = conv(x, filter) (+ bias) by padding classes, in chunks of at most `rowsPerChunk` pixels (a
 * multiple of 4). Scratch buffers come from `scratch`.
 */
export function classConv2d(
  backend: HeapBackend,
  ks: HeapKernels,
  scratch: Scratch,
  c: tf.backend_util.Conv2DInfo,
  o: ClassOperands,
  rowsPerChunk: number,
): void {
  const cin = c.inChannels;
  const cout = c.outChannels;
  const taps = c.filterHeight * c.filterWidth;
  const classes = tapClasses(c);
  const largest = classes.reduce((most, k) => Math.max(most, k.pixels.length), 0);
  const rows = Math.min(rowsPerChunk, Math.ceil(largest / 4) * 4);
  const copied = classes.some((k) => k.taps.length > 0 && !consecutive(k));
  const a = scratch.alloc(rows * taps * cin);
  const table = scratch.alloc(rows * taps, 'int32');
  const index = scratch.alloc(rows, 'int32');
  const part = scratch.alloc(rows * o.np);
  // Zeros: the gather's padding entries (Cin floats), the bias where there is none, the product
  // of a class with no tap (Cout floats each).
  const zero = scratch.alloc(Math.max(cin, cout));
  const cb = copied ? scratch.alloc(taps * cin * o.np) : -1;
  // Views only after every allocation (which may grow the heap).
  const heap = new Float32Array(backend.wasm.HEAPU8.buffer);
  const tv = new Int32Array(heap.buffer, table, rows * taps);
  const iv = new Int32Array(heap.buffer, index, rows);
  heap.fill(0, zero >> 2, (zero >> 2) + Math.max(cin, cout));
  const bias = o.bias >= 0 ? o.bias : zero;
  const gemm = ks.gemm;
  const rowFloats = cin * o.np;
  for (const k of classes) {
    const n = k.taps.length;
    const kk = n * cin;
    let w = -1;
    if (n > 0 && consecutive(k)) w = o.b + (k.taps[0] as number) * rowFloats * 4;
    else if (n > 0) {
      w = cb;
      let at = cb >> 2;
      for (const [t0, count] of k.runs) {
        const from = (o.b >> 2) + t0 * rowFloats;
        heap.copyWithin(at, from, from + count * rowFloats);
        at += count * rowFloats;
      }
    }
    for (let p0 = 0; p0 < k.pixels.length; p0 += rows) {
      const len = Math.min(rows, k.pixels.length - p0);
      iv.set(k.pixels.subarray(p0, p0 + len));
      if (n === 0) {
        ks.columns.scatterRowsBias(zero, 0, len, cout, index, o.y, bias);
        continue;
      }
      const panels = Math.ceil(len / 4);
      tv.set(k.table.subarray(p0 * n, (p0 + len) * n));
      // Pixels past the last one read zeros; their rows of the product are dropped.
      if (len < panels * 4) tv.fill(-1, len * n, panels * 4 * n);
      if (cin === 1) ks.columns.gatherRowPanels1(o.x, table, n, n, panels, a);
      else ks.columns.gatherRowPanels(o.x, table, n, n, panels, cin / 4, zero, a);
      gemm(a, w, part, panels * 4, kk, o.np);
      ks.columns.scatterRowsBias(part, o.np * 4, len, cout, index, o.y, bias);
    }
  }
}
