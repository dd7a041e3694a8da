/**
 * LeakyReLU and its gradient on wasm in WebAssembly SIMD, four lanes at a time on tfjs-wasm's
 * memory. tfjs-backend-wasm 4.22's `LeakyRelu` is a scalar loop, and tfjs-core's gradient is
 * three kernels (`Greater`, `Multiply`, `Select`, the first with a bool tensor in between): in a
 * batch-256 step of the seed GAN these took ~19 ms of ~260 ms of kernel time.
 *
 * The forward pass computes `x < 0 ? alpha * x : x` and the gradient `x > 0 ? dy : dy * alpha`,
 * tfjs's own formulas, with one float32 multiply per element: the same bits. The gradient is one
 * kernel, `TsGanLeakyReluGrad`, whose own gradient (for second-order penalties through LeakyReLU)
 * is itself with respect to `dy` and zero with respect to `x`, as tfjs's composition gives.
 * Backends without the kernel keep tfjs's composition. The SIMD loops are WebAssembly text,
 * `wat/leaky-relu.wat` (assembled by `npm run build:wasm` into `wat/leaky-relu.bytes.ts`, with a
 * variant for a shared memory); the last n % 4 elements run in JavaScript.
 *
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
// tfjs's gradients are registered before this module replaces one of them.
import '../../kernels/tfjs-gradients.js';
import type { BackendFix } from './fix.js';
import {
  callKernel,
  isReplaced,
  type KernelArgs,
  replaceKernel,
  replaceKernelWith,
  restoreKernel,
  type WasmBackendLike,
  wasmView,
} from './kernels.js';
import { instanceOnMemory } from './wasm-bytecode.js';
import { BASE64, SHARED_BASE64 } from './wat/leaky-relu.bytes.js';

const BACKEND = 'wasm';
const FORWARD = 'LeakyRelu';
/** The gradient kernel: inputs `dy`, `x`; attr `alpha`. */
export const LEAKY_RELU_GRAD_KERNEL = 'TsGanLeakyReluGrad';

/** `(a, b, out, bytes, alpha)`: byte addresses, a byte length (a multiple of 16), the slope. */
export type SimdFn = (a: number, b: number, out: number, bytes: number, alpha: number) => void;
/** The forward function (`a` = x, `b` unused) and the gradient (`a` = dy, `b` = x). */
export interface SimdLeaky {
  forward: SimdFn;
  gradient: SimdFn;
}
const leakyOn = instanceOnMemory(BASE64, SHARED_BASE64);

/** The two functions bound to `memory`, or null without WebAssembly SIMD. */
export function simdLeakyReluFor(memory: WebAssembly.Memory | undefined): SimdLeaky | null {
  return memory ? ((leakyOn(memory) as unknown as SimdLeaky | null) ?? null) : null;
}

type Backend = WasmBackendLike & { wasm: { asm?: { memory?: WebAssembly.Memory } } };

/** Runs `which` over `a` (and `b`) into a new tensor: SIMD for whole vectors, JavaScript for the tail. */
function run(backend: Backend, which: 'forward' | 'gradient', a: tf.TensorInfo, b: tf.TensorInfo, alpha: number) {
  const out = backend.makeOutput([...a.shape], 'float32');
  const n = tf.util.sizeFromShape(a.shape);
  const fns = simdLeakyReluFor(backend.wasm.asm?.memory);
  const done = fns ? n - (n % 4) : 0;
  if (fns && done > 0) {
    const offset = (t: tf.TensorInfo) => (backend.dataIdMap.get(t.dataId) as { memoryOffset: number }).memoryOffset;
    fns[which](offset(a), offset(b), offset(out), done * 4, alpha);
  }
  if (done < n) {
    // Views only now: the allocation above may have grown (and detached) the wasm heap.
    const av = wasmView(backend, a, Float32Array);
    const bv = wasmView(backend, b, Float32Array);
    const ov = wasmView(backend, out, Float32Array);
    const alpha32 = Math.fround(alpha);
    for (let i = done; i < n; i++) {
      const v = av[i] as number;
      if (which === 'forward') ov[i] = v < 0 ? v * alpha32 : v;
      else ov[i] = (bv[i] as number) > 0 ? v : v * alpha32;
    }
  }
  return out;
}

