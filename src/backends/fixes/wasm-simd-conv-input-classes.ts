/**
 * The convolution input gradient of `wasm-simd-conv.ts` without the products of padding taps, for
 * the fix `wasm-simd-conv2d-backprop-input-skip-padding`: dy's pixels go a padding class at a time
 * (`conv-tap-classes.ts`).
 *
 * @packageDocumentation
 */
import type * as tf from '@tensorflow/tfjs-core';
import type { TapClass } from './conv-tap-classes.js';
import { paddedColumns } from './cpu-simd-matmul.js';
import { type HeapBackend, type HeapKernels, heapOutput, offsetOf } from './wasm-heap.js';

const roundUp = (x: number, to: number) => Math.ceil(x / to) * to;

/**
 * `simdBackpropInput` a padding class at a time: for the class's pixels of dy, only the
 * columns of the taps inside dx are computed, cols[M_k, T_k·Cin] = dy[M_k, Cout] · Wᵀ[Cout, T_k·Cin]
 * with Wᵀ's columns for those taps transposed once per class, and col2im adds them through the
 * class's table, which has no padding entries. dy's rows are gathered into the GEMM's panels through
 * a table of their offsets (Cin and Cout multiples of 4). Each dx value is the float32 sum of the same
 * products without the zeros, added class by class: equal within float32 rounding.
 */
export function backpropInputByClass(
  backend: HeapBackend,
  ks: HeapKernels,
  dy: tf.TensorInfo,
  filter: tf.TensorInfo,
  c: tf.backend_util.Conv2DInfo,
  classes: readonly TapClass[],
  chunkRows: number,
): tf.TensorInfo {
  const cin = c.inChannels;
  const cout = c.outChannels;
  const widest = Math.max(...classes.map((k) => k.taps.length));
  const npMax = paddedColumns(widest * cin);
  const mp = Math.min(chunkRows, roundUp(Math.max(...classes.map((k) => k.pixels.length)), 4));
  return heapOutput(backend, [c.batchSize, c.inHeight, c.inWidth, cin], (out, scratch) => {
    const b = scratch.alloc(cout * npMax);
    const a = scratch.alloc(mp * cout);
    const cc = scratch.alloc(mp * npMax);
    const table = scratch.alloc(mp * widest, 'int32');
    const rowsTable = scratch.alloc(mp, 'int32');
    const zero = scratch.alloc(cout);
    // Views only after every allocation (which may grow the heap).
    const heap = new Float32Array(backend.wasm.HEAPU8.buffer);
    const tv = new Int32Array(heap.buffer, table, mp * widest);
    const rv = new Int32Array(heap.buffer, rowsTable, mp);
    heap.fill(0, zero >> 2, (zero >> 2) + cout);
    const dx = offsetOf(backend, out) >> 2;
    heap.fill(0, dx, dx + c.batchSize * c.inHeight * c.inWidth * cin);
    const w = offsetOf(backend, filter);
    const dyb = offsetOf(backend, dy);
    for (const k of classes) {
      const taps = k.taps.length;
      if (taps === 0) continue;
      const np = paddedColumns(taps * cin);
      // B = Wᵀ's columns for the class's taps, filter row by filter row; padding columns reach
      // only padding columns of C, which col2im never reads.
      let col = 0;
      for (const [t0, count] of k.runs) {
        const rows = count * cin;
        const src = w + t0 * cin * cout * 4;
        ks.columns.transposeInto(src, rows, cout, b + col * 4, np * 4);
        col += rows;
      }
      for (let i0 = 0; i0 < k.pixels.length; i0 += mp) {
        const rows = Math.min(mp, k.pixels.length - i0);
        const panels = Math.ceil(rows / 4);
        // A = the chunk's dy rows in 4-row panels; rows past the last pixel read zeros.
        for (let i = 0; i < rows; i++) rv[i] = (k.pixels[i0 + i] as number) * cout;
        rv.fill(-1, rows, panels * 4);
        ks.columns.gatherRowPanels(dyb, rowsTable, 1, 1, panels, cout / 4, zero, a);
        ks.gemm(a, b, cc, panels * 4, cout, np);
        tv.set(k.table.subarray(i0 * taps, (i0 + rows) * taps));
        ks.columns.scatterAdd(cc, np * 4, table, taps, rows, cin * 4, dx << 2);
      }
    }
  });
}
