/**
 * The typed custom-step API: what a user-written training step receives and returns.
 *
 * @packageDocumentation
 */
import type * as tf from '@tensorflow/tfjs-core';
import type { GAN } from '../gan.js';
import type { SeededRandom } from '../random.js';
import type { InputTransform } from '../regularizers/hooks.js';
import type { DiscriminatorPenalty } from '../regularizers/penalty.js';

/**
 * Everything a training step may use, in one object. The trainer builds it once per step; the
 * step runs synchronously inside `tf.tidy` with `Math.random` seeded from `rng`, so a custom step
 * is as repeatable as the built-in one ({@link standardStep}, which receives the same object).
 *
 * The regularizers of the {@link Trainer} are hooks the step runs: `penalties`,
 * `inputTransforms` and `realLabel` go to {@link discriminatorUpdate} and
 * {@link generatorUpdate}; `afterDiscriminatorUpdate()` and `afterGeneratorUpdate()` run weight
 * clipping and the moving average. A step that never calls one of the two gets it run once after
 * it returns (the generator's only outside warm-up).
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
  /** The penalties that run at this step (gradient penalty, R1, R2, your own; lazy ones on their steps only). */
  readonly penalties: readonly DiscriminatorPenalty[];
  /**
   * Deviation of instance noise at this step (0 when off). Instance noise is also in
   * `inputTransforms`: pass one or the other to the updates, not both.
   */
  readonly instanceNoiseStd: number;
  /** Transforms of the discriminator's inputs at this step (instance noise among them), in order. */
  readonly inputTransforms: readonly InputTransform[];
  /** How the network not being trained runs during the other's update (trainer option `frozenNetworkMode`). */
  readonly frozenNetworkMode: 'inference' | 'training';
  /** Runs the after-discriminator-update hooks (weight clipping); call it after each discriminator update. */
  afterDiscriminatorUpdate(): void;
  /** Runs the after-generator-update hooks (the moving average); call it after each generator update. */
  afterGeneratorUpdate(): void;
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
