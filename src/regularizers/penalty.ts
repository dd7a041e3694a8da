/**
 * The interface a discriminator regularizer implements to join the discriminator's loss.
 *
 * @packageDocumentation
 */
import type * as tf from '@tensorflow/tfjs-core';
import type { SeededRandom } from '../random.js';
import { positiveInteger } from '../util/validate.js';

/**
 * What a {@link DiscriminatorPenalty} receives, inside the discriminator's update (so that the
 * penalty's gradient reaches the discriminator's weights).
 * @category Regularizers
 */
export interface PenaltyContext {
  /** The real batch the discriminator sees (after instance noise, when that is on). */
  readonly real: tf.Tensor;
  /** The generated batch the discriminator sees (after instance noise, when that is on). */
  readonly fake: tf.Tensor;
  /** The discriminator's logits on `real`. */
  readonly realLogits: tf.Tensor;
  /** The discriminator's logits on `fake`. */
  readonly fakeLogits: tf.Tensor;
  /**
   * The discriminator as a function of its data input, in training mode: for a conditional GAN it
   * closes over the batch's labels. Differentiate through it for gradient penalties.
   */
  readonly critic: (x: tf.Tensor) => tf.Tensor;
  /** The trainer's random source (for interpolation weights and the like). */
  readonly rng: SeededRandom;
  /**
   * The gradient of `sum(critic(real))` (or of `fake`) with respect to that batch, taken from the
   * same forward pass as `realLogits` (or `fakeLogits`): present only for the side a penalty asked
   * for with {@link DiscriminatorPenalty.inputGradientOf}, and only inside the trainer's update.
   */
  readonly inputGradients?: { readonly real?: tf.Tensor; readonly fake?: tf.Tensor };
}

/**
 * A term added to the discriminator's loss: a gradient penalty, R1, or one of your own.
 * `compute` runs inside the optimizer's closure and must be synchronous and differentiable.
 *
 * @example
 * ```ts
 * const logitPenalty: DiscriminatorPenalty = {
 *   name: 'logitPenalty',
 *   compute: ({ realLogits }) => tf.mul(1e-3, tf.mean(tf.square(realLogits))),
 * };
 * ```
 * @category Regularizers
 */
export interface DiscriminatorPenalty {
  /** The key the penalty's value is logged under (for example `gradientPenalty`). */
  readonly name: string;
  /**
   * Ask the update for the discriminator's input gradient on the real (or generated) batch in
   * `context.inputGradients`: the update then differentiates the forward pass whose logits make the
   * loss, instead of the penalty running the discriminator a second time. R1 and R2 use it; a
   * penalty must still work without it (a custom step may call `compute` with a plain context).
   */
  readonly inputGradientOf?: 'real' | 'fake';
  /**
   * Lazy regularization: the trainer adds the penalty on every `every`-th step only (steps
   * `every`, `2 * every`, ...) and logs it on those steps. Its value is not rescaled: scale the
   * weight yourself if you want the same average strength (StyleGAN2 multiplies it by `every`).
   * Default 1, every step.
   */
  readonly every?: number;
  /**
   * @param context - the batch, the logits and the critic function.
   * @returns the weighted penalty, a scalar added to the discriminator loss.
   */
  compute(context: PenaltyContext): tf.Scalar;
}

/**
 * Whether a penalty runs at a step (see {@link DiscriminatorPenalty.every}).
 * @param penalty - the penalty.
 * @param step - the 1-based step.
 */
export function penaltyActiveAt(penalty: DiscriminatorPenalty, step: number): boolean {
  return penalty.every === undefined || step % penalty.every === 0;
}

/** Checks `every` of a penalty's options (undefined when absent). */
export function everyOption(where: string, every: unknown): number | undefined {
  return every === undefined ? undefined : positiveInteger(where, 'every', every);
}
