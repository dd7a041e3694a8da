/**
 * The fused Adam update kernel (`TsGanAdamUpdate`) for wasm and cpu, used by the library's
 * default optimizer ({@link FusedAdamOptimizer}). One pass over each variable instead of about a
 * dozen element-wise kernels. Every operation is rounded to float32 (`Math.fround`) in the order
 * tf.train.adam uses, so the results are the same bits as the op sequence on a backend whose
 * element-wise ops are IEEE float32 (cpu and wasm are).
 *
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { ADAM_UPDATE_KERNEL, type AdamUpdateAttrs } from '../../kernels/adam-update.js';
import type { BackendFix } from './fix.js';
import {
  type CpuBackendLike,
  isReplaced,
  replaceKernel,
  restoreKernel,
  type WasmBackendLike,
  wasmView,
} from './kernels.js';
import { simdAdamFor } from './wasm-simd-adam.js';

const BACKENDS = ['wasm', 'cpu'] as const;

/** The update itself, on plain arrays. */
function adamUpdate(
  x: Float32Array,
  m: Float32Array,
  v: Float32Array,
  g: Float32Array,
  xOut: Float32Array,
  mOut: Float32Array,
  vOut: Float32Array,
  a: AdamUpdateAttrs,
): void {
  const f = Math.fround;
  const { beta1, oneMinusBeta1, beta2, oneMinusBeta2, oneMinusAccBeta1, oneMinusAccBeta2, epsilon, negLearningRate } =
    a;
  for (let i = 0; i < x.length; i++) {
    const gi = g[i] as number;
    const mi = f(f((m[i] as number) * beta1) + f(gi * oneMinusBeta1));
    const vi = f(f((v[i] as number) * beta2) + f(f(gi * gi) * oneMinusBeta2));
    const mHat = f(mi / oneMinusAccBeta1);
    const vHat = f(vi / oneMinusAccBeta2);
    const step = f(f(mHat / f(f(Math.sqrt(vHat)) + epsilon)) * negLearningRate);
    mOut[i] = mi;
    vOut[i] = vi;
    xOut[i] = f(step + (x[i] as number));
  }
}

interface KernelArgs {
  inputs: tf.NamedTensorInfoMap;
  backend: unknown;
  attrs?: tf.NamedAttrMap;
}

/** Where `wasm-in-place-adam` keeps whether it is on: on `globalThis`, so an ESM and a CJS copy agree. */
const IN_PLACE_KEY = Symbol.for('ts-gan.backends.inPlaceAdamMoments');
const inPlaceOn = (): boolean => (globalThis as Record<symbol, unknown>)[IN_PLACE_KEY] === true;

/**
 * Whether the update may write the moments `m` and `v` where they lie: only while
 * `wasm-in-place-adam` is on, and only when each is held by one reference (the optimizer's
 * variable; a clone or a saved copy shares the data and raises the count), so no other tensor can
 * see the change. The weights `x` always get a new buffer: tfjs-wasm's XNNPACK products cache
 * packed weights by tensor, and would keep reading the old values.
 */
function movesInPlace(backend: RefCounting, m: tf.TensorInfo, v: tf.TensorInfo, others: tf.TensorInfo[]): boolean {
  return (
    inPlaceOn() &&
    typeof backend.refCount === 'function' &&
    m.dataId !== v.dataId &&
    others.every((t) => t.dataId !== m.dataId && t.dataId !== v.dataId) &&
    backend.refCount(m.dataId) === 1 &&
    backend.refCount(v.dataId) === 1
  );
}

interface RefCounting {
  refCount?(dataId: object): number;
  incRef(dataId: object): void;
}

