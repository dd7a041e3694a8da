/**
 * The forward convolution of the wasm backend (`Conv2D`, and `FusedConv2D` with a bias and no
 * activation, what a tfjs-layers conv layer runs) in the library's WebAssembly SIMD GEMM, for the
 * fix `wasm-simd-conv2d`.
 *
 * tfjs-wasm 4.22 runs these in XNNPACK, which builds and packs a new operator for every freshly
 * updated filter. Here the output is y[M, Cout] = cols[M, K] · W[K, Cout] (M = batch·outH·outW,
 * K = fh·fw·Cin): the filter `[fh, fw, Cin, Cout]` is already the GEMM's row-major B, the output
 * `[N, OH, OW, Cout]` is already its row-major C, and only the columns are packed, chunk by chunk,
 * as the GEMM's 4-pixel row panels by a SIMD loop (`gatherRowPanels` in `wat/conv-columns.wat`,
 * driven by the cached pixel-offset table of `wasm-simd-conv.ts`). The bias is added to each chunk
 * while it is in cache. With the fix `wasm-simd-conv2d-skip-padding` (on by default) the products
 * go by padding class instead and leave out every tap that reads the padding
 * (`wasm-simd-conv2d-classes.ts`).
 *
 * Taken only where Cin is 1 (a grayscale image, gathered by scalar loads) or a multiple of 4 and
 * Cout a multiple of 8 (the GEMM's column strip), NHWC float32, no dilation, a bias of Cout values
 * or none, and a linear activation; everything else (NCHW, fused activations) keeps tfjs-wasm's
 * kernel. Each output is the float32 sum of
 * the same K products as XNNPACK's, in k order, with the bias added last where XNNPACK starts from
 * it: equal within float32 rounding.
 *
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { paddedColumns } from './cpu-simd-matmul.js';
import type { BackendFix } from './fix.js';
import { callKernel, isReplaced, type KernelArgs, replaceKernelWith, restoreKernel } from './kernels.js';
import { type HeapBackend, heapKernels, heapOutput, offsetOf, pixelTable } from './wasm-heap.js';
import { classConv2d, copyPaddedRows } from './wasm-simd-conv2d-classes.js';
import { hasWasmSimd, relaxedOn } from './wasm-simd-gemm.js';

const BACKEND = 'wasm';

/**
 * Columns (k values) per slice of the product where the plain GEMM runs: slices of a few taps, whose
 * products are added up, keep the GEMM's strip of the filter in L1 (the DCGAN's 64->128 layer
 * on Node 20: 19.9-20.0 ms against 20.6-21.1 as one whole-K product). The relaxed-SIMD GEMM copies
 * each strip into its own contiguous rows: there one whole-K product is as fast or faster (16.9-17.5
 * ms against 17.1-17.6 on Node 24) and the products go unsliced.
 */
const PLAIN_SLICE_FLOATS = 256;
/** Output pixels per chunk: a chunk's packed columns (1 MiB at K = 1024) stay in L2; 128 and 512 ran as fast. */
const CHUNK_ROWS = 256;
/** Floats per slice set by a test, or null: by the GEMM that runs. */
let sliceFloats: number | null = null;
/** Filters of at most this many rows (K) are read in place whatever their row width. */
const PADDED_MIN_K = 64;
let chunkRows = CHUNK_ROWS;

/**
 * For tests: fewer pixels per chunk (rounded down to a multiple of 4, at least 4) and fewer columns
 * per slice (at least one tap; null: the default for the GEMM that runs) force many chunks and
 * slices. Returns the previous values.
 */
export function setSimdConv2dBlocking(rows: number, slice: number | null): { rows: number; slice: number | null } {
  const previous = { rows: chunkRows, slice: sliceFloats };
  chunkRows = Math.max(4, Math.floor(rows / 4) * 4);
  sliceFloats = slice === null ? null : Math.max(1, slice);
  return previous;
}

/** Whether the products of padding taps are left out (the fix `wasm-simd-conv2d-skip-padding`). */
let skipPadding = false;

/** Turns the leaving out of padding taps on or off (the fix `wasm-simd-conv2d-skip-padding`). */
export function setConv2dSkipPadding(on: boolean): void {
  skipPadding = on;
}

/** Whether padding taps are left out now. */
export function conv2dSkipPadding(): boolean {
  return skipPadding;
}

interface Attrs {
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dilations?: [number, number] | number;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  activation?: string;
}

