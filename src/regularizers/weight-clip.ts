/**
 * Weight clipping, the original WGAN's crude Lipschitz constraint (Arjovsky et al. 2017,
 * "Wasserstein GAN", Algorithm 1: clip to [-0.01, 0.01] after every critic update).
 *
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { ConfigError } from '../errors.js';
import type { GanLoss } from '../losses/gan-loss.js';
import { positiveNumber } from '../util/validate.js';
import { defineRegularizer } from './hooks.js';

/** The clipping bound c of the WGAN paper. */
export const WGAN_CLIP_VALUE = 0.01;

/**
 * Clips every variable, in place, to [-clipValue, clipValue].
 *
 * @param variables - the critic's trainable variables.
 * @param clipValue - the bound c > 0.
 * @example
 * ```ts
 * clipWeights(trainableVariables(gan.discriminator), 0.01);
 * ```
 * @category Regularizers
 */
export function clipWeights(variables: readonly tf.Variable[], clipValue: number): void {
  tf.tidy(() => {
    for (const v of variables) v.assign(tf.clipByValue(v, -clipValue, clipValue));
  });
}

/**
 * Checks the `weightClip` trainer option against the loss: clipping makes the critic Lipschitz,
 * which is what a Wasserstein critic needs and what a classifier's logits do not.
 *
 * @param value - the bound c.
 * @param loss - the GAN's loss.
 * @returns the bound.
 * @throws {@link ConfigError} for a bound that is not a positive number, or a loss without `isWasserstein`.
 * @category Regularizers
 */
export function checkWeightClip(value: unknown, loss: GanLoss): number {
  const clip = positiveNumber('Trainer', 'weightClip', value);
  if (!loss.isWasserstein) {
    throw new ConfigError(
      `Trainer: weightClip needs a Wasserstein loss (one with isWasserstein), got the "${loss.name}" loss. ` +
        "Use loss: 'wasserstein', or constrain this discriminator with gradientPenalty, r1 or spectral normalization instead.",
    );
  }
  return clip;
}

/** Trainer option `weightClip`: clips the critic after each of its updates. */
export const weightClipRegularizer = defineRegularizer({
  option: 'weightClip',
  checkpoint: 'json',
  check(value: number, gan, options): number {
    const clip = checkWeightClip(value, gan.loss);
    if (options.gradientPenalty !== undefined) {
      throw new ConfigError(
        'Trainer: give weightClip or gradientPenalty, not both; the gradient penalty replaces clipping (Gulrajani et al. 2017).',
      );
    }
    return clip;
  },
  create: (clip) => ({ afterDiscriminatorUpdate: (variables) => clipWeights(variables, clip), state: clip }),
});
