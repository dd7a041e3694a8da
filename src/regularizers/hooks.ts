/**
 * The hooks a regularizer adds to a training step, and the shape of a regularizer: one trainer
 * option, checked once, that becomes hooks. Four hook points exist:
 *
 * - a **penalty** joins the discriminator's loss (gradient penalty, R1, R2, your own); with
 *   `every: k` it runs on every k-th step only (lazy regularization);
 * - an **input transform** changes every batch the discriminator sees (instance noise);
 * - **after the discriminator's update** (weight clipping);
 * - **after the generator's update** (the moving average of the generator's weights).
 *
 * @packageDocumentation
 */
import type * as tf from '@tensorflow/tfjs-core';
import type { GAN } from '../gan.js';
import type { SeededRandom } from '../random.js';
import type { DiscriminatorPenalty } from './penalty.js';

/**
 * Changes every batch the discriminator sees at one step, real and generated alike.
 * @category Regularizers
 */
export interface InputTransform {
  /**
   * Draws what the transform needs for a batch of `shape` (outside any gradient, so that the
   * draw never repeats) and returns the transform itself.
   */
  prepare(shape: readonly number[], rng: SeededRandom): (x: tf.Tensor) => tf.Tensor;
}

/**
 * What one regularizer adds to the step. Every part is optional.
 * @category Regularizers
 */
export interface RegularizerHooks {
  /** Terms of the discriminator's loss, in order. */
  readonly penalties?: readonly DiscriminatorPenalty[];
  /** The transform of the discriminator's inputs at a step (undefined when it does nothing then). */
  readonly inputTransform?: (step: number) => InputTransform | undefined;
  /** Runs after each discriminator update. */
  readonly afterDiscriminatorUpdate?: (discriminatorVariables: readonly tf.Variable[]) => void;
  /** Runs after each generator update. */
  readonly afterGeneratorUpdate?: () => void;
  /** An object the trainer exposes (the moving average is `trainer.ema`). */
  readonly state?: unknown;
  /** Frees what the hooks hold; called by `Trainer.dispose`. */
  readonly dispose?: () => void;
}

/**
 * A regularizer: the trainer option that configures it, how a checkpoint keeps that option, and
 * how the option becomes hooks. `check` runs for every regularizer before any `create`, so that a
 * refused option leaves nothing allocated.
 * @category Regularizers
 */
export interface Regularizer<Option = unknown, Checked = unknown, Key extends string = string> {
  /** The trainer option's key. */
  readonly option: Key;
  /** `'json'`: the checkpoint keeps the option as given; `'code'`: it records only the names (pass it again to `Trainer.load`). */
  readonly checkpoint: 'json' | 'code';
  /**
   * Checks the option (present, not undefined) against the GAN and the other options.
   * @throws {@link ConfigError} for a bad value or a combination that does not make sense.
   */
  check(value: Option, gan: GAN, options: Readonly<Record<string, unknown>>): Checked;
  /** Builds the hooks from the checked option. */
  create(checked: Checked, gan: GAN): RegularizerHooks;
}

/** Declares a regularizer with its types checked (an identity function). */
export function defineRegularizer<const Key extends string, Option, Checked>(
  r: Regularizer<Option, Checked, Key>,
): Regularizer<Option, Checked, Key> {
  return r;
}
