/**
 * The Trainer's options, their defaults, and the optimizers they choose.
 *
 * @packageDocumentation
 */
import type * as tf from '@tensorflow/tfjs-core';
import type { Callback } from '../callbacks/callback.js';
import { ConfigError } from '../errors.js';
import { numberInRange, positiveNumber, show } from '../util/validate.js';
import { FusedAdamOptimizer } from './adam.js';
import type { StepFunction } from './custom-step.js';
import type { RegularizerOptions } from './regularizer-options.js';

/** The seed document's Adam: learning rate 2e-4, beta1 0.5 (Radford et al. 2015). */
const DEFAULT_LEARNING_RATE = 2e-4;
const DEFAULT_BETA1 = 0.5;
const DEFAULT_BETA2 = 0.999;
/**
 * Passed explicitly because tfjs picks 1e-4 on WebGL (it reports 16-bit floats) and 1e-7
 * elsewhere; one value keeps backends on the same trajectory.
 */
const DEFAULT_EPSILON = 1e-7;

/**
 * Options of a {@link Trainer}. Every one is validated in the constructor.
 * @category Training
 */
export interface TrainerOptions extends RegularizerOptions {
  /** Real samples per discriminator update (and generated samples per update). Default 32. */
  batchSize?: number;
  /** Discriminator updates per generator update (n_critic). Default 1. */
  discriminatorSteps?: number;
  /** Generator optimizer. The trainer takes ownership and disposes it. Default Adam(2e-4, 0.5, 0.999, 1e-7). */
  generatorOptimizer?: tf.Optimizer;
  /** Discriminator optimizer. The trainer takes ownership and disposes it. Default Adam(2e-4, 0.5, 0.999, 1e-7). */
  discriminatorOptimizer?: tf.Optimizer;
  /** Learning rate of the default generator Adam (two time-scale update rule). Default 2e-4. */
  generatorLearningRate?: number;
  /** Learning rate of the default discriminator Adam. Default 2e-4. */
  discriminatorLearningRate?: number;
  /**
   * `[beta1, beta2]` of both default Adams, each in [0, 1). Default `[0.5, 0.999]` (Radford et al.).
   * `[0, 0.99]` is StyleGAN's choice with an R1 penalty: on MNIST's DCGAN with R1 it read 7.49
   * against 7.24 after 4,000 steps (PyTorch twin). Not with `generatorOptimizer` or
   * `discriminatorOptimizer`: set the betas on the optimizer you give.
   */
  adamBetas?: readonly [beta1: number, beta2: number];
  /** One-sided label smoothing: real targets become `1 - labelSmoothing`. In [0, 0.5). Default 0. */
  labelSmoothing?: number;
  /** Steps at the start with discriminator updates only (discriminator pre-training). Default 0. */
  warmupSteps?: number;
  /** Read logs back and call `onStepEnd` every this many steps (and on a fit's last step). Default 1. */
  logEvery?: number;
  /** Callbacks for every `fit`. */
  callbacks?: readonly Callback[];
  /** Stop with a NonFiniteLossError when a logged loss is not finite. Default true. */
  terminateOnNaN?: boolean;
  /** Seed of the training stream (noise, batch choice, dropout). Default: derived from the GAN's seed. */
  seed?: number;
  /** Clock in milliseconds, for steps per second. Default `performance.now`. */
  now?: () => number;
  /** A custom training step that replaces the built-in one; see {@link StepContext}. */
  step?: StepFunction;
  /**
   * How the network that is not being trained runs during the other's update: `'inference'`
   * (default; BatchNorm uses and keeps its moving statistics) or `'training'` (BatchNorm on batch
   * statistics, as PyTorch's and keras.io's DCGANs do; the moving statistics then also move during
   * the other network's update, the weights never). Use `'training'` for networks with BatchNorm in
   * the discriminator, such as `presets.dcgan({ discriminatorBatchNorm: true })`.
   */
  frozenNetworkMode?: 'inference' | 'training';
}

/**
 * Options of {@link Trainer.fit}.
 * @category Training
 */
export interface FitOptions {
  /** How many steps to train, a positive integer. */
  steps: number;
  /** Callbacks for this call only, run after the trainer's own. */
  callbacks?: readonly Callback[];
}

/** Every key of {@link TrainerOptions}, for the unknown-key check. */
export const TRAINER_OPTION_KEYS = [
  'batchSize',
  'discriminatorSteps',
  'generatorOptimizer',
  'discriminatorOptimizer',
  'generatorLearningRate',
  'discriminatorLearningRate',
  'adamBetas',
  'labelSmoothing',
  'warmupSteps',
  'logEvery',
  'callbacks',
  'terminateOnNaN',
  'seed',
  'now',
  'step',
  'frozenNetworkMode',
  'gradientPenalty',
  'r1',
  'r2',
  'penalties',
  'weightClip',
  'instanceNoise',
  'ema',
] as const;

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
