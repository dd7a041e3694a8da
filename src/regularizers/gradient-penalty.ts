/**
 * Gradient penalties on the discriminator: WGAN-GP on interpolates, R1 on real data and R2 on
 * generated data. Each differentiates the discriminator with respect to its input, so the
 * discriminator's loss holds a gradient and its update differentiates twice.
 *
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { ConfigError } from '../errors.js';
import { registerGreaterGradient } from '../kernels/greater-gradient.js';
import type { SeededRandom } from '../random.js';
import { knownKeys, positiveNumber, show } from '../util/validate.js';
import { defineRegularizer } from './hooks.js';
import { type DiscriminatorPenalty, everyOption } from './penalty.js';

/**
 * Keeps the square root differentiable where a gradient vanishes (d sqrt(s)/ds is infinite at 0);
 * negligible against any norm that float32 can tell from 0.
 */
const NORM_EPSILON = 1e-12;

/**
 * The gradient of `sum(critic(x))` with respect to `x`: row `i` is the gradient of the critic's
 * output for sample `i` (samples do not interact unless the critic mixes them, as BatchNorm does).
 *
 * @param critic - the discriminator as a function of its data input.
 * @param x - a batch `[b, ...]`.
 * @returns a tensor shaped like `x`.
 * @category Regularizers
 */
export function inputGradient(critic: (x: tf.Tensor) => tf.Tensor, x: tf.Tensor): tf.Tensor {
  // LeakyReLU's gradient uses Greater, which has no gradient of its own in tfjs-core.
  registerGreaterGradient();
  return tf.grad((input: tf.Tensor) => tf.sum(critic(input)))(x);
}

/**
 * Per-sample squared L2 norms of a batch of gradients.
 * @param grads - `[b, ...]`.
 * @returns `[b]`.
 * @category Regularizers
 */
export function squaredNorms(grads: tf.Tensor): tf.Tensor1D {
  return tf.tidy(() => tf.sum(tf.square(tf.reshape(grads, [grads.shape[0] as number, -1])), 1) as tf.Tensor1D);
}

/**
 * The WGAN-GP penalty (Gulrajani et al. 2017, "Improved Training of Wasserstein GANs"):
 * `weight * mean_i((||grad_x D(x_i)||_2 - target)^2)` at `x_i = alpha_i * real_i + (1 - alpha_i) * fake_i`.
 *
 * @param critic - the discriminator as a function of its data input.
 * @param real - a real batch `[b, ...]`.
 * @param fake - a generated batch of the same shape.
 * @param alpha - interpolation weights `[b]` in [0, 1] (the paper draws them uniformly, per sample).
 * @param weight - lambda; the paper uses 10.
 * @param target - the norm the penalty pulls toward; 1 for a 1-Lipschitz critic.
 * @returns the scalar penalty.
 * @category Regularizers
 */
export function wganGradientPenalty(
  critic: (x: tf.Tensor) => tf.Tensor,
  real: tf.Tensor,
  fake: tf.Tensor,
  alpha: tf.Tensor1D,
  weight = 10,
  target = 1,
): tf.Scalar {
  return tf.tidy(() => {
    const a = tf.reshape(alpha, [alpha.shape[0], ...real.shape.slice(1).map(() => 1)]);
    const mixed = tf.add(tf.mul(a, real), tf.mul(tf.sub(1, a), fake));
    const norms = tf.sqrt(tf.add(squaredNorms(inputGradient(critic, mixed)), NORM_EPSILON));
    return tf.mul(weight, tf.mean(tf.square(tf.sub(norms, target)))) as tf.Scalar;
  });
}

/**
 * The zero-centred gradient penalty of Mescheder et al. 2018 ("Which Training Methods for GANs do
 * actually Converge?"): `gamma / 2 * mean_i(||grad_x D(x_i)||^2)`. On real data it is R1, on
 * generated data R2.
 *
 * @param critic - the discriminator as a function of its data input.
 * @param x - the batch the penalty is evaluated on.
 * @param gamma - the penalty's weight gamma.
 * @returns the scalar penalty.
 * @category Regularizers
 */
export function zeroCenteredGradientPenalty(
  critic: (x: tf.Tensor) => tf.Tensor,
  x: tf.Tensor,
  gamma: number,
): tf.Scalar {
  return tf.tidy(() => zeroCenteredFromGradient(inputGradient(critic, x), gamma));
}

/** `gamma / 2 * mean_i(||g_i||^2)` for input gradients `g` already taken. */
function zeroCenteredFromGradient(grads: tf.Tensor, gamma: number): tf.Scalar {
  return tf.tidy(() => tf.mul(gamma / 2, tf.mean(squaredNorms(grads))) as tf.Scalar);
}

/**
 * Options of {@link gradientPenalty}.
 * @category Regularizers
 */
export interface GradientPenaltyOptions {
  /** lambda. Default 10, the paper's. */
  weight?: number;
  /** The gradient norm the penalty pulls toward. Default 1. */
  target?: number;
  /** Lazy regularization: add the penalty on every k-th step only. Default 1. */
  every?: number;
}

