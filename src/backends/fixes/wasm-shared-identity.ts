/**
 * wasm `Identity` without the copy. tfjs's engine saves every tensor a gradient will need through
 * `Identity` (one call per saved input or output of every recorded op: about 200 per step of the
 * seed's MLP GAN), and tfjs-backend-wasm 4.22 implements `Identity` as a fresh allocation plus a
 * copy. The cpu, WebGL and WebGPU backends instead share the data and count a reference, as wasm's
 * own `Reshape` does; this fix makes wasm do the same. Tensors are immutable in tfjs (a variable's
 * `assign` swaps its data, it never writes into it), so sharing is exact. The fix `wasm-shared-cast`
 * does the same for a `Cast` to the dtype a tensor already has.
 *
 * @packageDocumentation
 */
import type * as tf from '@tensorflow/tfjs-core';
import type { BackendFix } from './fix.js';
import { isReplaced, type KernelArgs, replaceKernel, restoreKernel } from './kernels.js';

const BACKEND = 'wasm';
const KERNEL = 'Identity';

interface RefCountingBackend extends tf.KernelBackend {
  incRef(dataId: object): void;
}

/**
 * A kernel that returns its input `x` as the output, one more reference to the same data, where
 * `shares(args)` says so; tfjs's `kernelName` kernel otherwise (and for strings, which live outside
 * the wasm heap, and a backend without reference counts).
 */
function sharingKernel(kernelName: string, shares: (args: KernelArgs) => boolean) {
  return (original: tf.KernelConfig | undefined): tf.KernelFunc =>
    (args) => {
      const { x } = args.inputs as { x: tf.TensorInfo };
      const backend = args.backend as RefCountingBackend;
      if (!shares(args) || x.dtype === 'string' || typeof backend.incRef !== 'function') {
        if (!original) throw new Error(`ts-gan backend fix: ${kernelName} is not registered on ${BACKEND}.`);
        return original.kernelFunc(args);
      }
      backend.incRef(x.dataId);
      return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
    };
}

const makeKernel = sharingKernel(KERNEL, () => true);

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

const CAST = 'Cast';

/** Only a cast to the dtype the tensor already has shares its data. */
const makeCastKernel = sharingKernel(
  CAST,
  (args) => (args.attrs as unknown as { dtype: tf.DataType }).dtype === (args.inputs.x as tf.TensorInfo).dtype,
);

/**
 * wasm `Cast` to the dtype the tensor already has, without the copy: tfjs-core casts a float32
 * input to float32 in `tf.moments` (two BatchNorm statistics per layer) and in ReLU's gradient
 * (`cast(step(x), 'float32')`), 14 whole-activation copies in a `--arch dcgan` step at batch 64;
 * tfjs-backend-wasm 4.22 allocates and copies for each. The cpu backend shares the data there (its
 * `Cast` calls `Identity`); this fix makes wasm do the same, exact for the same reason as
 * `wasm-shared-identity`. Other casts keep tfjs-wasm's kernel.
 */
export const wasmSharedCastFix: BackendFix = {
  name: 'wasm-shared-cast',
  description:
    'wasm Cast to the dtype a tensor already has (tf.moments, ReLU gradients) shares the data with a reference count instead of copying it.',
  backends: [BACKEND],
  apply: () => {
    replaceKernel(CAST, BACKEND, makeCastKernel);
  },
  remove: () => {
    restoreKernel(CAST, BACKEND);
  },
  isApplied: () => isReplaced(CAST, BACKEND),
};
