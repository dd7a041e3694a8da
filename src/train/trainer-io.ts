/**
 * How a {@link Trainer} is saved and loaded: the checkpoint code registers itself here (as tfjs's
 * IO handlers register with its router), so that the trainer does not depend on it.
 *
 * @packageDocumentation
 */
import type * as tf from '@tensorflow/tfjs-core';
import type { Callback } from '../callbacks/callback.js';
import { StateError } from '../errors.js';
import type { CheckpointExpectations } from '../io/expectations.js';
import type { CheckpointManifest } from '../io/manifest.js';
import type { CheckpointLocation } from '../io/store.js';
import type { DiscriminatorPenalty } from '../regularizers/penalty.js';
import type { StepFunction } from './custom-step.js';
import type { JsonKeptOption, TrainerOptions } from './trainer-options.js';

/**
 * What {@link Trainer.load} can check besides the GAN: the options that shape a step. Besides
 * `batchSize` and `discriminatorSteps`, every option the option table marks as kept in JSON
 * (`frozenNetworkMode` and the JSON-kept regularizers: `r1`, `r2`, `gradientPenalty`, `weightClip`,
 * `ema`, `instanceNoise`) is compared with the saved one as JSON, keys in any order; the learning
 * rates and Adam betas are compared with the saved optimizers' configurations.
 * @category IO
 */
export interface TrainerExpectations extends CheckpointExpectations, Partial<Pick<TrainerOptions, JsonKeptOption>> {
  batchSize?: number;
  discriminatorSteps?: number;
  /** The generator optimizer's learning rate. */
  generatorLearningRate?: number;
  /** The discriminator optimizer's learning rate. */
  discriminatorLearningRate?: number;
  /** beta1 and beta2 of both optimizers (which must then both be Adam). */
  adamBetas?: readonly [number, number];
}

/**
 * The trainer options a checkpoint keeps, as saved: what an expectation given as a function
 * (see {@link TrainerLoadOptions.expect}) is computed from.
 * @category IO
 */
export type SavedTrainerOptions = Readonly<
  Partial<Pick<TrainerOptions, JsonKeptOption | 'batchSize' | 'discriminatorSteps'>>
>;

/**
 * Options of {@link Trainer.load}.
 * @category IO
 */
export interface TrainerLoadOptions {
  /** Callbacks of the restored trainer (callbacks are code, not state: they are never saved). */
  callbacks?: readonly Callback[];
  /** Clock of the restored trainer. */
  now?: () => number;
  /** Default true, as for a new Trainer. */
  terminateOnNaN?: boolean;
  /** Overrides the saved logging interval (logging never changes the weights). */
  logEvery?: number;
  /** A fresh optimizer of the saved class to receive the generator optimizer's state (needed for a class tfjs cannot rebuild by name). */
  generatorOptimizer?: tf.Optimizer;
  /** Likewise for the discriminator. */
  discriminatorOptimizer?: tf.Optimizer;
  /** The custom training step, when the saved run used one (code is never saved). */
  step?: StepFunction;
  /** The custom penalties, when the saved run used some (their names must match the saved ones). */
  penalties?: readonly DiscriminatorPenalty[];
  /**
   * Checks to run before anything is built, or a function of the saved trainer options that
   * returns them (for an expectation that depends on the run, as a network built for its
   * regularizer does). A difference is a {@link CheckpointError} whose `mismatches` name each one.
   */
  expect?: TrainerExpectations | ((saved: SavedTrainerOptions) => TrainerExpectations);
}

/** Saves and loads trainers (of type `T`: the trainer, kept generic so that this module does not import it). */
export interface TrainerIO<T> {
  save(trainer: T, destination: CheckpointLocation): Promise<CheckpointManifest>;
  load(source: CheckpointLocation, options?: TrainerLoadOptions): Promise<T>;
}

let registered: TrainerIO<never> | undefined;

/** Registers the trainer checkpoint code (done once, by `io/trainer-checkpoint`). */
export function registerTrainerIO<T>(io: TrainerIO<T>): void {
  registered = io as unknown as TrainerIO<never>;
}

/**
 * The registered trainer checkpoint code.
 * @throws {@link StateError} when none is registered (the library's entry point registers it).
 */
export function trainerIO<T>(where: string): TrainerIO<T> {
  if (!registered) {
    throw new StateError(`${where}: trainer checkpoints are not available; import the library from 'ts-gan'.`);
  }
  return registered as unknown as TrainerIO<T>;
}