function wasmKernel(args: KernelArgs): tf.TensorInfo[] {
  const backend = args.backend as WasmBackendLike & RefCounting & { wasm: { asm?: { memory?: WebAssembly.Memory } } };
  const { x, m, v, g } = args.inputs as Record<'x' | 'm' | 'v' | 'g', tf.TensorInfo>;
  const a = args.attrs as unknown as AdamUpdateAttrs;
  // In place: the output is the moment itself, one more reference to its data (as Identity makes).
  const same = (t: tf.TensorInfo): tf.TensorInfo => {
    backend.incRef(t.dataId);
    return { dataId: t.dataId, shape: t.shape, dtype: 'float32' };
  };
  const inPlace = movesInPlace(backend, m, v, [x, g]);
  const outs = [
    backend.makeOutput(x.shape, 'float32'),
    inPlace ? same(m) : backend.makeOutput(m.shape, 'float32'),
    inPlace ? same(v) : backend.makeOutput(v.shape, 'float32'),
  ] as [tf.TensorInfo, tf.TensorInfo, tf.TensorInfo];
  const n = tf.util.sizeFromShape(x.shape);
  // Four lanes at a time in wasm SIMD; the last n % 4 elements (or all, without SIMD) in JS.
  const simd = simdAdamFor(backend.wasm.asm?.memory);
  const done = simd ? n - (n % 4) : 0;
  if (simd && done > 0) {
    const offset = (t: tf.TensorInfo) => (backend.dataIdMap.get(t.dataId) as { memoryOffset: number }).memoryOffset;
    simd(
      offset(x),
      offset(m),
      offset(v),
      offset(g),
      offset(outs[0]),
      offset(outs[1]),
      offset(outs[2]),
      done * 4,
      a.beta1,
      a.oneMinusBeta1,
      a.beta2,
      a.oneMinusBeta2,
      a.oneMinusAccBeta1,
      a.oneMinusAccBeta2,
      a.epsilon,
      a.negLearningRate,
    );
  }
  if (done < n) {
    // Views only now: the allocations above may have grown (and detached) the wasm heap.
    const tail = (t: tf.TensorInfo) => wasmView(backend, t, Float32Array).subarray(done);
    adamUpdate(tail(x), tail(m), tail(v), tail(g), tail(outs[0]), tail(outs[1]), tail(outs[2]), a);
  }
  return outs;
}

function cpuKernel(args: KernelArgs): tf.TensorInfo[] {
  const backend = args.backend as CpuBackendLike;
  const { x, m, v, g } = args.inputs as Record<'x' | 'm' | 'v' | 'g', tf.TensorInfo>;
  const values = (t: tf.TensorInfo) => backend.data.get(t.dataId).values as Float32Array;
  const n = tf.util.sizeFromShape(x.shape);
  const xOut = new Float32Array(n);
  const mOut = new Float32Array(n);
  const vOut = new Float32Array(n);
  adamUpdate(values(x), values(m), values(v), values(g), xOut, mOut, vOut, args.attrs as unknown as AdamUpdateAttrs);
  return [
    backend.makeTensorInfo(x.shape, 'float32', xOut),
    backend.makeTensorInfo(m.shape, 'float32', mOut),
    backend.makeTensorInfo(v.shape, 'float32', vOut),
  ];
}

/** The fix object used by `useBackend`. */
export const fusedAdamFix: BackendFix = {
  name: 'fused-adam',
  description:
    'Registers the one-pass Adam update kernel on wasm and cpu, used by the library default optimizer (FusedAdamOptimizer); same float32 results as tf.train.adam.',
  backends: BACKENDS,
  apply: () => {
    replaceKernel(ADAM_UPDATE_KERNEL, 'wasm', () => wasmKernel as unknown as tf.KernelFunc);
    replaceKernel(ADAM_UPDATE_KERNEL, 'cpu', () => cpuKernel as unknown as tf.KernelFunc);
  },
  remove: () => {
    for (const b of BACKENDS) restoreKernel(ADAM_UPDATE_KERNEL, b);
  },
  isApplied: () => isReplaced(ADAM_UPDATE_KERNEL, 'wasm'),
};

/** The fix object of the in-place moments (see {@link movesInPlace}). */
export const wasmInPlaceAdamFix: BackendFix = {
  name: 'wasm-in-place-adam',
  description:
    "fused-adam's wasm kernel writes Adam's moments m and v where they lie when nothing else holds them, " +
    'instead of into new buffers (less memory traffic); the weights still get a new buffer; same bits.',
  backends: ['wasm'],
  apply: () => {
    (globalThis as Record<symbol, unknown>)[IN_PLACE_KEY] = true;
  },
  remove: () => {
    delete (globalThis as Record<symbol, unknown>)[IN_PLACE_KEY];
  },
  isApplied: inPlaceOn,
};
