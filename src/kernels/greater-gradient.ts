/**
 * A zero gradient for `Greater`. tfjs-core registers none, and LeakyReLU's gradient is built from
 * `greater(x, 0)`, so any second-order gradient through LeakyReLU (WGAN-GP's gradient penalty,
 * R1) throws "gradient function not found for Greater" on every backend. A comparison is
 * piecewise constant, so its derivative is zero wherever it exists: the fix is exact.
 *
 * This file depends on tfjs-core only and has no side effect until a function is called, so the
 * browser-safe core may import it too.
 *
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
// tfjs's gradients are registered before this module replaces one of them.
import './tfjs-gradients.js';

const KERNEL = 'Greater';

const greaterGradConfig: tf.GradConfig = {
  kernelName: KERNEL,
  inputsToSave: ['a', 'b'],
  gradFunc: (_dy, saved) => {
    const [a, b] = saved as [tf.Tensor, tf.Tensor];
    return { a: () => tf.zerosLike(a), b: () => tf.zerosLike(b) };
  },
};

/**
 * Registers a zero gradient for tfjs's `Greater` op, unless one is registered already (by this
 * function or by tfjs itself). Idempotent; global to every backend.
 *
 * @returns true when this call registered it, false when a gradient was already there.
 * @example
 * ```ts
 * import { registerGreaterGradient } from 'ts-gan/backends';
 * registerGreaterGradient(); // WGAN-GP through LeakyReLU now works
 * ```
 * @category Backends
 */
export function registerGreaterGradient(): boolean {
  if (tf.getGradient(KERNEL) !== undefined) return false;
  tf.registerGradient(greaterGradConfig);
  return true;
}

/**
 * Removes the gradient that {@link registerGreaterGradient} registered (never one from elsewhere).
 * @returns true when it was removed.
 * @category Backends
 */
export function unregisterGreaterGradient(): boolean {
  if (tf.getGradient(KERNEL) !== greaterGradConfig) return false;
  tf.unregisterGradient(KERNEL);
  return true;
}

/**
 * Whether the gradient of {@link registerGreaterGradient} is the one registered now.
 * @category Backends
 */
export function greaterGradientRegistered(): boolean {
  return tf.getGradient(KERNEL) === greaterGradConfig;
}
