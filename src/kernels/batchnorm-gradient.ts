/**
 * tfjs-core's `FusedBatchNorm` gradient without its `Tile`. To scale dy by 1/sqrt(variance + eps)
 * it first tiles that per-channel vector to the whole batch, then multiplies; a broadcasting
 * multiply gives the same products element for element. On wasm the `Tile` kernel is slow: in the
 * seed GAN's batch-32 step its three calls (one per BatchNorm layer) took about 3 of 57 ms of
 * kernel time. Everything else is tfjs's gradient as it is, operation for operation, so the
 * results are the same bits.
 *
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
// tfjs's gradients are registered before this module replaces one of them.
import './tfjs-gradients.js';

const KERNEL = 'FusedBatchNorm';

const config: tf.GradConfig = {
  kernelName: KERNEL,
  inputsToSave: ['x', 'mean', 'variance', 'scale'],
  gradFunc: (dy, saved, attrs) => {
    const { varianceEpsilon } = attrs as unknown as { varianceEpsilon: number };
    const [x, mean, variance, scale] = saved as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor | undefined];
    const dy0 = dy as tf.Tensor;
    const scaleValue = scale ?? tf.scalar(1);
    const reductionAxes = tf.backend_util.getReductionAxes(mean.shape, x.shape);
    const perChannel = mean.rank === 1;
    const xMinusMean = tf.sub(x, mean);
    const dyTimesScaleValue = tf.mul(dy0, scaleValue);
    const oneOverSqrtVariance = tf.rsqrt(tf.add(variance, tf.scalar(varianceEpsilon)));
    const minusHalfRCube = tf.mul(
      tf.mul(tf.mul(oneOverSqrtVariance, oneOverSqrtVariance), oneOverSqrtVariance),
      tf.scalar(-0.5),
    );
    const perMean = (t: tf.Tensor) => tf.reshape(perChannel ? tf.sum(t, reductionAxes) : t, mean.shape);
    return {
      x: () => {
        // tfjs: mul(dy, tile(reshape(r, [1, 1, 1, C]), [...x.shape[:-1], 1])); broadcasting is the same product.
        const r = perChannel
          ? tf.reshape(oneOverSqrtVariance, [...new Array<number>(x.rank - 1).fill(1), mean.shape[0] as number])
          : oneOverSqrtVariance;
        return tf.reshape(tf.mul(tf.mul(dy0, r), scaleValue), x.shape);
      },
      mean: () => perMean(tf.mul(tf.mul(oneOverSqrtVariance, tf.scalar(-1)), dyTimesScaleValue)),
      variance: () => perMean(tf.mul(tf.mul(minusHalfRCube, xMinusMean), dyTimesScaleValue)),
      scale: () => perMean(tf.mul(dy0, tf.mul(xMinusMean, oneOverSqrtVariance))),
      offset: () => perMean(dy0),
    };
  },
};

/** tfjs's gradient, kept to restore. */
let displaced: tf.GradConfig | undefined;

/**
 * Registers the gradient above for `FusedBatchNorm`, keeping tfjs's to restore. Idempotent; global
 * to every backend.
 * @category Backends
 */
export function applyBatchNormGradient(): void {
  const current = tf.getGradient(KERNEL);
  if (current === config) return;
  displaced = current;
  tf.registerGradient(config);
}

/**
 * Restores tfjs's `FusedBatchNorm` gradient (only when {@link applyBatchNormGradient} replaced it).
 * @category Backends
 */
export function removeBatchNormGradient(): void {
  if (tf.getGradient(KERNEL) !== config) return;
  tf.unregisterGradient(KERNEL);
  if (displaced) tf.registerGradient(displaced);
  displaced = undefined;
}

/**
 * Whether {@link applyBatchNormGradient} is in effect.
 * @category Backends
 */
export function batchNormGradientApplied(): boolean {
  return tf.getGradient(KERNEL) === config;
}
