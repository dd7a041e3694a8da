/**
 * The fast recipe: the networks and the training settings that give clear MNIST digits in the
 * fewest seconds on one CPU core, as one preset.
 *
 * @packageDocumentation
 */
import { ConfigError } from '../errors.js';
import type { TrainerOptions } from '../train/trainer-options.js';
import type { GANConfig } from '../types.js';
import { knownKeys, positiveInteger, show } from '../util/validate.js';
import { dcgan } from './dcgan.js';

/** MNIST's ten digits: the classes the conditional recipe learns. */
const DIGITS = 10;
/** The recipe's noise size, the seed's. */
const LATENT_DIM = 100;
/** R1's weight per step (Mescheder et al. 2018's gamma 10 for MNIST-sized images). */
const R1_GAMMA = 10;
/** R1 on every 4th step only, at 4x the weight (lazy regularization, Karras et al. 2020). */
const R1_EVERY = 4;
/** Both networks' Adam learning rate: 3x the DCGAN paper's 4e-4 learns the digits in half the steps. */
const LEARNING_RATE = 1.2e-3;
/** Steps the recipe is tuned to run on MNIST (see docs/gan-family.md's recipe table). */
const MNIST_STEPS = 3000;

/** The recipe's network widths and kernel, as {@link presets.dcgan} options. */
export const FAST_NETWORKS = Object.freeze({ filters: 16, startFilters: 64, discriminatorFilters: 32, kernelSize: 4 });

/**
 * Options of {@link presets.fast}.
 * @category Presets
 */
export interface FastOptions {
  /**
   * Condition both networks on the class label (a conditional GAN, Mirza and Osindero 2014), which
   * trains then need: `trainer.fit({ x, labels })`. Default 10 (the digits); `0` gives the same
   * networks unconditioned, for data without labels, which learns more slowly.
   */
  numClasses?: number;
}

/**
 * A preset with its training settings: spread `gan` into a {@link GANConfig} (with the data's
 * shape and a seed) and pass `trainer` to the {@link Trainer}.
 * @category Presets
 */
export interface Recipe {
  /** The recipe's name, as `ts-gan mnist --arch` spells it. */
  readonly name: string;
  /** Networks, noise size and conditioning: everything of the GAN's config but `dataShape` and `seed`. */
  readonly gan: Omit<GANConfig, 'dataShape' | 'seed'> & { readonly latentDim: number };
  /** Batch size, optimizers' settings, regularizers and the frozen network's mode. */
  readonly trainer: TrainerOptions;
  /** Training steps the recipe is made for, on MNIST. */
  readonly steps: number;
}

/**
 * The fast recipe: a small conditional DCGAN trained with lazy R1. Generator: Dense to a 7x7x64
 * map, conv-transposes 4x4 to 16 channels and to the image (BatchNorm, ReLU, tanh out).
 * Discriminator: the label as a learned image channel, convolutions 4x4 with 32 and 64 channels
 * (LeakyReLU 0.2, no BatchNorm), Dense to one logit. Batch 32; Adam(1.2e-3, betas 0 and 0.99) for
 * both networks; R1 with gamma 10 on every 4th step (weight 40); both networks on batch statistics
 * in both updates. On MNIST it reaches the seed MLP's 30,000-step classifier score and Fréchet
 * distance in about 1,500 steps (docs/gan-family.md's recipe table), and trains 3,000.
 *
 * @param options - see {@link FastOptions}.
 * @returns the networks and the trainer settings, see {@link Recipe}.
 * @throws {@link ConfigError} for an unknown or invalid option.
 * @example
 * ```ts
 * const fast = presets.fast();
 * const trainer = new Trainer(new GAN({ ...fast.gan, dataShape: [28, 28, 1], seed: 1 }), fast.trainer);
 * await trainer.fit({ x: images, labels }, { steps: fast.steps });
 * ```
 * @category Presets
 */
export function fast(options: FastOptions = {}): Recipe {
  if (options === null || typeof options !== 'object') {
    throw new ConfigError(`presets.fast: options must be an object, got ${show(options)}.`);
  }
  knownKeys('presets.fast', options, ['numClasses']);
  const numClasses =
    options.numClasses === 0 ? 0 : positiveInteger('presets.fast', 'numClasses', options.numClasses ?? DIGITS);
  const networks = dcgan(FAST_NETWORKS);
  return Object.freeze({
    name: 'fast',
    gan: Object.freeze({
      ...networks,
      latentDim: LATENT_DIM,
      ...(numClasses > 0 ? { numClasses } : {}),
    }),
    trainer: Object.freeze({
      batchSize: 32,
      generatorLearningRate: LEARNING_RATE,
      discriminatorLearningRate: LEARNING_RATE,
      adamBetas: [0, 0.99] as [number, number],
      r1: { gamma: R1_GAMMA * R1_EVERY, every: R1_EVERY },
      frozenNetworkMode: 'training' as const,
    }),
    steps: MNIST_STEPS,
  });
}
