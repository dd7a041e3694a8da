/**
 * `ts-gan mnist --arch`: the architectures of the GAN family, as GAN configurations for MNIST, and
 * the sample grid of the conditional ones (one row per digit or per categorical code).
 *
 * @packageDocumentation
 */
import type * as tf from '@tensorflow/tfjs-core';
import type { GAN } from '../gan.js';
import { dcgan } from '../presets/dcgan.js';
import { FAST_NETWORKS, fast } from '../presets/fast.js';
import { mlp } from '../presets/mlp.js';
import type { TrainerOptions } from '../train/trainer.js';
import type { GANConfig } from '../types.js';
import { UsageError } from './args.js';

/** The `--arch` values. */
export const ARCH_CHOICES = ['fast', 'mlp', 'dcgan', 'cgan', 'acgan', 'infogan'] as const;
/** One `--arch` value. */
export type Arch = (typeof ARCH_CHOICES)[number];

/** The seed's run length. */
const SEED_STEPS = 30_000;
/** MNIST's ten digits. */
const DIGITS = 10;
/** Columns of a conditional grid: ten styles (noise vectors) per digit. */
export const CONDITIONAL_COLUMNS = 10;

/** @throws UsageError for an unknown architecture. */
export function checkArch(value: string): Arch {
  if (!(ARCH_CHOICES as readonly string[]).includes(value)) {
    throw new UsageError(`ts-gan mnist: --arch must be one of ${ARCH_CHOICES.join(', ')}, got "${value}".`);
  }
  return value as Arch;
}

/**
 * The GAN configuration of an architecture (networks and conditioning), without latentDim,
 * dataShape and seed. `filters`, `startFilters`, `discriminatorFilters` and `kernelSize` shape the convolutional ones
 * (presets.dcgan's options); `r1` builds them for an R1 run: the paper's BatchNorm in the
 * discriminator is left out, since a BatchNorm critic's input gradient mixes the batch and the
 * penalty would not be per sample.
 */
export function archConfig(
  arch: Arch,
  options: {
    filters?: number | undefined;
    startFilters?: number | undefined;
    discriminatorFilters?: number | undefined;
    kernelSize?: number | undefined;
    r1?: boolean;
    /** Classes of the conditional architectures (cgan, acgan). Default 10, MNIST's digits. */
    numClasses?: number | undefined;
  } = {},
): Omit<GANConfig, 'latentDim' | 'dataShape'> {
  const conv = (base: typeof FAST_NETWORKS | undefined = undefined) =>
    dcgan({
      ...base,
      discriminatorBatchNorm: !options.r1 && base === undefined,
      ...(options.filters === undefined ? {} : { filters: options.filters }),
      ...(options.startFilters === undefined ? {} : { startFilters: options.startFilters }),
      ...(options.discriminatorFilters === undefined ? {} : { discriminatorFilters: options.discriminatorFilters }),
      ...(options.kernelSize === undefined ? {} : { kernelSize: options.kernelSize }),
    });
  switch (arch) {
    case 'fast':
      // The recipe's networks, which the width and kernel flags may reshape.
      // Conditioned on the classes where the data has labels, unconditioned where it has none.
      return options.numClasses === 0
        ? conv(FAST_NETWORKS)
        : { ...conv(FAST_NETWORKS), numClasses: options.numClasses ?? DIGITS };
    case 'mlp':
      return mlp();
    case 'dcgan':
      return conv();
    case 'cgan':
      return { ...conv(), numClasses: options.numClasses || DIGITS };
    case 'acgan':
      return { ...conv(), numClasses: options.numClasses || DIGITS, conditioning: 'auxiliary' };
    case 'infogan':
      return { ...conv(), infoCodes: { categorical: DIGITS, continuous: 2 } };
  }
}

/**
 * Trainer options of an architecture: the convolutional ones train their frozen network on batch
 * statistics, as the reference DCGANs do (with inference mode, the BatchNorm discriminator won
 * within 150 steps on MNIST and the generator collapsed; with training mode, digits formed in 300).
 */
export function archTrainerOptions(arch: Arch): TrainerOptions {
  if (arch === 'fast') return fast().trainer;
  return arch === 'mlp' ? {} : { frozenNetworkMode: 'training' };
}

/** Steps a run of the architecture trains by default: the fast recipe's budget, or the seed's 30,000. */
export function archSteps(arch: Arch): number {
  return arch === 'fast' ? fast().steps : SEED_STEPS;
}

/**
 * A grid for a conditional GAN: row `r` is class (or code) `rows[r]` (default: every class in
 * order), column `c` uses noise vector `c` in every row, so that a column shows one style across
 * the digits; {@link GAN.classSweep} with the noise of `seed`.
 * @returns `[rows.length * columns, ...dataShape]`, owned by the caller.
 * @throws DataError for a row label outside the GAN's classes.
 */
export function conditionalGrid(
  gan: GAN,
  seed: number,
  options: { rows?: readonly number[]; columns?: number } = {},
): tf.Tensor {
  const cond = gan.conditioning;
  if (!cond || cond.numClasses === 0) throw new Error('conditionalGrid: the GAN has no classes to draw rows of.');
  return gan.classSweep({
    seed,
    perClass: options.columns ?? CONDITIONAL_COLUMNS,
    ...(options.rows === undefined ? {} : { classes: options.rows }),
  });
}
