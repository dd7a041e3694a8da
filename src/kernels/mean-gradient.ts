/**
 * tfjs-core's `Mean` gradient without its tensor of ones. tfjs computes it as
 * `div(mul(reshape(dy, kept), ones(x.shape)), n)`: `ones` fills a new array of the whole input in
 * JavaScript and uploads it, then two whole-input kernels run. A BatchNorm layer in training mode
 * takes two means of its input (tf.moments), so a `--arch dcgan` step at batch 64 built 14 such
 * arrays of 0.4 to 0.8 million floats: about 1.2 ms each on wasm, some 16 ms a step.
 *
 * Here the division comes first, on the reduced tensor, and a broadcasting multiply by `onesLike(x)`
 * (a backend kernel that fills its output in place) spreads it to x's shape. Both orders give
 * `dy[j] / n` in every element, because multiplying by 1 is exact in IEEE arithmetic (NaN, the
 * infinities and -0 included): the same bits as tfjs's gradient.
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
    const { axis } = attrs as unknown as { axis: number | number[] };
    const axes = tf.util.parseAxisParam(axis, x.shape);
    const [, reduceShape] = tf.backend_util.computeOutAndReduceShapes(x.shape, axes);
    const reduceSize = tf.util.sizeFromShape(reduceShape);
    return {
      x: () => {
        const expandedShape = x.shape.slice();
        for (const a of axes) expandedShape[a] = 1;
        const expandedDy = tf.reshape(dy as tf.Tensor, expandedShape);
        // tfjs's `ones` is float32 whatever x's dtype: keep its arithmetic for other dtypes.
        if (x.dtype !== 'float32') return tf.div(tf.mul(expandedDy, tf.ones(x.shape, 'float32')), reduceSize);
        return tf.mul(tf.div(expandedDy, reduceSize), tf.onesLike(x));
      },
    };
  },
};

/** tfjs's gradient, kept to restore. */
let displaced: tf.GradConfig | undefined;

/**
 * Registers the gradient above for `Mean`, keeping tfjs's to restore. Idempotent; global to every
 * backend.
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