/**
 * y = conv(x, filter) (+ bias) in the SIMD GEMM, or null where this kernel does not take the case.
 * `bias` is null or Cout float32 values.
 */
export function simdConv2d(
  backend: HeapBackend,
  x: tf.TensorInfo,
  filter: tf.TensorInfo,
  bias: tf.TensorInfo | null,
  c: tf.backend_util.Conv2DInfo,
): tf.TensorInfo | null {
  const heapKs = heapKernels(backend);
  const cin = c.inChannels;
  const cout = c.outChannels;
  const taps = c.filterHeight * c.filterWidth;
  const k = taps * cin;
  const m = c.batchSize * c.outHeight * c.outWidth;
  if (!heapKs || m === 0 || (cin % 4 !== 0 && cin !== 1) || cout % 8 !== 0) return null;
  const rowsPerChunk = Math.min(chunkRows, Math.ceil(m / 4) * 4);
  const slice = sliceFloats ?? (relaxedOn() ? Number.POSITIVE_INFINITY : PLAIN_SLICE_FLOATS);
  const sliceTaps = Math.max(1, Math.min(taps, Math.floor(slice / cin)));
  return heapOutput(backend, [c.batchSize, c.outHeight, c.outWidth, cout], (out, scratch) => {
    // B and C rows np floats apart: a power-of-two row (Cout = 64, 128...) would put the GEMM's
    // walk down a column strip of the filter into a few cache sets (see paddedColumns); then the
    // filter is copied into padded rows once per call and C goes through `part`.
    // Short walks (K of a few dozen, a grayscale layer) stay in L1 anyway: no copies there. The
    // relaxed-SIMD GEMM copies each strip of B into contiguous rows itself: there the padding
    // only adds a strip of columns to compute (136 for 128) and the filter's copy, and the
    // DCGAN's 64->128 layer ran 1.07x faster without them.
    const padded = paddedColumns(cout) !== cout && k > PADDED_MIN_K && !relaxedOn();
    const np = padded ? paddedColumns(cout) : cout;
    const bp = padded ? scratch.alloc(k * np) : -1;
    const xb = offsetOf(backend, x);
    const wb = offsetOf(backend, filter);
    const yb = offsetOf(backend, out);
    const bb = bias ? offsetOf(backend, bias) : -1;
    if (skipPadding) {
      if (padded) copyPaddedRows(new Float32Array(backend.wasm.HEAPU8.buffer), wb, k, cout, bp, np);
      classConv2d(backend, heapKs, scratch, c, { x: xb, b: padded ? bp : wb, np, y: yb, bias: bb }, rowsPerChunk);
      return;
    }
    const a = scratch.alloc(rowsPerChunk * sliceTaps * cin);
    const table = scratch.alloc(rowsPerChunk * taps, 'int32');
    const zero = scratch.alloc(cin);
    // The products of a slice (of every slice where the rows are padded), added to the first one's.
    const part = padded || sliceTaps < taps ? scratch.alloc(rowsPerChunk * np) : -1;
    // The GEMM writes whole 4-row panels: a last chunk of other than 4n rows goes through here.
    const tail = m % 4 === 0 ? -1 : scratch.alloc(4 * np);
    // Views only after every allocation (which may grow the heap).
    const heap = new Float32Array(backend.wasm.HEAPU8.buffer);
    const tv = new Int32Array(heap.buffer, table, rowsPerChunk * taps);
    heap.fill(0, zero >> 2, (zero >> 2) + cin);
    const pixels = pixelTable(c);
    if (padded) copyPaddedRows(heap, wb, k, cout, bp, np);
    const b = padded ? bp : wb;
    const gemm = heapKs.gemm;
    const rowBytes = cout * 4;
    const cBytes = np * 4;
    /** Rows of C (np floats apart) into y (cout floats apart), copied for the first slice, else added. */
    const collect = (from: number, count: number, to: number, first: boolean) => {
      if (!first) heapKs.columns.addRows(from, cBytes, count, cout, to);
      else if (from !== to) heapKs.columns.copyRows(from, cBytes, count, cout, to);
    };
    /** One chunk: `rows` pixels from pixel `from`, written to y at `to`. */
    const chunk = (from: number, rows: number, to: number) => {
      const whole = rows & ~3;
      const panels = Math.ceil(rows / 4);
      tv.set(pixels.subarray(from * taps, (from + rows) * taps));
      // Pixels past the last one read zeros; their rows of C are dropped.
      if (whole < rows) tv.fill(-1, rows * taps, panels * 4 * taps);
      let first = true;
      for (let t0 = 0; t0 < taps; t0 += sliceTaps) {
        const ts = Math.min(sliceTaps, taps - t0);
        const ks = ts * cin;
        // Rows t0·Cin.. of the filter read as [K, Cout]: the slice's B.
        const w = b + t0 * cin * cBytes;
        if (cin === 1) heapKs.columns.gatherRowPanels1(xb, table + t0 * 4, ts, taps, panels, a);
        else heapKs.columns.gatherRowPanels(xb, table + t0 * 4, ts, taps, panels, cin / 4, zero, a);
        const target = first && !padded ? to : part;
        if (whole > 0) gemm(a, w, target, whole, ks, np);
        if (whole < rows) gemm(a + whole * ks * 4, w, tail, 4, ks, np);
        if (whole > 0) collect(target, whole, to, first);
        if (whole < rows) collect(tail, rows - whole, to + whole * rowBytes, first);
        first = false;
      }
      if (bb >= 0) heapKs.columns.addBias(to, rows, cout, bb);
    };
    for (let m0 = 0; m0 < m; m0 += rowsPerChunk) chunk(m0, Math.min(rowsPerChunk, m - m0), yb + m0 * rowBytes);
  });
}

