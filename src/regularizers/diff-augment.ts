/**
 * DiffAugment (Zhao, Liu, Lin, Zhu and Han 2020, "Differentiable Augmentation for Data-Efficient
 * GAN Training"): the same random, differentiable augmentations on every batch the discriminator
 * sees, real and generated, in its updates and in the generator's, so that a discriminator trained
 * on few images cannot memorise them, while the generator still learns the un-augmented images
 * (the gradients flow back through the augmentation). The three policies and their constants are
 * those of the paper's code (DiffAugment_pytorch.py):
 *
 * - `color`: brightness `x + (u - 0.5)`, saturation `(x - mean_c) * 2u + mean_c`, contrast
 *   `(x - mean_chw) * (u + 0.5) + mean_chw`, each `u` uniform in [0, 1) per image;
 * - `translation`: a shift of up to 1/8 of the height and width, by whole pixels, with zeros
 *   (mid-grey in [-1, 1]) filling in;
 * - `cutout`: a square of half the height and width, at a random centre, set to zero.
 *
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { ConfigError } from '../errors.js';
import { SeededRandom } from '../random.js';
import { knownKeys, numberInRange, show } from '../util/validate.js';
import { defineRegularizer, type InputTransform } from './hooks.js';

/**
 * The augmentations of DiffAugment.
 * @category Regularizers
 */
export const DIFF_AUGMENT_POLICIES = ['color', 'translation', 'cutout'] as const;

/**
 * One augmentation of DiffAugment.
 * @category Regularizers
 */
export type DiffAugmentPolicy = (typeof DIFF_AUGMENT_POLICIES)[number];

/**
 * Options of DiffAugment (trainer option `augment`).
 * @category Regularizers
 */
export interface DiffAugmentOptions {
  /** The augmentations, applied in this order. Default `['color', 'translation', 'cutout']`, the paper's choice for small sets. */
  policy?: readonly DiffAugmentPolicy[];
  /** The chance, per image and augmentation, that it is applied, in [0, 1]. Default 1, as in the paper. */
  probability?: number;
}

/** The paper's largest shift: 1/8 of a side. */
const TRANSLATION_RATIO = 0.125;
/** The paper's cutout square: half a side. */
const CUTOUT_RATIO = 0.5;

/**
 * Checked DiffAugment options.
 * @category Regularizers
 */
export class DiffAugment {
  /** The augmentations, in order. */
  readonly policy: readonly DiffAugmentPolicy[];
  /** The chance per image and augmentation. */
  readonly probability: number;

  /**
   * @param options - see {@link DiffAugmentOptions}.
   * @throws {@link ConfigError} for an unknown policy, a repeated one, or a probability outside [0, 1].
   */
  constructor(options: DiffAugmentOptions = {}) {
    if (options === null || typeof options !== 'object') {
      throw new ConfigError(
        `augment: options must be an object like { policy: ['translation'] }, got ${show(options)}.`,
      );
    }
    knownKeys('augment', options, ['policy', 'probability']);
    const policy = options.policy ?? DIFF_AUGMENT_POLICIES;
    if (!Array.isArray(policy) || policy.length === 0) {
      throw new ConfigError(
        `augment: policy must be a non-empty list of ${DIFF_AUGMENT_POLICIES.join(', ')}, got ${show(policy)}.`,
      );
    }
    for (const [i, p] of policy.entries()) {
      if (!(DIFF_AUGMENT_POLICIES as readonly string[]).includes(p)) {
        throw new ConfigError(`augment: policy must hold only ${DIFF_AUGMENT_POLICIES.join(', ')}, got ${show(p)}.`);
      }
      if (policy.indexOf(p) !== i) throw new ConfigError(`augment: policy names "${p}" twice.`);
    }
    this.policy = Object.freeze([...policy]);
    this.probability = numberInRange('augment', 'probability', options.probability ?? 1, 0, 1, true);
  }
}

/**
 * DiffAugment as an input transform: each batch gets its own draw of every augmentation.
 * @param augment - the checked options.
 * @returns the transform.
 * @category Regularizers
 */
export function diffAugmentTransform(augment: DiffAugment): InputTransform {
  return {
    prepare(shape, rng) {
      if (augment.probability === 0 || shape.length !== 4) return (x) => x;
      const [n, h, w] = shape as [number, number, number, number];
      const steps = augment.policy.map((p) => DRAW[p](n, h, w, augment.probability, rng));
      return (x) => steps.reduce((y, f) => f(y), x);
    },
  };
}

/**
 * Augments a batch of images `[n, height, width, channels]` once, with draws from `rng` (or a new
 * source of `seed`). Differentiable in `x`.
 *
 * @param x - the images. Not disposed.
 * @param options - the policy and the probability.
 * @param rng - the random source, or a seed.
 * @returns a new tensor (or `x` itself when nothing applies); the caller disposes it.
 * @throws {@link ConfigError} for bad options or a batch that is not 4-dimensional.
 * @example
 * ```ts
 * const seen = diffAugment(images, { policy: ['translation', 'cutout'] }, 7);
 * ```
 * @category Regularizers
 */
