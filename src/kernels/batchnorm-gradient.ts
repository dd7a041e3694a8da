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

/**
 * The one-pass gradient kernel that `ts-gan/backends` registers on wasm and cpu (the fix
 * `fused-batchnorm-gradient`). Inputs `x`, `dy` (channels last), per-channel `mean`, `scale`
 * (optional), `r` = 1/√(variance + ε) and `h` = -½r³; outputs the gradients of `x`, `mean`,
 * `variance`, `scale` and `offset`, each element by the float32 operations of the chain below, in
 * its order.
 * @category Backends
 */
export const BATCHNORM_GRAD_KERNEL = 'TsGanBatchNormGrad';

/** Whether the gradient can run as one kernel here: channels last, float32, and no tape recording it. */
function fusedKernelApplies(x: tf.Tensor, dy: tf.Tensor, mean: tf.Tensor, scale: tf.Tensor | undefined): boolean {
  const engine = tf.engine() as unknown as { state: { gradientDepth: number } };
  const c = mean.shape[0] as number;
  return (
    // A backward pass that a gradient records (double backpropagation) needs differentiable ops.
    engine.state.gradientDepth === 0 &&
    mean.rank === 1 &&
    x.shape[x.rank - 1] === c &&
    (scale === undefined || (scale.rank === 1 && scale.shape[0] === c)) &&
    [x, dy, mean, scale].every((t) => t === undefined || t.dtype === 'float32') &&
    tf.getKernel(BATCHNORM_GRAD_KERNEL, tf.getBackend()) !== undefined
  );
}

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
    const oneOverSqrtVariance = tf.rsqrt(tf.add(variance, tf.scalar(varianceEpsilon)));
    const minusHalfRCube = tf.mul(
      tf.mul(tf.mul(oneOverSqrtVariance, oneOverSqrtVariance), oneOverSqrtVariance),
      tf.scalar(-0.5),
    );
    const perMean = (t: tf.Tensor) => tf.reshape(perChannel ? tf.sum(t, reductionAxes) : t, mean.shape);
    if (fusedKernelApplies(x, dy0, mean, scale)) {
      // All five at once, in the backward pass's scope (which outlives each thunk's own).
      const inputs = { x, dy: dy0, mean, r: oneOverSqrtVariance, h: minusHalfRCube, ...(scale && { scale }) };
      const [dx, dMean, dVariance, dScale, dOffset] = tf
        .engine()
        .runKernel(BATCHNORM_GRAD_KERNEL, inputs as unknown as tf.NamedTensorMap) as tf.Tensor[];
      return {
        x: () => dx as tf.Tensor,
        mean: () => dMean as tf.Tensor,
        variance: () => dVariance as tf.Tensor,
        scale: () => dScale as tf.Tensor,
        offset: () => dOffset as tf.Tensor,
      };
    }
    const xMinusMean = tf.sub(x, mean);
    const dyTimesScaleValue = tf.mul(dy0, scaleValue);
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
