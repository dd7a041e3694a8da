/**
 * wasm `Conv2DBackpropFilter`, missing from tfjs-backend-wasm 4.22 (tensorflow/tfjs#8474): without
 * it every conv or conv-transpose training step fails on wasm. This kernel lays the input out as
 * columns (im2col, in JavaScript on the wasm heap) and multiplies them with the output gradient
 * by wasm's own fast `BatchMatMul`: dW[K, Cout] = cols[K, M] x dy[M, Cout], K = fh*fw*Cin,
 * M = batch*outH*outW. Large batches are done in chunks, so the column buffer stays bounded.
 * NCHW data falls back to the cpu kernel (copy there and back).
 *
 * The same kernel carries `wasm-simd-conv2d-backprop-filter`, which runs the product in the
 * library's SIMD GEMM instead (`wasm-simd-conv.ts`); when both are on, that one is used, and this
 * one where the GEMM is unavailable.
 *
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import type { BackendFix } from './fix.js';
import {
  type BackpropFilterAttrs,
  backpropFilterInfo,
  callKernel,
  isReplaced,
  originalKernel,
  replaceKernelWith,
  restoreKernel,
  runOnCpu,
  type WasmBackendLike,
  wasmView,
} from './kernels.js';
import type { HeapBackend } from './wasm-heap.js';
import { simdBackpropFilter } from './wasm-simd-conv.js';
import { hasWasmSimd } from './wasm-simd-gemm.js';

const BACKEND = 'wasm';
const KERNEL = 'Conv2DBackpropFilter';
/** Largest column buffer, in floats (64 MiB): bounds memory for big batches. */
const MAX_COLUMN_FLOATS = 16 * 2 ** 20;
let maxColumnFloats = MAX_COLUMN_FLOATS;

/** The column buffer budget, in floats, shared with `wasm-conv2d-backprop-input`. */
export function columnFloatBudget(): number {
  return maxColumnFloats;
}

/** For tests: a smaller column buffer forces the chunked path (of both conv kernels). Returns the previous value. */
export function setMaxColumnFloats(floats: number): number {
  const previous = maxColumnFloats;
  maxColumnFloats = floats;
  return previous;
}

function conv2dBackpropFilter(
  original: tf.KernelConfig | undefined,
  args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap },
): tf.TensorInfo {
  const backend = args.backend as WasmBackendLike;
  const { x, dy } = args.inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const attrs = args.attrs as unknown as BackpropFilterAttrs;
  // Where neither path takes it: tfjs's own kernel if a version ships one, else the cpu kernel.
  const fallback = () =>
    original
      ? callKernel(original, KERNEL, BACKEND, { inputs: args.inputs, backend, attrs: args.attrs ?? {} })
      : runOnCpu(KERNEL, { inputs: args.inputs, backend, attrs: args.attrs });
  if (attrs.dataFormat === 'NCHW' || x.dtype !== 'float32' || dy.dtype !== 'float32') return fallback();
  const c = backpropFilterInfo(x, attrs);
  const simd = enabled.simd ? simdBackpropFilter(backend as HeapBackend, x, dy, attrs.filterShape, c) : null;
  if (simd) return simd;
  if (!enabled.im2col) return fallback();
  const k = c.filterHeight * c.filterWidth * c.inChannels;
  const perSample = c.outHeight * c.outWidth;
  const samplesPerChunk = Math.max(1, Math.floor(maxColumnFloats / (k * perSample)));
  const out = backend.makeOutput([...attrs.filterShape], 'float32');
  const matMul = originalKernel('BatchMatMul', BACKEND);
  for (let n0 = 0; n0 < c.batchSize; n0 += samplesPerChunk) {
    const n1 = Math.min(c.batchSize, n0 + samplesPerChunk);
    const m = (n1 - n0) * perSample;
    const cols = backend.makeOutput([1, k, m], 'float32');
    const dyChunk = backend.makeOutput([1, m, c.outChannels], 'float32');
    // Views after the allocations (which may grow the heap).
    const xv = wasmView(backend, x, Float32Array);
    const colv = wasmView(backend, cols, Float32Array);
    fillColumns(xv, colv, c, n0, n1, m);
    const dyv = wasmView(backend, dy, Float32Array);
    wasmView(backend, dyChunk, Float32Array).set(
      dyv.subarray(n0 * perSample * c.outChannels, n1 * perSample * c.outChannels),
    );
    const product = callKernel(matMul, 'BatchMatMul', BACKEND, {
      inputs: { a: cols, b: dyChunk },
      backend,
      attrs: { transposeA: false, transposeB: false },
    });
    const pv = wasmView(backend, product, Float32Array);
    const ov = wasmView(backend, out, Float32Array);
    if (n0 === 0) ov.set(pv);
    else for (let i = 0; i < ov.length; i++) ov[i] = (ov[i] as number) + (pv[i] as number);
    backend.disposeData(cols.dataId);
    backend.disposeData(dyChunk.dataId);
    backend.disposeData(product.dataId);
  }
  return out;
}

