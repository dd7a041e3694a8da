/**
 * wasm `Identity` without the copy. tfjs's engine saves every tensor a gradient will need through
 * `Identity` (one call per saved input or output of every recorded op: about 200 per step of the
 * seed's MLP GAN), and tfjs-backend-wasm 4.22 implements `Identity` as a fresh allocation plus a
 * copy. The cpu, WebGL and WebGPU backends instead share the data and count a reference, as wasm's
 * own `Reshape` does; this fix makes wasm do the same. Tensors are immutable in tfjs (a variable's
 * `assign` swaps its data, it never writes into it), so sharing is exact.
 *
 * @packageDocumentation
 */
import type * as tf from '@tensorflow/tfjs-core';
import type { BackendFix } from './fix.js';
import { isReplaced, replaceKernel, restoreKernel } from './kernels.js';

const BACKEND = 'wasm';
const KERNEL = 'Identity';

interface RefCountingBackend extends tf.KernelBackend {
  incRef(dataId: object): void;
}

function makeKernel(original: tf.KernelConfig | undefined): tf.KernelFunc {
  return (args) => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    const backend = args.backend as RefCountingBackend;
    // Strings live outside the wasm heap; keep tfjs's kernel for them (and for a backend without refcounts).
    if (x.dtype === 'string' || typeof backend.incRef !== 'function') {
      if (!original) throw new Error(`ts-gan backend fix: ${KERNEL} is not registered on ${BACKEND}.`);
      return original.kernelFunc(args);
    }
    backend.incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  };
}

/** The fix object used by `useBackend`. */
export const wasmSharedIdentityFix: BackendFix = {
  name: 'wasm-shared-identity',
  description:
    'wasm Identity (how tfjs saves every tensor a gradient needs) shares the data with a reference count instead of copying it.',
  backends: [BACKEND],
  apply: () => {
    replaceKernel(KERNEL, BACKEND, makeKernel);
  },
  remove: () => {
    restoreKernel(KERNEL, BACKEND);
  },
  isApplied: () => isReplaced(KERNEL, BACKEND),
};
