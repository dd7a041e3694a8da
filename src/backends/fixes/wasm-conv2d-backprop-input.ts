/**
 * A fast wasm `Conv2DBackpropInput`, the kernel behind every conv-transpose layer's forward pass
 * and every conv layer's input gradient. tfjs-backend-wasm 4.22 runs it as a direct loop over
 * output pixels, kernel taps and channels, without XNNPACK: in a DCGAN step on MNIST its 5 calls
 * took 290 of 481 ms of kernel time (`[64,7,7,64]` against a `4x4x32x64` filter, about 2 GFLOP/s).
 *
 * This kernel multiplies the output gradient by the filter with wasm's own fast `BatchMatMul`,
 * cols[M, K] = dy[M, Cout] x Wt[Cout, K] (M = batch*outH*outW, K = fh*fw*Cin), then adds each
 * row's K values into the input-shaped result (col2im, in JavaScript on the wasm heap). Same
 * products as the direct loop, summed in another order. Large batches go in chunks, so the column
 * buffer stays bounded. NCHW and non-float32 data keep the original kernel.
 *
 * The same kernel carries `wasm-simd-conv2d-backprop-input`, which runs the product in the
 * library's SIMD GEMM instead (`wasm-simd-conv.ts`); when both are on, that one is used, and this
 * one where the GEMM is unavailable.
 *
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import type { BackendFix } from './fix.js';
import {
  callKernel,
  isReplaced,
  type KernelArgs,
  originalKernel,
  replaceKernelWith,
  restoreKernel,
  type WasmBackendLike,
  wasmView,
} from './kernels.js';
import { columnFloatBudget } from './wasm-conv2d-backprop-filter.js';
import type { HeapBackend } from './wasm-heap.js';
import { simdBackpropInput } from './wasm-simd-conv.js';
import { hasWasmSimd } from './wasm-simd-gemm.js';

const BACKEND = 'wasm';
const KERNEL = 'Conv2DBackpropInput';

interface Attrs {
  inputShape: [number, number, number, number];
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

function conv2dBackpropInput(original: tf.KernelConfig | undefined, args: KernelArgs): tf.TensorInfo {
  const backend = args.backend as WasmBackendLike;
  const { dy, filter } = args.inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
  const attrs = args.attrs as unknown as Attrs;
  if (attrs.dataFormat === 'NCHW' || dy.dtype !== 'float32' || filter.dtype !== 'float32') {
    return callKernel(original, KERNEL, BACKEND, { inputs: args.inputs, backend, attrs: args.attrs ?? {} });
  }
  const c = tf.backend_util.computeConv2DInfo(
    attrs.inputShape,
    filter.shape as [number, number, number, number],
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    'channelsLast',
  );
  const simd = enabled.simd ? simdBackpropInput(backend as HeapBackend, dy, filter, c) : null;
  if (simd) return simd;
  if (!enabled.colMatMul) {
    return callKernel(original, KERNEL, BACKEND, { inputs: args.inputs, backend, attrs: args.attrs ?? {} });
  }
  const k = c.filterHeight * c.filterWidth * c.inChannels;
  const perSample = c.outHeight * c.outWidth;
  const samplesPerChunk = Math.max(1, Math.floor(columnFloatBudget() / (k * perSample)));
  const matMul = originalKernel('BatchMatMul', BACKEND);

  const out = backend.makeOutput([...attrs.inputShape], 'float32');
  const wt = backend.makeOutput([1, c.outChannels, k], 'float32');
  transposeFilter(wasmView(backend, filter, Float32Array), wasmView(backend, wt, Float32Array), k, c.outChannels);
  wasmView(backend, out, Float32Array).fill(0);

  for (let n0 = 0; n0 < c.batchSize; n0 += samplesPerChunk) {
    const n1 = Math.min(c.batchSize, n0 + samplesPerChunk);
    const m = (n1 - n0) * perSample;
    // The whole batch is dy itself, read as [1, M, Cout]; a chunk is a copy of its rows.
    const whole = n0 === 0 && n1 === c.batchSize;
    const rows: tf.TensorInfo = whole
      ? { dataId: dy.dataId, shape: [1, m, c.outChannels], dtype: 'float32' }
      : backend.makeOutput([1, m, c.outChannels], 'float32');
    if (!whole) {
      const dyv = wasmView(backend, dy, Float32Array);
      wasmView(backend, rows, Float32Array).set(
        dyv.subarray(n0 * perSample * c.outChannels, n1 * perSample * c.outChannels),
      );
    }
    const cols = callKernel(matMul, 'BatchMatMul', BACKEND, {
      inputs: { a: rows, b: wt },
      backend,
      attrs: { transposeA: false, transposeB: false },
    });
    // Views after the allocations (which may grow the heap).
    addColumns(wasmView(backend, cols, Float32Array), wasmView(backend, out, Float32Array), c, n0, n1);
    if (!whole) backend.disposeData(rows.dataId);
    backend.disposeData(cols.dataId);
  }
  backend.disposeData(wt.dataId);
  return out;
}

/** wt[d][k] = w[k][d]: the filter `[fh, fw, Cin, Cout]` read as `[K, Cout]`, transposed. */
function transposeFilter(w: Float32Array, wt: Float32Array, k: number, outChannels: number): void {
  for (let i = 0; i < k; i++) {
    const row = i * outChannels;
    for (let d = 0; d < outChannels; d++) wt[d * k + i] = w[row + d] as number;
  }
}

