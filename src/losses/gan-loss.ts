/**
 * The {@link GanLoss} interface, the built-in losses, and lookup by name.
 *
 * @packageDocumentation
 */
import type * as tf from '@tensorflow/tfjs-core';
import { ConfigError } from '../errors.js';
import { closestName } from '../util/names.js';
import {
  crossEntropyDiscriminatorLoss,
  hingeDiscriminatorLoss,
  leastSquaresDiscriminatorLoss,
  leastSquaresGeneratorLoss,
  minimaxGeneratorLoss,
  nonSaturatingGeneratorLoss,
  wassersteinDiscriminatorLoss,
  wassersteinGeneratorLoss,
} from './functional.js';

/**
 * Options the trainer passes to {@link GanLoss.discriminatorLoss}.
 * @category Losses
 */
export interface DiscriminatorLossOptions {
  /** Target for real samples: 1, or `1 - labelSmoothing`. Only losses with `supportsLabelSmoothing` get a value other than 1. */
  realLabel?: number;
}

/**
 * A GAN objective: a discriminator loss and a generator loss on the discriminator's raw outputs.
 * Implement it to plug in your own; both methods must be synchronous and differentiable.
 *
 * @example
 * ```ts
 * const relativistic: GanLoss = {
 *   name: 'relativistic',
 *   needsRealLogitsForGenerator: true,
 *   discriminatorLoss: (r, f) => tf.mean(tf.softplus(tf.neg(tf.sub(r, f)))),
 *   generatorLoss: (f, r) => tf.mean(tf.softplus(tf.neg(tf.sub(f, r!)))),
 * };
 * ```
 * @category Losses
 */
export interface GanLoss {
  /** A name for logs and checkpoints. */
  readonly name: string;
  /** Whether one-sided label smoothing is meaningful for this loss (it is for cross-entropy and least squares). */
  readonly supportsLabelSmoothing?: boolean;
  /** Set when `generatorLoss` needs the logits of real data (relativistic losses): the trainer then computes them in the generator step. */
  readonly needsRealLogitsForGenerator?: boolean;
  /** Whether the loss treats the discriminator as a Wasserstein critic (weight clipping is meaningful only then). */
  readonly isWasserstein?: boolean;
  /**
   * @param realLogits - discriminator outputs on real data, `[batch, 1]`.
   * @param fakeLogits - discriminator outputs on generated data, `[batch, 1]`.
   * @param options - the real target.
   * @returns the scalar loss the discriminator minimizes.
   */
  discriminatorLoss(realLogits: tf.Tensor, fakeLogits: tf.Tensor, options?: DiscriminatorLossOptions): tf.Scalar;
  /**
   * @param fakeLogits - discriminator outputs on generated data, `[batch, 1]`.
   * @param realLogits - outputs on real data, given only when `needsRealLogitsForGenerator` is set.
   * @returns the scalar loss the generator minimizes.
   */
  generatorLoss(fakeLogits: tf.Tensor, realLogits?: tf.Tensor): tf.Scalar;
}

/**
 * Names of the built-in losses.
 * @category Losses
 */
export type LossName = 'minimax' | 'non-saturating' | 'least-squares' | 'wasserstein' | 'hinge';

/**
 * The original minimax GAN (Goodfellow et al. 2014): cross-entropy D loss, G minimizes log(1 - D(G(z))).
 * @category Losses
 */
export const minimaxLoss: GanLoss = {
  name: 'minimax',
  supportsLabelSmoothing: true,
  discriminatorLoss: (r, f, o) => crossEntropyDiscriminatorLoss(r, f, o?.realLabel),
  generatorLoss: (f) => minimaxGeneratorLoss(f),
};

/**
 * The non-saturating GAN (Goodfellow et al. 2014, section 3): cross-entropy D loss, G maximizes log D(G(z)).
 * The default, and what the Keras MLP GAN trains with.
 * @category Losses
 */
export const nonSaturatingLoss: GanLoss = {
  name: 'non-saturating',
  supportsLabelSmoothing: true,
  discriminatorLoss: (r, f, o) => crossEntropyDiscriminatorLoss(r, f, o?.realLabel),
  generatorLoss: (f) => nonSaturatingGeneratorLoss(f),
};

/**
 * Least-squares GAN (Mao et al. 2017).
 * @category Losses
 */
export const leastSquaresLoss: GanLoss = {
  name: 'least-squares',
  supportsLabelSmoothing: true,
  discriminatorLoss: (r, f, o) => leastSquaresDiscriminatorLoss(r, f, o?.realLabel),
  generatorLoss: (f) => leastSquaresGeneratorLoss(f),
};

/**
 * Wasserstein GAN (Arjovsky et al. 2017). Pair it with a Lipschitz constraint.
 * @category Losses
 */
export const wassersteinLoss: GanLoss = {
  name: 'wasserstein',
  isWasserstein: true,
  discriminatorLoss: (r, f) => wassersteinDiscriminatorLoss(r, f),
  generatorLoss: (f) => wassersteinGeneratorLoss(f),
};

/**
 * Hinge GAN (Lim and Ye 2017; Miyato et al. 2018).
 * @category Losses
 */
export const hingeLoss: GanLoss = {
  name: 'hinge',
  discriminatorLoss: (r, f) => hingeDiscriminatorLoss(r, f),
  generatorLoss: (f) => wassersteinGeneratorLoss(f),
};

const BUILT_IN: Readonly<Record<LossName, GanLoss>> = {
  minimax: minimaxLoss,
  'non-saturating': nonSaturatingLoss,
  'least-squares': leastSquaresLoss,
  wasserstein: wassersteinLoss,
  hinge: hingeLoss,
};

/** Names {@link getLoss} accepts. @category Losses */
export const LOSS_NAMES = Object.keys(BUILT_IN) as readonly LossName[];

/**
 * Looks up a built-in loss by name, or returns a {@link GanLoss} object unchanged.
 *
 * @param nameOrLoss - a {@link LossName} or a GanLoss.
 * @returns the loss object.
 * @throws {@link ConfigError} for an unknown name, with the closest known one.
 * @example
 * ```ts
 * const loss = getLoss('hinge');
 * ```
 * @category Losses
 */
export function getLoss(nameOrLoss: LossName | GanLoss | string): GanLoss {
  if (typeof nameOrLoss !== 'string') {
    if (
      nameOrLoss === null ||
      typeof nameOrLoss !== 'object' ||
      typeof nameOrLoss.discriminatorLoss !== 'function' ||
      typeof nameOrLoss.generatorLoss !== 'function'
    ) {
      throw new ConfigError(
        'getLoss: expected a loss name or an object with discriminatorLoss and generatorLoss functions, ' +
          `got ${describe(nameOrLoss)}.`,
      );
    }
    return nameOrLoss;
  }
  const found = (BUILT_IN as Record<string, GanLoss | undefined>)[nameOrLoss];
  if (found) return found;
  const hint = closestName(nameOrLoss, LOSS_NAMES);
  throw new ConfigError(
    `getLoss: unknown loss "${nameOrLoss}".${hint ? ` Did you mean "${hint}"?` : ''} ` +
      `Known losses: ${LOSS_NAMES.join(', ')}.`,
  );
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object without discriminatorLoss/generatorLoss';
  return typeof value;
}
