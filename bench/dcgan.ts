/**
 * The command's DCGAN (`--arch dcgan`) as a bench runner, on random 28x28 images (speed does not
 * depend on content); shared by `bench:profile` and `bench:ablation`.
 */
import * as tf from '@tensorflow/tfjs-core';
import { archConfig, archTrainerOptions } from '../src/cli/arch.js';
import { GAN, Trainer } from '../src/index.js';
import type { Runner } from './mlp-gan.js';

/** The command's shape options (undefined: the command's default). */
export interface DcganShape {
  filters: number;
  startFilters?: number;
  discriminatorFilters?: number;
  kernelSize?: number;
  /** R1's gamma; undefined for no R1. */
  r1?: number;
}

/** Reads `--filters N` (default 64), `--start-filters`, `--discriminator-filters`, `--kernel-size`, `--r1`. */
export function dcganShapeFromArgs(args: readonly string[]): DcganShape {
  const option = (name: string): number | undefined => {
    const i = args.indexOf(name);
    return i >= 0 && args[i + 1] !== undefined ? Number(args[i + 1]) : undefined;
  };
  return {
    filters: option('--filters') ?? 64,
    startFilters: option('--start-filters'),
    discriminatorFilters: option('--discriminator-filters'),
    kernelSize: option('--kernel-size'),
    r1: option('--r1'),
  };
}

/** The value options of {@link dcganShapeFromArgs}. */
export const DCGAN_OPTIONS = ['--filters', '--start-filters', '--discriminator-filters', '--kernel-size', '--r1'];

/** How many trainable parameters `model` has. */
function trainable(model: GAN['generator']): number {
  return model.trainableWeights.reduce((n, w) => n + (w.shape as number[]).reduce((a, b) => a * b, 1), 0);
}

/** A Trainer of the command's DCGAN at `batch`; `params()` counts the two networks' trainable parameters. */
export function dcganRunner(
  batch: number,
  s: DcganShape,
): Runner & { params(): { generator: number; discriminator: number } } {
  const shape = {
    filters: s.filters,
    startFilters: s.startFilters,
    discriminatorFilters: s.discriminatorFilters,
    kernelSize: s.kernelSize,
    r1: s.r1 !== undefined,
  };
  const gan = new GAN({ ...archConfig('dcgan', shape), latentDim: 100, dataShape: [28, 28, 1], seed: 1 });
  const images = tf.randomUniform([2048, 28, 28, 1], -1, 1, 'float32', 1);
  const trainer = new Trainer(gan, {
    batchSize: batch,
    logEvery: 1_000_000,
    ...archTrainerOptions('dcgan'),
    ...(s.r1 === undefined ? {} : { r1: { gamma: s.r1 } }),
  });
  return {
    run: async (steps) => {
      await trainer.fit(images, { steps });
    },
    // Trainable parameters, as PyTorch counts them (BatchNorm's moving statistics are buffers there).
    params: () => ({ generator: trainable(gan.generator), discriminator: trainable(gan.discriminator) }),
    dispose: () => {
      trainer.dispose();
      gan.dispose();
      images.dispose();
    },
  };
}
