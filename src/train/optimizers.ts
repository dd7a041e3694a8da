/**
 * The trainer's two optimizers: the ones the caller gave (the trainer owns them), or default
 * Adams made at first use, so that a fit refused before any step leaves nothing allocated.
 *
 * @packageDocumentation
 */
import type * as tf from '@tensorflow/tfjs-core';
import { ConfigError, StateError } from '../errors.js';
import { numberInRange, positiveNumber, show } from '../util/validate.js';
import { FusedAdamOptimizer } from './adam.js';
import type { TrainerOptions } from './trainer-options.js';

/** The seed document's Adam: learning rate 2e-4, beta1 0.5 (Radford et al. 2015). */
const DEFAULT_LEARNING_RATE = 2e-4;
const DEFAULT_BETA1 = 0.5;
const DEFAULT_BETA2 = 0.999;
/**
 * Passed explicitly because tfjs picks 1e-4 on WebGL (it reports 16-bit floats) and 1e-7
 * elsewhere; one value keeps backends on the same trajectory.
 */
const DEFAULT_EPSILON = 1e-7;

/** The generator's and the discriminator's optimizer. */
export interface OptimizerPair {
  generator: tf.Optimizer;
  discriminator: tf.Optimizer;
}

/** The optimizers a trainer's options chose, made on first use and disposed with the trainer. */
export class TrainerOptimizers {
  private readonly choices: {
    generator: tf.Optimizer | number;
    discriminator: tf.Optimizer | number;
    betas: readonly [number, number];
  };
  private made: OptimizerPair | undefined;
  private disposed = false;

  /**
   * Checks the choices; allocates nothing.
   * @throws {@link ConfigError} for a bad optimizer, rate or betas, or one optimizer given twice.
   */
  constructor(options: TrainerOptions) {
    const betas = adamBetasOption(options);
    const generator = optimizerChoice('generator', options.generatorOptimizer, options.generatorLearningRate);
    const discriminator = optimizerChoice(
      'discriminator',
      options.discriminatorOptimizer,
      options.discriminatorLearningRate,
    );
    if (generator === discriminator && typeof generator !== 'number') {
      throw new ConfigError(
        'Trainer: generatorOptimizer and discriminatorOptimizer must be two different optimizers; ' +
          'one optimizer would share its moment estimates between the networks.',
      );
    }
    this.choices = { generator, discriminator, betas };
  }

  /** Both optimizers (the default Adams are made on the first call). */
  get(): OptimizerPair {
    if (this.made) return this.made;
    const { generator, discriminator, betas } = this.choices;
    if (this.disposed && (typeof generator === 'number' || typeof discriminator === 'number')) {
      throw new StateError('Trainer: this trainer has been disposed; its optimizers are gone.');
    }
    this.made = { generator: optimizerFrom(generator, betas), discriminator: optimizerFrom(discriminator, betas) };
    return this.made;
  }

  /** Disposes both: the trainer took ownership of given ones, made or not. */
  dispose(): void {
    this.disposed = true;
    const { generator, discriminator } = this.made ?? this.choices;
    for (const optimizer of [generator, discriminator]) if (typeof optimizer !== 'number') optimizer.dispose();
  }
}

/** The optimizer the caller gave, or the learning rate of the default Adam; throws before creating anything. */
export function optimizerChoice(
  role: 'generator' | 'discriminator',
  optimizer: tf.Optimizer | undefined,
  learningRate: number | undefined,
): tf.Optimizer | number {
  const optionName = `${role}Optimizer`;
  const rateName = `${role}LearningRate`;
  if (optimizer !== undefined) {
    if (learningRate !== undefined) {
      throw new ConfigError(`Trainer: give ${optionName} or ${rateName}, not both; set the rate on the optimizer.`);
    }
    if (typeof (optimizer as Partial<tf.Optimizer>).minimize !== 'function') {
      throw new ConfigError(
        `Trainer: ${optionName} must be a tf.Optimizer (for example tf.train.adam()), got ${show(optimizer)}.`,
      );
    }
    return optimizer;
  }
  return positiveNumber('Trainer', rateName, learningRate ?? DEFAULT_LEARNING_RATE);
}

/**
 * The default Adams' `[beta1, beta2]`, checked; throws before creating anything.
 * @throws {@link ConfigError} for betas outside [0, 1), or betas next to a supplied optimizer.
 */
export function adamBetasOption(options: TrainerOptions): readonly [number, number] {
  const betas = options.adamBetas;
  if (betas === undefined) return [DEFAULT_BETA1, DEFAULT_BETA2];
  if (!Array.isArray(betas) || betas.length !== 2) {
    throw new ConfigError(`Trainer: adamBetas must be [beta1, beta2], got ${show(betas)}.`);
  }
  const [beta1, beta2] = betas.map((b, i) => numberInRange('Trainer', `adamBetas[${i}]`, b, 0, 1)) as [number, number];
  for (const role of ['generator', 'discriminator'] as const) {
    if (options[`${role}Optimizer`] !== undefined) {
      throw new ConfigError(
        `Trainer: adamBetas sets the default Adams' betas, and ${role}Optimizer was given; set the betas on that optimizer instead.`,
      );
    }
  }
  return [beta1, beta2];
}

/** The optimizer itself, or the default Adam at the given learning rate and betas. */
export function optimizerFrom(choice: tf.Optimizer | number, betas: readonly [number, number]): tf.Optimizer {
  if (typeof choice !== 'number') return choice;
  // tf.train.adam's math; one fused kernel per variable where ts-gan/backends registered it.
  return new FusedAdamOptimizer(choice, betas[0], betas[1], DEFAULT_EPSILON);
}
