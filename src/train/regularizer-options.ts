/**
 * The regularizer options of a {@link Trainer}. Each is declared by a regularizer in
 * `regularizers/registry.ts`, which checks it and turns it into hooks on the step.
 *
 * @packageDocumentation
 */
import type { DiffAugmentOptions } from '../regularizers/diff-augment.js';
import type { EmaOptions } from '../regularizers/ema.js';
import type { GradientPenaltyOptions, ZeroCenteredPenaltyOptions } from '../regularizers/gradient-penalty.js';
import type { InstanceNoise, InstanceNoiseOptions } from '../regularizers/instance-noise.js';
import type { DiscriminatorPenalty } from '../regularizers/penalty.js';
import type { RegularizerKey } from '../regularizers/registry.js';

/**
 * Regularizer and stabilizer options of a {@link Trainer}. Each composes with every loss where the
 * combination makes sense; the constructor refuses the others with a {@link ConfigError}.
 * @category Regularizers
 */
export interface RegularizerOptions {
  /** WGAN-GP (Gulrajani et al. 2017) on interpolates of real and generated samples, e.g. `{ weight: 10 }`. */
  gradientPenalty?: GradientPenaltyOptions;
  /** R1 (Mescheder et al. 2018): gradient penalty on real data, e.g. `{ gamma: 10 }`. */
  r1?: ZeroCenteredPenaltyOptions;
  /** R2: the same on generated data. */
  r2?: ZeroCenteredPenaltyOptions;
  /** Penalties of your own, added to the discriminator loss after the built-in ones. */
  penalties?: readonly DiscriminatorPenalty[];
  /** The original WGAN's weight clipping bound c (the paper uses 0.01). Wasserstein losses only. */
  weightClip?: number;
  /** Gaussian noise on every discriminator input, optionally annealed, e.g. `{ std: 0.1, annealSteps: 2000 }`. */
  instanceNoise?: InstanceNoiseOptions;
  /**
   * DiffAugment (Zhao et al. 2020): random, differentiable colour, translation and cutout on every
   * image the discriminator sees, real and generated, in both updates; for small datasets.
   * E.g. `{ policy: ['color', 'translation', 'cutout'] }`.
   */
  augment?: DiffAugmentOptions;
  /** An exponential moving average of the generator's weights, e.g. `{ decay: 0.999 }`; see {@link Trainer.ema}. */
  ema?: EmaOptions;
}

/**
 * The regularizers a trainer applies, resolved from {@link RegularizerOptions}.
 * @category Regularizers
 */
export interface Regularizers {
  /** Added to each discriminator loss, in this order. */
  readonly penalties: readonly DiscriminatorPenalty[];
  /** Clipping bound applied after each discriminator update, if any. */
  readonly weightClip: number | undefined;
  /** The instance-noise schedule, if any. */
  readonly instanceNoise: InstanceNoise | undefined;
}

/** Every regularizer option has a registered regularizer, and every registered one an option here. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const keysMatch: Same<keyof RegularizerOptions, RegularizerKey> = true;
void keysMatch;