/** The geometry of an NHWC forward convolution, or null for the cases left to tfjs-wasm. */
function forwardInfo(x: tf.TensorInfo, filter: tf.TensorInfo, attrs: Attrs): tf.backend_util.Conv2DInfo | null {
  if (attrs.dataFormat === 'NCHW' || x.dtype !== 'float32' || filter.dtype !== 'float32') return null;
  const dilations = attrs.dilations ?? 1;
  if (!(dilations === 1 || (Array.isArray(dilations) && dilations[0] === 1 && dilations[1] === 1))) return null;
  return tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filter.shape as [number, number, number, number],
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    'channelsLast',
  );
}

function conv2d(original: tf.KernelConfig | undefined, args: KernelArgs): tf.TensorInfo {
  const { x, filter } = args.inputs as { x: tf.TensorInfo; filter: tf.TensorInfo };
  const c = forwardInfo(x, filter, args.attrs as unknown as Attrs);
  const y = c ? simdConv2d(args.backend as HeapBackend, x, filter, null, c) : null;
  return y ?? callKernel(original, 'Conv2D', BACKEND, { ...args, backend: args.backend as tf.KernelBackend });
}

function fusedConv2d(original: tf.KernelConfig | undefined, args: KernelArgs): tf.TensorInfo {
  const { x, filter, bias, preluActivationWeights } = args.inputs as Record<string, tf.TensorInfo | undefined>;
  const attrs = args.attrs as unknown as Attrs;
  const plain =
    x && filter && !preluActivationWeights && (attrs.activation ?? 'linear') === 'linear'
      ? forwardInfo(x, filter, attrs)
      : null;
  const biasOk = !bias || (bias.dtype === 'float32' && tf.util.sizeFromShape(bias.shape) === plain?.outChannels);
  const y =
    plain && x && filter && biasOk ? simdConv2d(args.backend as HeapBackend, x, filter, bias ?? null, plain) : null;
  return y ?? callKernel(original, 'FusedConv2D', BACKEND, { ...args, backend: args.backend as tf.KernelBackend });
}

/** The fix object used by `useBackend`. */
export const wasmSimdConv2dFix: BackendFix = {
  name: 'wasm-simd-conv2d',
  description:
    "Runs wasm's forward Conv2D and FusedConv2D (NHWC float32, Cin 1 or a multiple of 4, Cout a multiple of 8, bias, no activation) as im2col panels + the library's WebAssembly SIMD GEMM on tfjs-wasm's heap, with the filter as the GEMM's operand unpacked, instead of XNNPACK.",
  backends: [BACKEND],
  apply: () => {
    // Without WebAssembly SIMD nothing is replaced: isApplied() stays false.
    if (!hasWasmSimd()) return;
    replaceKernelWith('Conv2D', BACKEND, conv2d);
    replaceKernelWith('FusedConv2D', BACKEND, fusedConv2d);
  },
  remove: () => {
    restoreKernel('Conv2D', BACKEND);
    restoreKernel('FusedConv2D', BACKEND);
  },
  isApplied: () => isReplaced('Conv2D', BACKEND) && isReplaced('FusedConv2D', BACKEND),
};