function forwardKernel(original: tf.KernelConfig | undefined, args: KernelArgs): tf.TensorInfo {
  const backend = args.backend as Backend;
  const { x } = args.inputs as { x: tf.TensorInfo };
  const { alpha } = args.attrs as { alpha: number };
  if (x.dtype !== 'float32' || !simdLeakyReluFor(backend.wasm.asm?.memory)) {
    return callKernel(original, FORWARD, BACKEND, { inputs: args.inputs, backend, attrs: args.attrs ?? {} });
  }
  return run(backend, 'forward', x, x, alpha);
}

function gradientKernel(args: KernelArgs): tf.TensorInfo {
  const { dy, x } = args.inputs as { dy: tf.TensorInfo; x: tf.TensorInfo };
  const { alpha } = args.attrs as { alpha: number };
  return run(args.backend as Backend, 'gradient', dy, x, alpha);
}

/** tfjs-core's gradient, for backends without the kernel (and to restore). */
let displaced: tf.GradConfig | undefined;

const leakyGradient: tf.GradConfig = {
  kernelName: FORWARD,
  inputsToSave: ['x'],
  gradFunc: (dy, saved, attrs) => {
    const [x] = saved as [tf.Tensor];
    const { alpha } = attrs as unknown as { alpha: number };
    if (!tf.getKernel(LEAKY_RELU_GRAD_KERNEL, tf.getBackend()) || x.dtype !== 'float32') {
      // tfjs-core's composition.
      return { x: () => tf.where(tf.greater(x, 0), dy as tf.Tensor, tf.mul(dy as tf.Tensor, alpha)) };
    }
    return {
      x: () => tf.engine().runKernel(LEAKY_RELU_GRAD_KERNEL, { dy: dy as tf.Tensor, x }, { alpha }) as tf.Tensor,
    };
  },
};

/** Linear in dy (the same mask again); x only selects, so its gradient is zero. */
const gradOfGradient: tf.GradConfig = {
  kernelName: LEAKY_RELU_GRAD_KERNEL,
  inputsToSave: ['x'],
  gradFunc: (g, saved, attrs) => {
    const [x] = saved as [tf.Tensor];
    return {
      dy: () => tf.engine().runKernel(LEAKY_RELU_GRAD_KERNEL, { dy: g as tf.Tensor, x }, attrs) as tf.Tensor,
      x: () => tf.zerosLike(x),
    };
  },
};

/** The fix object used by `useBackend`. */
export const wasmSimdLeakyReluFix: BackendFix = {
  name: 'wasm-simd-leaky-relu',
  description:
    "Runs wasm LeakyRelu and its gradient (one kernel instead of Greater, Multiply and Select) in WebAssembly SIMD; tfjs's formulas, same bits.",
  backends: [BACKEND],
  apply: () => {
    replaceKernelWith(FORWARD, BACKEND, forwardKernel);
    replaceKernel(LEAKY_RELU_GRAD_KERNEL, BACKEND, () => gradientKernel as unknown as tf.KernelFunc);
    if (tf.getGradient(FORWARD) !== leakyGradient) {
      displaced = tf.getGradient(FORWARD);
      tf.registerGradient(leakyGradient);
    }
    if (!tf.getGradient(LEAKY_RELU_GRAD_KERNEL)) tf.registerGradient(gradOfGradient);
  },
  remove: () => {
    restoreKernel(FORWARD, BACKEND);
    restoreKernel(LEAKY_RELU_GRAD_KERNEL, BACKEND);
    if (tf.getGradient(FORWARD) === leakyGradient) {
      tf.unregisterGradient(FORWARD);
      if (displaced) tf.registerGradient(displaced);
      displaced = undefined;
    }
  },
  isApplied: () => isReplaced(FORWARD, BACKEND) && tf.getGradient(FORWARD) === leakyGradient,
};
