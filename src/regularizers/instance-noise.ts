/**
 * Instance noise (Sønderby et al. 2017, "Amortised MAP Inference for Image Super-resolution";
 * Arjovsky and Bottou 2017): Gaussian noise added to every input the discriminator sees, real and
 * generated alike, so that the two distributions overlap. Usually annealed to zero.
 *
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { ConfigError } from '../errors.js';
import type { SeededRandom } from '../random.js';
import { knownKeys, nonNegativeInteger, positiveNumber, show } from '../util/validate.js';
import { defineRegularizer, type InputTransform } from './hooks.js';

/**
 * Options of instance noise (trainer option `instanceNoise`).
 * @category Regularizers
 */
export interface InstanceNoiseOptions {
  /** Standard deviation of the noise at the first step, in data units (data lies in [-1, 1]). */
  std: number;
  /** Steps over which the deviation falls linearly to 0; 0 keeps it constant. Default 0. */
  annealSteps?: number;
}

/**
 * A schedule of instance noise.
 * @category Regularizers
 */
export class InstanceNoise {
  /** Deviation at step 1. */
  readonly std: number;
  /** Steps to anneal over (0: constant). */
  readonly annealSteps: number;

  /**
   * @param options - see {@link InstanceNoiseOptions}.
   * @throws {@link ConfigError} for a deviation that is not positive or a bad step count.
   */
  constructor(options: InstanceNoiseOptions) {
    if (options === null || typeof options !== 'object') {
      throw new ConfigError(`instanceNoise: options must be an object like { std: 0.1 }, got ${show(options)}.`);
    }
    knownKeys('instanceNoise', options, ['std', 'annealSteps']);
    this.std = positiveNumber('instanceNoise', 'std', options.std);
    this.annealSteps = nonNegativeInteger('instanceNoise', 'annealSteps', options.annealSteps ?? 0);
  }

  /**
   * @param step - the 1-based training step.
   * @returns the deviation at that step: `std * max(0, 1 - (step - 1) / annealSteps)`.
   */
  stdAt(step: number): number {
    if (this.annealSteps === 0) return this.std;
    return this.std * Math.max(0, 1 - (step - 1) / this.annealSteps);
  }
}

/**
 * `x + std * N(0, 1)`, with the noise drawn from `rng`.
 *
 * @param x - a batch. Not disposed.
 * @param std - the deviation; 0 returns `x` itself.
 * @param rng - the random source.
 * @returns the noisy batch (a new tensor unless std is 0).
 * @category Regularizers
 */
export function addInstanceNoise(x: tf.Tensor, std: number, rng: SeededRandom): tf.Tensor {
  if (std === 0) return x;
  return tf.tidy(() => tf.add(x, instanceNoiseLike(x.shape, std, rng)));
}

/**
 * Gaussian noise `std * N(0, 1)` of a given shape, drawn from `rng`.
 * @param shape - the shape.
 * @param std - the deviation.
 * @param rng - the random source.
 * @returns a new tensor.
 * @category Regularizers
 */
export function instanceNoiseLike(shape: readonly number[], std: number, rng: SeededRandom): tf.Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  return tf.tidy(() => tf.mul(std, tf.tensor(rng.normal(size), [...shape])));
}

/**
 * Instance noise of deviation `std` as an input transform: each batch gets its own draw.
 * @param std - the deviation, positive.
 * @returns the transform.
 * @category Regularizers
 */
export function instanceNoiseTransform(std: number): InputTransform {
  return {
    prepare(shape, rng) {
      const noise = instanceNoiseLike(shape, std, rng);
      return (x) => tf.add(x, noise);
    },
  };
}

/** Trainer option `instanceNoise`: transforms every discriminator input while its deviation is above 0. */
export const instanceNoiseRegularizer = defineRegularizer({
  option: 'instanceNoise',
  checkpoint: 'json',
  check: (value: InstanceNoiseOptions) => new InstanceNoise(value),
  create: (schedule) => ({
    inputTransform(step) {
      const std = schedule.stdAt(step);
      return std === 0 ? undefined : instanceNoiseTransform(std);
    },
    state: schedule,
  }),
});
