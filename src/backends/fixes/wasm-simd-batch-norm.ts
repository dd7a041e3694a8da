/**
 * `FusedBatchNorm` on wasm in WebAssembly SIMD, for the fix `wasm-simd-batch-norm`.
 *
 * tfjs-backend-wasm 4.22 normalizes one element at a time in a scalar C loop that keeps four
 * wrapping indices: about 1.2 ms for a `[64, 7, 7, 128]` input on an AVX-512 EPYC, where an
 * element-wise multiply of the same size takes 0.1 ms; a `--arch dcgan` step at batch 64 runs it 7
 * times (the generator's BatchNorm layers). This fix makes the same operations four channels at
 * a time (`wat/batch-norm.wat`, with a variant for a shared memory): `p = (x - mean) * scale` and
 * `nf = sqrt(variance + eps)` in float32, then `p / nf + offset` in float64 rounded once to float32,
 * as tfjs-wasm's compiled kernel does. Each step is correctly rounded, so every element has the same
 * bits as tfjs-wasm's.
 *
 * Taken where x is float32 with a last axis of a multiple of 4 channels and mean, variance, scale
 * and offset are all given, float32, one value per channel (what a tfjs-layers BatchNormalization
 * passes); everything else keeps tfjs-wasm's kernel.
 *
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import type { BackendFix } from './fix.js';
import { callKernel, type KernelArgs, kernelFix, type WasmBackendLike } from './kernels.js';
import { instanceOnMemory } from './wasm-bytecode.js';
import { BASE64, SHARED_BASE64 } from './wat/batch-norm.bytes.js';

const BACKEND = 'wasm';
const KERNEL = 'FusedBatchNorm';

/** `(x, rows, c, mean, variance, scale, offset, eps, y)`: byte addresses, counts, the float32 epsilon. */
type SimdBatchNorm = (
  x: number,
  rows: number,
  c: number,
  mean: number,
  variance: number,
  scale: number,
  offset: number,
  eps: number,
  y: number,
) => void;
const batchNormOn = instanceOnMemory(BASE64, SHARED_BASE64);

/** The SIMD function bound to `memory`, or null without WebAssembly SIMD. */
export function simdBatchNormFor(memory: WebAssembly.Memory | undefined): SimdBatchNorm | null {
  return memory ? ((batchNormOn(memory)?.batchNorm as SimdBatchNorm | undefined) ?? null) : null;
}

type Backend = WasmBackendLike & { wasm: { asm?: { memory?: WebAssembly.Memory } } };

function batchNormKernel(original: tf.KernelConfig | undefined, args: KernelArgs): tf.TensorInfo {
  const backend = args.backend as Backend;
  const { x, mean, variance, scale, offset } = args.inputs as Record<string, tf.TensorInfo | undefined>;
  const { varianceEpsilon } = args.attrs as unknown as { varianceEpsilon: number };
  const c = x ? (x.shape[x.shape.length - 1] ?? 0) : 0;
  const perChannel = (t: tf.TensorInfo | undefined): t is tf.TensorInfo =>
    t !== undefined && t.dtype === 'float32' && tf.util.sizeFromShape(t.shape) === c;
  const fn = simdBatchNormFor(backend.wasm.asm?.memory);
  const n = x ? tf.util.sizeFromShape(x.shape) : 0;
  if (
    !fn ||
    !x ||
    x.dtype !== 'float32' ||
    n === 0 ||
    c % 4 !== 0 ||
    !perChannel(mean) ||
    !perChannel(variance) ||
    !perChannel(scale) ||
    !perChannel(offset)
  ) {
    return callKernel(original, KERNEL, BACKEND, { inputs: args.inputs, backend, attrs: args.attrs ?? {} });
  }
  const out = backend.makeOutput([...x.shape], 'float32');
  const at = (t: tf.TensorInfo) => (backend.dataIdMap.get(t.dataId) as { memoryOffset: number }).memoryOffset;
  // tfjs-wasm passes the epsilon to a float parameter: the same float32 rounding happens here.
  fn(at(x), n / c, c, at(mean), at(variance), at(scale), at(offset), varianceEpsilon, at(out));
  return out;
}

/** The fix object used by `useBackend`. */
export const wasmSimdBatchNormFix: BackendFix = kernelFix({
  name: 'wasm-simd-batch-norm',
  description:
    "Runs wasm FusedBatchNorm over a last axis of 4n channels in WebAssembly SIMD, tfjs-wasm's operations (float32, then a float64 division and addition) four channels at a time, instead of its scalar C loop; same bits.",
  backend: BACKEND,
  kernelName: KERNEL,
  run: batchNormKernel,
  available: () => Boolean(simdBatchNormFor(new WebAssembly.Memory({ initial: 1 }))),
});
