/**
 * Regularizers and stabilizers: gradient penalties, weight clipping, instance noise, and the
 * moving average of the generator's weights.
 *
 * @packageDocumentation
 */
export type { DiscriminatorPenalty, PenaltyContext } from './penalty.js';
export {
  gradientPenalty,
  r1Penalty,
  r2Penalty,
  wganGradientPenalty,
  zeroCenteredGradientPenalty,
  inputGradient,
  squaredNorms,
  type GradientPenaltyOptions,
  type ZeroCenteredPenaltyOptions,
} from './gradient-penalty.js';
export { clipWeights, checkWeightClip, WGAN_CLIP_VALUE } from './weight-clip.js';
export { InstanceNoise, addInstanceNoise, type InstanceNoiseOptions } from './instance-noise.js';
export { ExponentialMovingAverage, type EmaOptions } from './ema.js';
