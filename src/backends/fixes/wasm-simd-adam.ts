/**
 * A tiny WebAssembly SIMD function that performs the Adam update on tfjs-wasm's own memory: four
 * lanes at a time, with the same float32 operations in the same order as tf.train.adam's op
 * sequence (IEEE add, mul, div and sqrt are exactly rounded in wasm SIMD, so the bits match). A
 * JavaScript loop cannot compete with tfjs's SIMD kernels here; this can, and it reads and writes
 * each tensor once instead of a dozen times. Its source is WebAssembly text, `wat/adam.wat`
 * (assembled by `npm run build:wasm` into `wat/adam.bytes.ts`, with a variant for a shared memory).
 *
 * @packageDocumentation
 */

import { instanceOnMemory } from './wasm-bytecode.js';
import { BASE64, SHARED_BASE64 } from './wat/adam.bytes.js';

/**
 * The update function: the byte addresses of x, m, v, g, x', m', v', the byte length (a multiple
 * of 16: whole groups of four floats), then the eight float32 constants in AdamUpdateAttrs order.
 */
export type SimdAdam = (
  x: number,
  m: number,
  v: number,
  g: number,
  xOut: number,
  mOut: number,
  vOut: number,
  bytes: number,
  beta1: number,
  oneMinusBeta1: number,
  beta2: number,
  oneMinusBeta2: number,
  oneMinusAccBeta1: number,
  oneMinusAccBeta2: number,
  epsilon: number,
  negLearningRate: number,
) => void;

const adamOn = instanceOnMemory(BASE64, SHARED_BASE64);

/**
 * The SIMD update bound to `memory`, or null where it cannot be built (no WebAssembly SIMD, or a
 * shared memory this module cannot import): callers then use the op sequence.
 */
export function simdAdamFor(memory: WebAssembly.Memory | undefined): SimdAdam | null {
  return memory ? ((adamOn(memory)?.adam as SimdAdam | undefined) ?? null) : null;
}
