/**
 * `wasm-simd-conv2d`: the forward convolution of the wasm backend (`Conv2D`, and `FusedConv2D`
 * with a bias and no activation, as tfjs-layers' Conv2D runs it) in the library's WebAssembly SIMD
 * GEMM on tfjs-wasm's heap: out[M, Cout] = cols[M, K] · W[K, Cout] (M = batch·outH·outW,
 * K = fh·fw·Cin), with im2col packed straight into the GEMM's row panels by a SIMD loop
 * (`wat/conv-columns.wat`, `gatherRows`) in chunks of a few hundred pixels, then the bias added
 * while the chunk is copied out. tfjs-wasm runs these through XNNPACK, which packs every freshly
 * updated filter again on each call.
 *
 * NHWC float32 with dilation 1, input channels a multiple of 4, a bias of shape `[Cout]` (or none)
 * and a linear activation only; everything else (a grayscale input layer, NCHW, dilations, fused
 * activations, PReLU) keeps tfjs-wasm's kernel. Each output is a float32 sum of the same products
 * in another order, the bias added last: equal within float32 rounding.
 *
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { paddedColumns } from './cpu-simd-matmul.js';
import type { BackendFix } from './fix.js';
import { callKernel, isReplaced, type KernelArgs, replaceKernelWith, restoreKernel } from './kernels.js';
import {
  type HeapBackend,
  heapKernels,
  offsetOf,
  pixelTable,
  roundUp,
  Scratch,
  simdConvChunkRows,
} from './wasm-simd-conv.js';
import { hasWasmSimd } from './wasm-simd-gemm.js';

const BACKEND = 'wasm';
const KERNELS = ['Conv2D', 'FusedConv2D'] as const;

interface Attrs {
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dilations: [number, number] | number;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  activation?: string;
}

/** The convolution, or null where this path does not take it. */
export function simdConv2d(backend: HeapBackend, args: KernelArgs): tf.TensorInfo | null {
  const { x, filter, bias, preluActivationWeights } = args.inputs as Record<string, tf.TensorInfo | undefined>;
  const attrs = args.attrs as unknown as Attrs;
  if (!x || !filter || preluActivationWeights || (attrs.activation ?? 'linear') !== 'linear') return null;
  if (attrs.dataFormat === 'NCHW') return null;
  const dilations = typeof attrs.dilations === 'number' ? [attrs.dilations] : (attrs.dilations ?? [1]);
  if (dilations.some((d) => d !== 1)) return null;
  if (x.dtype !== 'float32' || filter.dtype !== 'float32' || x.shape.length !== 4) return null;
  const c = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filter.shape as [number, number, number, number],
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    'channelsLast',
  );
  const cin = c.inChannels;
  const cout = c.outChannels;
  if (bias && (bias.dtype !== 'float32' || bias.shape.length !== 1 || bias.shape[0] !== cout)) return null;
  const m = c.batchSize * c.outHeight * c.outWidth;
  const ks = heapKernels(backend);
  if (!ks || m === 0 || cin % 4 !== 0) return null;
  const taps = c.filterHeight * c.filterWidth;
  const k = taps * cin;
  const np = paddedColumns(cout);
  const mp = Math.min(simdConvChunkRows(), roundUp(m, 4));
  const out = backend.makeOutput([c.batchSize, c.outHeight, c.outWidth, cout], 'float32');
  const scratch = new Scratch(backend);
  try {
    const a = scratch.alloc(mp * k);
    const b = scratch.alloc(k * np);
    const cc = scratch.alloc(mp * np);
    const rowsPadded = roundUp(m, 4);
    const table = scratch.alloc(rowsPadded * taps, 'int32');
    // Views only after every allocation (which may grow the heap).
    const heap = new Float32Array(backend.wasm.HEAPU8.buffer);
    const tv = new Int32Array(heap.buffer, table, rowsPadded * taps);
    tv.set(pixelTable(c));
    // Rows past the last pixel read nothing (zeros): they reach only padding rows of C.
    tv.fill(-1, m * taps);
    // B = the filter read as [K, Cout], rows `np` floats apart (padding columns reach only
    // padding columns of C).
    const w = offsetOf(backend, filter) >> 2;
    for (let kk = 0; kk < k; kk++) heap.copyWithin((b >> 2) + kk * np, w + kk * cout, w + kk * cout + cout);
    const biasf = bias ? offsetOf(backend, bias) >> 2 : -1;
    const o = offsetOf(backend, out) >> 2;
    const xb = offsetOf(backend, x);
    for (let m0 = 0; m0 < m; m0 += mp) {
      const rows = Math.min(mp, m - m0);
      const panels = roundUp(rows, 4) / 4;
      ks.columns.gatherRows(xb, table + m0 * taps * 4, taps, panels, cin / 4, a);
      ks.gemm(a, b, cc, panels * 4, k, np);
      for (let i = 0; i < rows; i++) {
        const src = (cc >> 2) + i * np;
        const dst = o + (m0 + i) * cout;
        if (biasf < 0) heap.copyWithin(dst, src, src + cout);
        else for (let d = 0; d < cout; d++) heap[dst + d] = (heap[src + d] as number) + (heap[biasf + d] as number);
      }
    }
  } catch (err) {
    backend.disposeData(out.dataId);
    throw err;
  } finally {
    scratch.release();
  }
  return out;
}

function makeKernel(kernelName: string) {
  return (original: tf.KernelConfig | undefined, args: KernelArgs): tf.TensorInfo =>
    simdConv2d(args.backend as HeapBackend, args) ??
    callKernel(original, kernelName, BACKEND, {
      inputs: args.inputs,
      backend: args.backend as tf.KernelBackend,
      attrs: args.attrs ?? {},
    });
}

/** The fix object used by `useBackend`. */
export const wasmSimdConv2dFix: BackendFix = {
  name: 'wasm-simd-conv2d',
  description:
    "Runs wasm's Conv2D and FusedConv2D (NHWC float32, Cin a multiple of 4, bias, linear activation) as SIMD im2col + the library's SIMD GEMM on tfjs-wasm's heap instead of XNNPACK.",
  backends: [BACKEND],
  // Opt-in: on a 2-core AMD EPYC it measured no faster than XNNPACK on a DCGAN's shapes (see the module doc).
  defaultOn: false,
  apply: () => {
    // Without WebAssembly SIMD nothing is replaced: isApplied() stays false.
    if (!hasWasmSimd()) return;
    for (const name of KERNELS) if (tf.getKernel(name, BACKEND)) replaceKernelWith(name, BACKEND, makeKernel(name));
  },
  remove: () => {
    for (const name of KERNELS) restoreKernel(name, BACKEND);
  },
  isApplied: () => isReplaced('Conv2D', BACKEND) && isReplaced('FusedConv2D', BACKEND),
};
