/**
 * The callback interface and the list that runs callbacks in order.
 *
 * @packageDocumentation
 */
import type { GAN } from '../gan.js';
import type { StepLogs } from '../types.js';

/**
 * What {@link Callback.onTrainBegin} receives.
 * @category Callbacks
 */
export interface TrainBeginInfo {
  /** The GAN being trained. */
  readonly gan: GAN;
  /** Steps this `fit` call was asked for. */
  readonly steps: number;
  /** The trainer's step count before this `fit` (0 for a new trainer). */
  readonly initialStep: number;
  /** Asks the trainer to stop after the current step, like {@link Trainer.stop}. */
  readonly stop: () => void;
}

/**
 * What {@link Callback.onTrainEnd} receives.
 * @category Callbacks
 */
export interface TrainEndInfo extends TrainBeginInfo {
  /** The trainer's step count when training ended. */
  readonly finalStep: number;
  /** Why it ended. */
  readonly reason: 'completed' | 'stopped' | 'data-exhausted';
}

/**
 * Stable codes of {@link TrainingWarning}s. New codes may be added in minor versions.
 * @category Callbacks
 */
export type TrainingWarningCode = 'WARN_GAN_DATA_RANGE' | 'WARN_GAN_BATCH_LARGER_THAN_DATA';

/**
 * Something about a run that is allowed but probably a mistake, reported once to every callback's
 * {@link Callback.onWarning} (the library itself never writes to the console).
 * @category Callbacks
 */
export interface TrainingWarning {
  /** A stable, machine-readable code. */
  readonly code: TrainingWarningCode;
  /** What was found and what to do about it. */
  readonly message: string;
  /** The 1-based step it concerns (for a check of the data, the first step of the `fit`). */
  readonly step: number;
}

/**
 * Keras-like training hooks. Every hook is optional and may be async; the trainer awaits each
 * before it goes on. Hooks receive plain numbers, never tensors. Pass a class instance or a plain
 * object.
 *
 * `onStepEnd` runs on logged steps only (every `logEvery` steps, and the last step of a `fit`),
 * since logs are read back from the device there.
 *
 * @example
 * ```ts
 * const logger: Callback = { onStepEnd: (step, logs) => console.log(step, logs.dLoss, logs.gLoss) };
 * ```
 * @category Callbacks
 */
export interface Callback {
  /** Called once before the first step of a `fit`. */
  onTrainBegin?(info: TrainBeginInfo): void | Promise<void>;
  /** Called before every step, with the 1-based number of the step about to run. */
  onStepBegin?(step: number): void | Promise<void>;
  /** Called after every logged step, with the 1-based number of the step just completed. */
  onStepEnd?(step: number, logs: StepLogs): void | Promise<void>;
  /** Called once when a `fit` ends normally, after a stop, or when the data ran out (not after an error). */
  onTrainEnd?(info: TrainEndInfo): void | Promise<void>;
  /**
   * Called when the trainer finds something probably wrong that does not stop training: data
   * outside [-1, 1] (checked once, on the dataset tensor or an iterable's first batch), or a batch
   * larger than the dataset. Each code is reported once per trainer.
   */
  onWarning?(warning: TrainingWarning): void | Promise<void>;
}

/**
 * Runs a list of callbacks in order, awaiting each hook.
 * @category Callbacks
 */
export class CallbackList {
  private readonly callbacks: readonly Callback[];

  /** @param callbacks - run in this order. */
  constructor(callbacks: readonly Callback[]) {
    this.callbacks = callbacks;
  }

  /** @param info - passed to every callback. */
  async onTrainBegin(info: TrainBeginInfo): Promise<void> {
    for (const cb of this.callbacks) await cb.onTrainBegin?.(info);
  }

  /** @param step - the step about to run. */
  async onStepBegin(step: number): Promise<void> {
    for (const cb of this.callbacks) await cb.onStepBegin?.(step);
  }

  /** @param step - the step completed. @param logs - a fresh copy is given to each callback. */
  async onStepEnd(step: number, logs: StepLogs): Promise<void> {
    for (const cb of this.callbacks) await cb.onStepEnd?.(step, { ...logs });
  }

  /** @param warning - passed to every callback. */
  async onWarning(warning: TrainingWarning): Promise<void> {
    for (const cb of this.callbacks) await cb.onWarning?.(warning);
  }

  /** @param info - passed to every callback. */
  async onTrainEnd(info: TrainEndInfo): Promise<void> {
    for (const cb of this.callbacks) await cb.onTrainEnd?.(info);
  }
}
