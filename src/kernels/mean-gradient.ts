/**
 * tfjs's `Mean` gradient without its ones tensor built in JavaScript. tfjs computes
 * `div(mul(reshape(dy), ones(x.shape)), n)`: `ones` allocates and fills a typed array the size of
 * the input in JavaScript and uploads it to the backend, in every backward pass (BatchNorm's batch
 * statistics are two means per layer, the losses one or two more). This gradient divides the
 * reshaped dy by a tensor filled with n by the backend's `Fill` kernel, broadcasting as tfjs's
 * multiply does: each element is `dy / n` with one IEEE division either way (`dy * 1` is exact),
 * so the results are the same bits, one kernel fewer and no upload.
 *
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';

const KERNEL = 'Mean';

const config: tf.GradConfig = {
  kernelName: KERNEL,
  inputsToSave: ['x'],
  gradFunc: (dy, saved, attrs) => {
    const [x] = saved as [tf.Tensor];
    const axes = tf.util.parseAxisParam((attrs as unknown as { axis: number | number[] }).axis, x.shape);
    const [, reduceShape] = tf.backend_util.computeOutAndReduceShapes(x.shape, axes);
    const reduceSize = tf.util.sizeFromShape(reduceShape);
    return {
      x: () => {
        const expanded = x.shape.slice();
        for (const axis of axes) expanded[axis] = 1;
        return tf.div(tf.reshape(dy as tf.Tensor, expanded), tf.fill(x.shape, reduceSize, 'float32'));
      },
    };
  },
};

/** tfjs's gradient, kept to restore. */
let displaced: tf.GradConfig | undefined;

/**
 * Registers the gradient above for `Mean`, keeping tfjs's to restore. Idempotent; global to every backend.
 * @category Backends
 */
export function applyMeanGradient(): void {
  const current = tf.getGradient(KERNEL);
  if (current === config) return;
  displaced = current;
  tf.registerGradient(config);
}

/**
 * Restores tfjs's `Mean` gradient (only when {@link applyMeanGradient} replaced it).
 * @category Backends
 */
export function removeMeanGradient(): void {
  if (tf.getGradient(KERNEL) !== config) return;
  tf.unregisterGradient(KERNEL);
  if (displaced) tf.registerGradient(displaced);
  displaced = undefined;
}

/**
 * Whether {@link applyMeanGradient} is in effect.
 * @category Backends
 */
export function meanGradientApplied(): boolean {
  return tf.getGradient(KERNEL) === config;
}