/**
 * WGAN-GP as a {@link DiscriminatorPenalty}: draws one interpolation weight per sample, uniformly
 * in [0, 1), from the trainer's random source. Trainer option: `gradientPenalty: { weight: 10 }`.
 *
 * @param options - weight and target norm.
 * @returns the penalty, logged as `gradientPenalty`.
 * @throws {@link ConfigError} for a weight or target that is not a positive number.
 * @example
 * ```ts
 * const trainer = new Trainer(gan, { gradientPenalty: { weight: 10 }, discriminatorSteps: 5 });
 * ```
 * @category Regularizers
 */
export function gradientPenalty(options: GradientPenaltyOptions = {}): DiscriminatorPenalty {
  checkObject('gradientPenalty', options);
  knownKeys('gradientPenalty', options, ['weight', 'target', 'every']);
  const weight = positiveNumber('gradientPenalty', 'weight', options.weight ?? 10);
  const target = positiveNumber('gradientPenalty', 'target', options.target ?? 1);
  const every = everyOption('gradientPenalty', options.every);
  return {
    name: 'gradientPenalty',
    ...(every !== undefined && { every }),
    compute: ({ critic, real, fake, rng }) =>
      tf.tidy(() => {
        const alpha = uniformAlpha(real.shape[0] as number, rng);
        return wganGradientPenalty(critic, real, fake, alpha, weight, target);
      }),
  };
}

/**
 * Options of {@link r1Penalty} and {@link r2Penalty}.
 * @category Regularizers
 */
export interface ZeroCenteredPenaltyOptions {
  /** gamma, the weight: the penalty is `gamma / 2 * E||grad D||^2`. Mescheder et al. use 10 for most image sets. */
  gamma: number;
  /** Lazy regularization: add the penalty on every k-th step only (StyleGAN2 uses 16). Default 1. */
  every?: number;
}

/**
 * R1 (Mescheder et al. 2018) as a {@link DiscriminatorPenalty}: penalizes the discriminator's
 * gradient on real data. Trainer option: `r1: { gamma: 10 }`.
 * @param options - gamma.
 * @returns the penalty, logged as `r1`.
 * @throws {@link ConfigError} unless gamma is a positive number.
 * @category Regularizers
 */
export function r1Penalty(options: ZeroCenteredPenaltyOptions): DiscriminatorPenalty {
  return zeroCenteredPenalty('r1', 'real', options);
}

/**
 * R2 (Mescheder et al. 2018) as a {@link DiscriminatorPenalty}: penalizes the discriminator's
 * gradient on generated data. Trainer option: `r2: { gamma: 10 }`.
 * @param options - gamma.
 * @returns the penalty, logged as `r2`.
 * @throws {@link ConfigError} unless gamma is a positive number.
 * @category Regularizers
 */
export function r2Penalty(options: ZeroCenteredPenaltyOptions): DiscriminatorPenalty {
  return zeroCenteredPenalty('r2', 'fake', options);
}

/**
 * R1 or R2: the penalty on one side's batch, from the input gradient the update provides
 * (`inputGradientOf`), or by differentiating the critic itself when called with a plain context.
 */
function zeroCenteredPenalty(
  name: 'r1' | 'r2',
  side: 'real' | 'fake',
  options: ZeroCenteredPenaltyOptions,
): DiscriminatorPenalty {
  const gamma = checkGamma(name, options);
  const every = everyOption(name, options.every);
  return {
    name,
    ...(every !== undefined && { every }),
    inputGradientOf: side,
    compute: (context) => {
      const given = context.inputGradients?.[side];
      return given
        ? zeroCenteredFromGradient(given, gamma)
        : zeroCenteredGradientPenalty(context.critic, context[side], gamma);
    },
  };
}

function uniformAlpha(n: number, rng: SeededRandom): tf.Tensor1D {
  return tf.tensor1d(rng.uniform(n));
}

function checkGamma(where: string, options: ZeroCenteredPenaltyOptions): number {
  checkObject(where, options);
  knownKeys(where, options, ['gamma', 'every']);
  return positiveNumber(where, 'gamma', options.gamma);
}

function checkObject(where: string, options: unknown): void {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new ConfigError(`${where}: options must be an object, got ${show(options)}.`);
  }
}

/** Trainer option `gradientPenalty` (WGAN-GP). */
export const gradientPenaltyRegularizer = defineRegularizer({
  option: 'gradientPenalty',
  checkpoint: 'json',
  check: (value: GradientPenaltyOptions) => gradientPenalty(value),
  create: (penalty) => ({ penalties: [penalty] }),
});

/** Trainer option `r1`. */
export const r1Regularizer = defineRegularizer({
  option: 'r1',
  checkpoint: 'json',
  check: (value: ZeroCenteredPenaltyOptions) => r1Penalty(value),
  create: (penalty) => ({ penalties: [penalty] }),
});

/** Trainer option `r2`. */
export const r2Regularizer = defineRegularizer({
  option: 'r2',
  checkpoint: 'json',
  check: (value: ZeroCenteredPenaltyOptions) => r2Penalty(value),
  create: (penalty) => ({ penalties: [penalty] }),
});
