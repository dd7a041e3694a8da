/**
 * `Tanh` on wasm in WebAssembly SIMD. tfjs-backend-wasm 4.22 calls the C library's `tanh` on each
 * element: about 23 ns per element on an AVX-512 EPYC, 4.7 ms for a batch-256 MNIST generator's
 * output, where its `Sigmoid` takes 0.45 ms. This fix computes Eigen's 13/6-degree rational
 * interpolant of tanh four lanes at a time (`wat/tanh.wat`, assembled by `npm run build:wasm`, with a
 * variant for a shared memory), and the last n % 4 elements in JavaScript with the same float32
 * steps, so an element's value does not depend on where it sits. The result is within a few float32
 * ulps of the exact tanh (the tests bound it); tfjs's gradient, `dy * (1 - y^2)`, is unchanged.
 *
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import type { BackendFix } from './fix.js';
import { callKernel, type KernelArgs, kernelFix, type WasmBackendLike, wasmView } from './kernels.js';
import { instanceOnMemory } from './wasm-bytecode.js';
import { BASE64, SHARED_BASE64 } from './wat/tanh.bytes.js';

const BACKEND = 'wasm';
const KERNEL = 'Tanh';

/** `(x, y, bytes)`: byte addresses, a byte length (a multiple of 16). */
type SimdTanh = (x: number, y: number, bytes: number) => void;
const tanhOn = instanceOnMemory(BASE64, SHARED_BASE64);

/** The SIMD function bound to `memory`, or null without WebAssembly SIMD. */
export function simdTanhFor(memory: WebAssembly.Memory | undefined): SimdTanh | null {
  return memory ? ((tanhOn(memory)?.tanh as SimdTanh | undefined) ?? null) : null;
}

const f = Math.fround;
/** Eigen's coefficients as float32: the numerator's a13 ... a1, the denominator's b6 ... b0. */
const P = [
  -2.76076847742355e-16, 2.00018790482477e-13, -8.60467152213735e-11, 5.12229709037114e-8, 1.48572235717979e-5,
  6.37261928875436e-4, 4.89352455891786e-3,
].map(f);
const Q = [1.19825839466702e-6, 1.18534705686654e-4, 2.268434632439e-3, 4.89352518554385e-3].map(f);
const TINY = f(0.0004);

/** The kernel's function on one float32, step by step as `wat/tanh.wat` does it. */
export function tanh32(x: number): number {
  if (Math.abs(x) < TINY) return x;
  const c = Math.max(Math.min(x, 9), -9);
  const s = f(c * c);
  let p = P[0] as number;
  for (let i = 1; i < P.length; i++) p = f(f(s * p) + (P[i] as number));
  p = f(c * p);
  let q = Q[0] as number;
  for (let i = 1; i < Q.length; i++) q = f(f(s * q) + (Q[i] as number));
  return f(p / q);
}

type Backend = WasmBackendLike & { wasm: { asm?: { memory?: WebAssembly.Memory } } };

function tanhKernel(original: tf.KernelConfig | undefined, args: KernelArgs): tf.TensorInfo {
  const backend = args.backend as Backend;
  const { x } = args.inputs as { x: tf.TensorInfo };
  const fn = simdTanhFor(backend.wasm.asm?.memory);
  if (x.dtype !== 'float32' || !fn) {
    return callKernel(original, KERNEL, BACKEND, { inputs: args.inputs, backend, attrs: args.attrs ?? {} });
  }
  const out = backend.makeOutput([...x.shape], 'float32');
  const n = tf.util.sizeFromShape(x.shape);
  const done = n - (n % 4);
  if (done > 0) {
    const offset = (t: tf.TensorInfo) => (backend.dataIdMap.get(t.dataId) as { memoryOffset: number }).memoryOffset;
    fn(offset(x), offset(out), done * 4);
  }
  if (done < n) {
    // Views only now: the allocation above may have grown (and detached) the wasm heap.
    const xv = wasmView(backend, x, Float32Array);
    const ov = wasmView(backend, out, Float32Array);
    for (let i = done; i < n; i++) ov[i] = tanh32(xv[i] as number);
  }
  return out;
}

/** The fix object used by `useBackend`. */
export const wasmSimdTanhFix: BackendFix = kernelFix({
  name: 'wasm-simd-tanh',
  description:
    "Runs wasm Tanh in WebAssembly SIMD (Eigen's rational interpolant, within a few float32 ulps) instead of the C library's tanh per element.",
  backend: BACKEND,
  kernelName: KERNEL,
  run: tanhKernel,
  available: () => Boolean(simdTanhFor(new WebAssembly.Memory({ initial: 1 }))),
});