/**
 * col2im: dx[n, oh*sh - top + fh, ow*sw - left + fw, ci] += cols[row][(fh*FW + fw)*Cin + ci] for
 * every output pixel `row = (n, oh, ow)` of the chunk, skipping taps that fall in the padding.
 */
function addColumns(cols: Float32Array, dx: Float32Array, c: tf.backend_util.Conv2DInfo, n0: number, n1: number): void {
  const { inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW } = c;
  const { filterHeight: FH, filterWidth: FW, strideHeight: sh, strideWidth: sw } = c;
  const top = c.padInfo.top;
  const left = c.padInfo.left;
  const k = FH * FW * C;
  let src0 = 0;
  for (let n = n0; n < n1; n++) {
    for (let oh = 0; oh < OH; oh++) {
      for (let ow = 0; ow < OW; ow++, src0 += k) {
        for (let fh = 0; fh < FH; fh++) {
          const ih = oh * sh - top + fh;
          if (ih < 0 || ih >= H) continue;
          for (let fw = 0; fw < FW; fw++) {
            const iw = ow * sw - left + fw;
            if (iw < 0 || iw >= W) continue;
            const src = src0 + (fh * FW + fw) * C;
            const dst = ((n * H + ih) * W + iw) * C;
            for (let ci = 0; ci < C; ci++) dx[dst + ci] = (dx[dst + ci] as number) + (cols[src + ci] as number);
          }
        }
      }
    }
  }
}

/** Which of the two fixes carried by the kernel are on. */
const enabled = { colMatMul: false, simd: false };

/** Installs the shared kernel while either fix is on, and restores tfjs's when both are off. */
function setEnabled(which: keyof typeof enabled, on: boolean): void {
  enabled[which] = on;
  if (enabled.colMatMul || enabled.simd) replaceKernelWith(KERNEL, BACKEND, conv2dBackpropInput);
  else restoreKernel(KERNEL, BACKEND);
}

/** The fix object used by `useBackend`. */
export const wasmConv2dBackpropInputFix: BackendFix = {
  name: 'wasm-conv2d-backprop-input',
  description:
    "Runs wasm's Conv2DBackpropInput (conv-transpose forward, conv input gradient) as wasm BatchMatMul + col2im instead of tfjs-wasm's direct loop.",
  backends: [BACKEND],
  apply: () => setEnabled('colMatMul', true),
  remove: () => setEnabled('colMatMul', false),
  isApplied: () => enabled.colMatMul && isReplaced(KERNEL, BACKEND),
};

/** The fix object used by `useBackend`. */
export const wasmSimdConv2dBackpropInputFix: BackendFix = {
  name: 'wasm-simd-conv2d-backprop-input',
  description:
    "Runs wasm's Conv2DBackpropInput (NHWC float32) as a product in the library's WebAssembly SIMD GEMM, packed straight from the wasm heap in cache-sized chunks, + col2im.",
  backends: [BACKEND],
  apply: () => {
    // Without WebAssembly SIMD nothing is replaced: isApplied() stays false.
    if (hasWasmSimd()) setEnabled('simd', true);
  },
  remove: () => setEnabled('simd', false),
  isApplied: () => enabled.simd && isReplaced(KERNEL, BACKEND),
};