/** cols[(fh*FW + fw)*Cin + ci][row] = x[n, oh*sh - top + fh*dh, ow*sw - left + fw*dw, ci], 0 in the padding. */
function fillColumns(
  x: Float32Array,
  cols: Float32Array,
  c: tf.backend_util.Conv2DInfo,
  n0: number,
  n1: number,
  m: number,
): void {
  const { inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW } = c;
  const {
    filterHeight: FH,
    filterWidth: FW,
    strideHeight: sh,
    strideWidth: sw,
    dilationHeight: dh,
    dilationWidth: dw,
  } = c;
  const top = c.padInfo.top;
  const left = c.padInfo.left;
  let row = 0;
  for (let n = n0; n < n1; n++) {
    for (let oh = 0; oh < OH; oh++) {
      for (let ow = 0; ow < OW; ow++, row++) {
        for (let fh = 0; fh < FH; fh++) {
          const ih = oh * sh - top + fh * dh;
          const inRows = ih >= 0 && ih < H;
          for (let fw = 0; fw < FW; fw++) {
            const iw = ow * sw - left + fw * dw;
            const base = (fh * FW + fw) * C * m + row;
            if (!inRows || iw < 0 || iw >= W) {
              for (let ci = 0; ci < C; ci++) cols[base + ci * m] = 0;
              continue;
            }
            const src = ((n * H + ih) * W + iw) * C;
            for (let ci = 0; ci < C; ci++) cols[base + ci * m] = x[src + ci] as number;
          }
        }
      }
    }
  }
}

/** Which of the two fixes carried by the kernel are on. */
const enabled = { im2col: false, simd: false };

/** Installs the shared kernel while either fix is on, and restores what was there when both are off. */
function setEnabled(which: keyof typeof enabled, on: boolean): void {
  enabled[which] = on;
  if (enabled.im2col || enabled.simd) replaceKernelWith(KERNEL, BACKEND, conv2dBackpropFilter);
  else restoreKernel(KERNEL, BACKEND);
}

/** The fix object used by `useBackend`. */
export const wasmConv2dBackpropFilterFix: BackendFix = {
  name: 'wasm-conv2d-backprop-filter',
  description:
    'Adds the missing wasm Conv2DBackpropFilter (im2col + wasm BatchMatMul), so conv and conv-transpose layers train on wasm.',
  backends: [BACKEND],
  apply: () => {
    // Only where tfjs-backend-wasm lacks it: a future version that ships one keeps its own.
    if (tf.getKernel(KERNEL, BACKEND) && !isReplaced(KERNEL, BACKEND)) return;
    setEnabled('im2col', true);
  },
  remove: () => setEnabled('im2col', false),
  isApplied: () => enabled.im2col && isReplaced(KERNEL, BACKEND),
};

/** The fix object used by `useBackend`. */
export const wasmSimdConv2dBackpropFilterFix: BackendFix = {
  name: 'wasm-simd-conv2d-backprop-filter',
  description:
    "Runs wasm's Conv2DBackpropFilter (NHWC float32) as im2col packed straight into the library's WebAssembly SIMD GEMM, in cache-sized chunks.",
  backends: [BACKEND],
  apply: () => {
    // Without WebAssembly SIMD nothing is replaced: isApplied() stays false.
    if (hasWasmSimd()) setEnabled('simd', true);
  },
  remove: () => setEnabled('simd', false),
  isApplied: () => enabled.simd && isReplaced(KERNEL, BACKEND),
};
