/**
 * The typed custom-step API: what a user-written training step receives and returns.
 *
 * @packageDocumentation
 */
import type * as tf from '@tensorflow/tfjs-core';
import type { GAN } from '../gan.js';
import type { SeededRandom } from '../random.js';
import type { DiscriminatorPenalty } from '../regularizers/penalty.js';

/**
 * Everything a custom training step may use, in one object. The trainer builds it once per step;
 * the step runs synchronously inside `tf.tidy` with `Math.random` seeded from `rng`, so a custom
 * step is as repeatable as the built-in one.
 *
 * The regularizer options of the {@link Trainer} (`gradientPenalty`, `r1`, `r2`, `instanceNoise`,
 * `labelSmoothing`) are handed over here rather than applied behind the step's back; pass them to
 * {@link discriminatorUpdate} and {@link generatorUpdate} to keep them. The trainer itself still
 * clips weights (`weightClip`) after the step and updates the moving average (`ema`).
 * @category Training
 */
export interface StepContext {
  /** The GAN being trained. */
  readonly gan: GAN;
  /** The generator's optimizer (owned by the trainer). */
  readonly generatorOptimizer: tf.Optimizer;
  /** The discriminator's optimizer (owned by the trainer). */
  readonly discriminatorOptimizer: tf.Optimizer;
  /** The generator's trainable variables: pass them as `varList` to freeze the discriminator. */
  readonly generatorVariables: tf.Variable[];
  /** The discriminator's trainable variables. */
  readonly discriminatorVariables: tf.Variable[];
  /** The step's last real batch `[batchSize, ...dataShape]`. */
  readonly real: tf.Tensor;
  /** All real batches of the step, one per discriminator update (`discriminatorSteps` of them). */
  readonly reals: readonly tf.Tensor[];
  /** Integer class labels `[batchSize]` of `real`, when the data came with labels. */
  readonly labels: tf.Tensor1D | undefined;
  /** Labels of each batch in `reals` (entries undefined when the data has none). */
  readonly labelBatches: readonly (tf.Tensor1D | undefined)[];
  /** Samples per update. */
  readonly batchSize: number;
  /** The 1-based number of this step. */
  readonly step: number;
  /** The trainer's random source: draw all noise from it. */
  readonly rng: SeededRandom;
  /** Whether the trainer reads this step's numbers back (cheap steps may skip statistics otherwise). */
  readonly logged: boolean;
  /** Whether the step is in `warmupSteps` (the built-in step then skips the generator update). */
  readonly warmup: boolean;
  /** Real-sample target: `1 - labelSmoothing`. */
  readonly realLabel: number;
  /** The penalties the trainer options configured (gradient penalty, R1, R2). */
  readonly penalties: readonly DiscriminatorPenalty[];
  /** Deviation of instance noise at this step (0 when off). */
  readonly instanceNoiseStd: number;
}

/**
 * What a custom step returns: scalars that belong to the step's tidy. `dLoss` and `gLoss` are
 * required; `dReal` and `dFake` are logged as NaN when missing; any other scalar is logged under
 * its key.
 * @category Training
 */
export interface StepTensors {
  /** The discriminator's loss. */
  dLoss: tf.Scalar;
  /** The generator's loss. */
  gLoss: tf.Scalar;
  /** Mean D(x) on real data, if the step computed it. */
  dReal?: tf.Scalar;
  /** Mean D(G(z)), if the step computed it. */
  dFake?: tf.Scalar;
  /** More numbers to log. */
  [extra: string]: tf.Scalar | undefined;
}

/**
 * A custom training step (trainer option `step`). Synchronous: it runs inside `tf.tidy`.
 *
 * @example
 * ```ts
 * const step: StepFunction = (ctx) => {
 *   const d = discriminatorUpdate(ctx.gan, ctx.discriminatorOptimizer, ctx.real, ctx.rng, { withStats: true });
 *   const gLoss = generatorUpdate(ctx.gan, ctx.generatorOptimizer, ctx.batchSize, ctx.rng);
 *   return { dLoss: d.loss, gLoss, dReal: d.dReal, dFake: d.dFake };
 * };
 * const trainer = new Trainer(gan, { step });
 * ```
 * @category Training
 */
export type StepFunction = (context: StepContext) => StepTensors;

/** The four entries every step logs, in the order the trainer packs them. */
export const STANDARD_LOG_KEYS = ['dLoss', 'gLoss', 'dReal', 'dFake'] as const;