export function diffAugment(x: tf.Tensor, options: DiffAugmentOptions, rng: SeededRandom | number): tf.Tensor {
  const augment = new DiffAugment(options);
  if (x.rank !== 4)
    throw new ConfigError(
      `diffAugment: x must be images [n, height, width, channels], got shape [${x.shape.join(', ')}].`,
    );
  const source = typeof rng === 'number' ? new SeededRandom(rng) : rng;
  return tf.tidy(() => diffAugmentTransform(augment).prepare(x.shape, source)(x));
}

type Draw = (n: number, h: number, w: number, probability: number, rng: SeededRandom) => (x: tf.Tensor) => tf.Tensor;

/** Whether each image gets the augmentation (always drawn, so that the stream does not depend on the outcome). */
function applied(n: number, probability: number, rng: SeededRandom): boolean[] {
  return Array.from(rng.uniform(n), (u) => u < probability);
}

const DRAW: Record<DiffAugmentPolicy, Draw> = {
  color(n, _h, _w, probability, rng) {
    const on = applied(n, probability, rng);
    const [b, s, c] = [rng.uniform(n), rng.uniform(n), rng.uniform(n)];
    const perImage = (values: Float32Array, f: (u: number) => number, identity: number) =>
      tf.tensor4d(
        Array.from(values, (u, i) => (on[i] ? f(u) : identity)),
        [n, 1, 1, 1],
      );
    const brightness = perImage(b, (u) => u - 0.5, 0);
    const saturation = perImage(s, (u) => 2 * u, 1);
    const contrast = perImage(c, (u) => u + 0.5, 1);
    return (x) => {
      const bright = tf.add(x, brightness);
      const channelMean = tf.mean(bright, 3, true);
      const saturated = tf.add(tf.mul(tf.sub(bright, channelMean), saturation), channelMean);
      const imageMean = tf.mean(saturated, [1, 2, 3], true);
      return tf.add(tf.mul(tf.sub(saturated, imageMean), contrast), imageMean);
    };
  },
  translation(n, h, w, probability, rng) {
    const on = applied(n, probability, rng);
    const shift = (side: number): Int32Array => {
      const most = Math.floor(side * TRANSLATION_RATIO + 0.5);
      return rng.integers(n, 2 * most + 1).map((t, i) => (on[i] ? t - most : 0));
    };
    const [dy, dx] = [shift(h), shift(w)];
    // Row i of the output is row i + d of the input (zero outside): a 0/1 matrix per image.
    const shiftMatrices = (d: Int32Array, side: number) => {
      const m = new Float32Array(n * side * side);
      for (let k = 0; k < n; k++) {
        for (let i = 0; i < side; i++) {
          const from = i + (d[k] as number);
          if (from >= 0 && from < side) m[(k * side + i) * side + from] = 1;
        }
      }
      return tf.tensor3d(m, [n, side, side]);
    };
    const rows = shiftMatrices(dy, h);
    const cols = shiftMatrices(dx, w);
    return (x) => {
      const c = x.shape[3] as number;
      const byRows = tf.reshape(tf.matMul(rows, tf.reshape(x, [n, h, w * c])), [n, h, w, c]);
      const columnsFirst = tf.reshape(tf.transpose(byRows, [0, 2, 1, 3]), [n, w, h * c]);
      return tf.transpose(tf.reshape(tf.matMul(cols, columnsFirst), [n, w, h, c]), [0, 2, 1, 3]);
    };
  },
  cutout(n, h, w, probability, rng) {
    const on = applied(n, probability, rng);
    const [sh, sw] = [Math.floor(h * CUTOUT_RATIO + 0.5), Math.floor(w * CUTOUT_RATIO + 0.5)];
    // The paper's offsets: the square's centre anywhere, its odd or even size kept inside the image.
    const oy = rng.integers(n, h + (1 - (sh % 2)));
    const ox = rng.integers(n, w + (1 - (sw % 2)));
    const mask = new Float32Array(n * h * w).fill(1);
    for (let k = 0; k < n; k++) {
      if (!on[k]) continue;
      const top = (oy[k] as number) - Math.floor(sh / 2);
      const left = (ox[k] as number) - Math.floor(sw / 2);
      for (let y = Math.max(0, top); y < Math.min(h, top + sh); y++) {
        for (let x = Math.max(0, left); x < Math.min(w, left + sw); x++) mask[(k * h + y) * w + x] = 0;
      }
    }
    const m = tf.tensor4d(mask, [n, h, w, 1]);
    return (x) => tf.mul(x, m);
  },
};

/** Trainer option `augment`: DiffAugment on every discriminator input, in both updates. */
export const diffAugmentRegularizer = defineRegularizer({
  option: 'augment',
  checkpoint: 'json',
  check: (value: DiffAugmentOptions, gan) => {
    const augment = new DiffAugment(value);
    if (gan.dataShape.length !== 3) {
      throw new ConfigError(
        `augment: DiffAugment works on images [height, width, channels]; this GAN's data shape is [${gan.dataShape.join(', ')}].`,
      );
    }
    return augment;
  },
  create: (augment) => ({
    inputTransform: () => diffAugmentTransform(augment),
    state: augment,
  }),
});
