/**
 * Regularizers and stabilizers: gradient penalties, weight clipping, instance noise, DiffAugment, and the
 * moving average of the generator's weights.
 *
 * @packageDocumentation
 */

export {
  DIFF_AUGMENT_POLICIES,
  DiffAugment,
  type DiffAugmentOptions,
  type DiffAugmentPolicy,
  diffAugment,
  diffAugmentTransform,
} from './diff-augment.js';
export { type EmaOptions, ExponentialMovingAverage } from './ema.js';
export {
  type GradientPenaltyOptions,
  gradientPenalty,
  inputGradient,
  r1Penalty,
  r2Penalty,
  squaredNorms,
  wganGradientPenalty,
  type ZeroCenteredPenaltyOptions,
  zeroCenteredGradientPenalty,
} from './gradient-penalty.js';
export type { InputTransform } from './hooks.js';
export {
  addInstanceNoise,
  InstanceNoise,
  type InstanceNoiseOptions,
  instanceNoiseTransform,
} from './instance-noise.js';
export type { DiscriminatorPenalty, PenaltyContext } from './penalty.js';
export { checkWeightClip, clipWeights, WGAN_CLIP_VALUE } from './weight-clip.js';
