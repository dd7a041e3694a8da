/**
 * The loop of a `fit`: per step, its real batches, the step itself, and the logs read back on
 * logged steps.
 *
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import type { CallbackList, TrainEndInfo } from '../callbacks/callback.js';
import { isLabelledData, type LabelledTrainingData, type StepBatchSource } from '../conditional/labelled-data.js';
import type { TrainingData } from '../data/batches.js';
import { ConfigError, StateError } from '../errors.js';
import type { GAN } from '../gan.js';
import type { StepLogs } from '../types.js';
import { knownKeys, positiveInteger, show } from '../util/validate.js';
import { STANDARD_LOG_KEYS } from './custom-step.js';
import type { DataChecks } from './data-checks.js';
import type { StepInputs } from './run-step.js';
import type { FitOptions } from './trainer-options.js';

/** What the loop needs of its trainer. */
export interface LoopHost {
  readonly batchSize: number;
  readonly discriminatorSteps: number;
  readonly logEvery: number;
  readonly warmupSteps: number;
  readonly now: () => number;
  readonly dataChecks: DataChecks;
  /** Steps completed so far. */
  completed(): number;
  /** Counts a completed step. */
  complete(step: number): void;
  stopRequested(): boolean;
  /** Runs one step; returns the logged values (on logged steps) and their keys. */
  runStep(inputs: StepInputs): { packed: tf.Tensor1D | undefined; keys: readonly string[] };
}

/**
 * Checks the data (a tensor dataset as a whole, other data by its first batch), then trains
 * `steps` steps (fewer when stopped or the data runs out).
 */
export async function fitLoop(
  host: LoopHost,
  source: StepBatchSource,
  steps: number,
  callbacks: CallbackList,
  data: TrainingData | LabelledTrainingData,
): Promise<TrainEndInfo['reason']> {
  const dataset = data instanceof tf.Tensor ? data : isLabelledData(data) ? data.x : undefined;
  for (const warning of await host.dataChecks.dataset(dataset, host.batchSize, host.completed() + 1)) {
    await callbacks.onWarning(warning);
  }
  const checkFirstBatch = dataset === undefined;
  let lastLogTime = host.now();
  let lastLogStep = host.completed();
  for (let i = 0; i < steps; i++) {
    if (host.stopRequested()) return 'stopped';
    const step = host.completed() + 1;
    await callbacks.onStepBegin(step);
    const batches: tf.Tensor[] = [];
    const labelBatches: (tf.Tensor1D | undefined)[] = [];
    try {
      for (let k = 0; k < host.discriminatorSteps; k++) {
        const batch = await source.next();
        if (batch === null) return 'data-exhausted';
        batches.push(batch.x);
        labelBatches.push(batch.labels);
      }
      if (i === 0 && checkFirstBatch) {
        for (const warning of await host.dataChecks.batch(batches[0] as tf.Tensor, step)) {
          await callbacks.onWarning(warning);
        }
      }
      const logged = step % host.logEvery === 0 || i === steps - 1;
      const { packed, keys } = host.runStep({
        real: batches[batches.length - 1] as tf.Tensor,
        reals: batches,
        labels: labelBatches[labelBatches.length - 1],
        labelBatches,
        step,
        logged,
        warmup: step <= host.warmupSteps,
      });
      host.complete(step);
      if (packed) {
        const values = await packed.data();
        packed.dispose();
        const time = host.now();
        const logs: StepLogs = {
          dLoss: values[0] as number,
          gLoss: values[1] as number,
          dReal: values[2] as number,
          dFake: values[3] as number,
          stepsPerSecond: time > lastLogTime ? ((step - lastLogStep) * 1000) / (time - lastLogTime) : 0,
        };
        for (let j = STANDARD_LOG_KEYS.length; j < keys.length; j++) logs[keys[j] as string] = values[j] as number;
        lastLogTime = time;
        lastLogStep = step;
        await callbacks.onStepEnd(step, logs);
      }
    } finally {
      for (const b of batches) b.dispose();
      for (const l of labelBatches) l?.dispose();
    }
  }
  return host.stopRequested() ? 'stopped' : 'completed';
}

/**
 * Checks the options of `Trainer.fit`.
 * @returns the step count.
 */
export function fitSteps(options: FitOptions): number {
  if (options === null || typeof options !== 'object') {
    throw new ConfigError(`Trainer.fit: options must be an object like { steps: 1000 }, got ${show(options)}.`);
  }
  knownKeys('Trainer.fit', options, ['steps', 'callbacks']);
  return positiveInteger('Trainer.fit', 'steps', options.steps);
}

/**
 * Marks a GAN that a `fit` is training, with the trainer that runs it. A registered symbol, so that
 * an ESM and a CommonJS copy of the library see each other's mark.
 */
const FITTING = Symbol.for('ts-gan.Trainer.fitting');
type MarkedGan = GAN & { [FITTING]?: unknown };

/**
 * Marks `gan` as being fitted by `trainer`.
 * @returns a function that removes the mark.
 * @throws {@link StateError} when another trainer is fitting it.
 */
export function claimGan(gan: GAN, trainer: object): () => void {
  const marked = gan as MarkedGan;
  if (marked[FITTING] !== undefined) {
    throw new StateError(
      'Trainer.fit: another Trainer is fitting this GAN; two fits at once would interleave their updates of ' +
        'the same networks. Await that fit (or stop it) first, or train a separate GAN.',
    );
  }
  marked[FITTING] = trainer;
  return () => {
    delete marked[FITTING];
  };
}
