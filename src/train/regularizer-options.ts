/**
 * The regularizer options of a {@link Trainer}, checked up front and resolved into the objects
 * the training step uses.
 *
 * @packageDocumentation
 */
import { ConfigError } from '../errors.js';
import type { GAN } from '../gan.js';
import { checkEmaOptions, type EmaOptions } from '../regularizers/ema.js';
import {
  type GradientPenaltyOptions,
  gradientPenalty,
  r1Penalty,
  r2Penalty,
  type ZeroCenteredPenaltyOptions,
} from '../regularizers/gradient-penalty.js';
import { InstanceNoise, type InstanceNoiseOptions } from '../regularizers/instance-noise.js';
import type { DiscriminatorPenalty } from '../regularizers/penalty.js';
import { checkWeightClip } from '../regularizers/weight-clip.js';
import { show } from '../util/validate.js';

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

/**
 * Checks the options and builds the regularizers (the moving average is built by the trainer).
 * @throws {@link ConfigError} for a bad value or a combination that does not make sense.
 */
export function resolveRegularizers(gan: GAN, options: RegularizerOptions): Regularizers {
  const penalties: DiscriminatorPenalty[] = [];
  if (options.gradientPenalty !== undefined) penalties.push(gradientPenalty(options.gradientPenalty));
  if (options.r1 !== undefined) penalties.push(r1Penalty(options.r1));
  if (options.r2 !== undefined) penalties.push(r2Penalty(options.r2));
  if (options.penalties !== undefined) {
    if (!Array.isArray(options.penalties)) {
      throw new ConfigError(`Trainer: penalties must be an array, got ${show(options.penalties)}.`);
    }
    options.penalties.forEach((p: DiscriminatorPenalty, i: number) => {
      if (p === null || typeof p !== 'object' || typeof p.name !== 'string' || typeof p.compute !== 'function') {
        throw new ConfigError(`Trainer: penalties[${i}] must be an object { name, compute }, got ${show(p)}.`);
      }
      if (p.inputGradientOf !== undefined && p.inputGradientOf !== 'real' && p.inputGradientOf !== 'fake') {
        throw new ConfigError(
          `Trainer: penalties[${i}].inputGradientOf must be "real", "fake" or left out, got ${show(p.inputGradientOf)}.`,
        );
      }
      penalties.push(p);
    });
  }
  const names = penalties.map((p) => p.name);
  const duplicate = names.find((n, i) => names.indexOf(n) !== i);
  if (duplicate !== undefined) {
    throw new ConfigError(
      `Trainer: two penalties are named "${duplicate}"; give each a distinct name (it is its log key).`,
    );
  }
  let weightClip: number | undefined;
  if (options.weightClip !== undefined) {
    weightClip = checkWeightClip(options.weightClip, gan.loss);
    if (options.gradientPenalty !== undefined) {
      throw new ConfigError(
        'Trainer: give weightClip or gradientPenalty, not both; the gradient penalty replaces clipping (Gulrajani et al. 2017).',
      );
    }
  }
  if (options.ema !== undefined) checkEmaOptions(options.ema);
  const instanceNoise = options.instanceNoise === undefined ? undefined : new InstanceNoise(options.instanceNoise);
  return Object.freeze({ penalties: Object.freeze(penalties), weightClip, instanceNoise });
}
