/**
 * wasm kernels that tfjs-backend-wasm 4.22 lacks and GANs can hit: `UnsortedSegmentSum` (the
 * gradient of `gather`, so Embedding layers and conditional GANs train; tensorflow/tfjs#8082)
 * computed in JavaScript on the wasm heap, and the depthwise convolution backprop kernels
 * (`DepthwiseConv2dNativeBackpropFilter` / `...Input`), which run on the cpu backend (copied there
 * and back: slow but right).
 *
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import type { BackendFix } from './fix.js';
import { isReplaced, replaceKernel, restoreKernel, runOnCpu, type WasmBackendLike, wasmView } from './kernels.js';

const BACKEND = 'wasm';

function unsortedSegmentSum(args: {
  inputs: tf.NamedTensorInfoMap;
  backend: unknown;
  attrs?: tf.NamedAttrMap;
}): tf.TensorInfo {
  const backend = args.backend as WasmBackendLike;
  const { x, segmentIds } = args.inputs as { x: tf.TensorInfo; segmentIds: tf.TensorInfo };
  const numSegments = (args.attrs as { numSegments: number }).numSegments;
  if ((x.dtype !== 'float32' && x.dtype !== 'int32') || segmentIds.dtype !== 'int32') {
    return runOnCpu('UnsortedSegmentSum', { inputs: args.inputs, backend, attrs: args.attrs });
  }
  const inner = tf.util.sizeFromShape(x.shape.slice(segmentIds.shape.length));
  const out = backend.makeOutput([numSegments, ...x.shape.slice(segmentIds.shape.length)], x.dtype);
  // Both element types are read and written as numbers; one loop serves both.
  const Kind = (x.dtype === 'int32' ? Int32Array : Float32Array) as typeof Float32Array;
  const xv = wasmView(backend, x, Kind);
  const ids = wasmView(backend, segmentIds, Int32Array as unknown as typeof Float32Array);
  const ov = wasmView(backend, out, Kind);
  ov.fill(0);
  for (let i = 0; i < ids.length; i++) {
    const s = ids[i] as number;
    // Out-of-range ids are dropped, as TensorFlow and the cpu kernel do.
    if (s < 0 || s >= numSegments) continue;
    const src = i * inner;
    const dst = s * inner;
    for (let j = 0; j < inner; j++) ov[dst + j] = (ov[dst + j] as number) + (xv[src + j] as number);
  }
  return out;
}

function onCpu(kernelName: string) {
  return () =>
    ((args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }) =>
      runOnCpu(kernelName, {
        inputs: args.inputs,
        backend: args.backend as tf.KernelBackend,
        attrs: args.attrs,
      })) as unknown as tf.KernelFunc;
}

/** Replaces `kernelName` only where wasm lacks it. */
function addIfMissing(kernelName: string, make: () => tf.KernelFunc): void {
  if (tf.getKernel(kernelName, BACKEND) && !isReplaced(kernelName, BACKEND)) return;
  replaceKernel(kernelName, BACKEND, make);
}

/** The UnsortedSegmentSum fix. */
export const wasmUnsortedSegmentSumFix: BackendFix = {
  name: 'wasm-unsorted-segment-sum',
  description: 'Adds the missing wasm UnsortedSegmentSum (gradient of gather: Embedding layers, conditional GANs).',
  backends: [BACKEND],
  apply: () => addIfMissing('UnsortedSegmentSum', () => unsortedSegmentSum as unknown as tf.KernelFunc),
  remove: () => restoreKernel('UnsortedSegmentSum', BACKEND),
  isApplied: () => isReplaced('UnsortedSegmentSum', BACKEND),
};

const DEPTHWISE = ['DepthwiseConv2dNativeBackpropFilter', 'DepthwiseConv2dNativeBackpropInput'] as const;

/** The depthwise backprop fix (through the cpu backend). */
export const wasmDepthwiseBackpropFix: BackendFix = {
  name: 'wasm-depthwise-backprop',
  description:
    'Adds the missing wasm depthwise conv backprop kernels by running the cpu kernels (copy there and back).',
  backends: [BACKEND],
  apply: () => {
    for (const k of DEPTHWISE) addIfMissing(k, onCpu(k));
  },
  remove: () => {
    for (const k of DEPTHWISE) restoreKernel(k, BACKEND);
  },
  isApplied: () => isReplaced(DEPTHWISE[0], BACKEND),
};
