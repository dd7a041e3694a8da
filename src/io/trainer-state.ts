/**
 * The parts of a trainer checkpoint that follow the trainer's option table: the options it keeps,
 * the code it records, the caller's runtime options at load, and the moving average's state.
 *
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { CheckpointError, ConfigError } from '../errors.js';
import type { Trainer, TrainerOptions } from '../train/trainer.js';
import type { TrainerLoadOptions } from '../train/trainer-io.js';
import { optionKeys } from '../train/trainer-options.js';
import { positiveInteger, show } from '../util/validate.js';
import type { TrainerStateJSON } from './manifest.js';

/** Weight-name prefix of the generator's moving average (trainer option `ema`). */
export const EMA_PREFIX = 'ema';

/**
 * Trainer options a checkpoint stores and restores, from the option table: the trainer's resolved
 * value for `'field'` options, the option as given for `'json'` ones. Runtime options and code are
 * passed again to {@link Trainer.load} (the checkpoint records which code was used).
 */
const SAVED_FIELDS = optionKeys('field') as readonly (
  | 'batchSize'
  | 'discriminatorSteps'
  | 'labelSmoothing'
  | 'warmupSteps'
  | 'logEvery'
)[];
const SAVED_JSON_OPTIONS = optionKeys('json');

/** The options a checkpoint keeps: the trainer's step-shaping fields and its regularizer options. */
export function savedOptions(trainer: Trainer): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of SAVED_FIELDS) out[key] = trainer[key];
  for (const key of SAVED_JSON_OPTIONS) {
    const value = trainer.initialOptions[key];
    if (value === undefined) continue;
    const text = JSON.stringify(value);
    if (text === undefined || JSON.stringify(JSON.parse(text)) !== text || hasFunction(value)) {
      throw new CheckpointError(
        `Trainer.save: option ${key} is not plain JSON and cannot be saved, got ${show(value)}.`,
      );
    }
    out[key] = JSON.parse(text);
  }
  return out;
}

function hasFunction(value: unknown): boolean {
  if (typeof value === 'function') return true;
  if (value !== null && typeof value === 'object') return Object.values(value).some(hasFunction);
  return false;
}

/**
 * The code a saved run used (a custom step, custom penalties) must be passed again, and only then.
 * @throws {@link CheckpointError} naming what is missing or extra.
 */
export function checkCode(where: string, state: TrainerStateJSON, options: TrainerLoadOptions): void {
  const savedStep = state.code?.step === true;
  if (savedStep && options.step === undefined) {
    throw new CheckpointError(`${where}: the saved run used a custom step; pass the same function as options.step.`);
  }
  if (!savedStep && options.step !== undefined) {
    throw new CheckpointError(`${where}: step differs: the saved run used the built-in step; remove options.step.`);
  }
  const saved = state.code?.penalties ?? [];
  const given = (options.penalties ?? []).map((p) => p?.name);
  if (saved.length !== given.length || saved.some((name, i) => name !== given[i])) {
    throw new CheckpointError(
      `${where}: penalties differ: the saved run used [${saved.join(', ')}], options.penalties has [${given.join(', ')}].`,
    );
  }
}

/** The options that are the caller's, checked here so that a later failure is the checkpoint's. */
export function runtimeOptions(where: string, options: TrainerLoadOptions): TrainerOptions {
  const out: TrainerOptions = {};
  if (options.logEvery !== undefined) out.logEvery = positiveInteger(where, 'logEvery', options.logEvery);
  if (options.callbacks !== undefined) {
    if (!Array.isArray(options.callbacks)) {
      throw new ConfigError(`${where}: callbacks must be an array, got ${show(options.callbacks)}.`);
    }
    out.callbacks = options.callbacks;
  }
  if (options.now !== undefined) {
    if (typeof options.now !== 'function')
      throw new ConfigError(`${where}: now must be a function, got ${show(options.now)}.`);
    out.now = options.now;
  }
  if (options.terminateOnNaN !== undefined) {
    if (typeof options.terminateOnNaN !== 'boolean') {
      throw new ConfigError(`${where}: terminateOnNaN must be a boolean, got ${show(options.terminateOnNaN)}.`);
    }
    out.terminateOnNaN = options.terminateOnNaN;
  }
  if (options.step !== undefined) out.step = options.step;
  if (options.penalties !== undefined) out.penalties = options.penalties;
  return out;
}

export function checkEmaState(
  where: string,
  state: TrainerStateJSON,
  tensors: tf.NamedTensorMap,
  gVars: tf.Variable[],
): void {
  const hasOption = state.options.ema !== undefined;
  if (hasOption !== (state.ema !== undefined)) {
    throw new CheckpointError(`${where}: the manifest's ema state does not match its ema option.`);
  }
  if (!state.ema) return;
  if (state.ema.count !== gVars.length) {
    throw new CheckpointError(
      `${where}: the saved moving average has ${state.ema.count} tensors, the generator has ${gVars.length} trainable variables.`,
    );
  }
  for (let i = 0; i < state.ema.count; i++) {
    const t = tensors[`${EMA_PREFIX}/${i}`];
    const v = gVars[i] as tf.Variable;
    if (!t || !tf.util.arraysEqual(t.shape, v.shape) || t.dtype !== v.dtype) {
      throw new CheckpointError(
        `${where}: the saved moving average's tensor ${i} is missing or has the wrong shape or dtype.`,
      );
    }
  }
}

export function restoreEma(trainer: Trainer, state: TrainerStateJSON, tensors: tf.NamedTensorMap): void {
  if (!state.ema || !trainer.ema) return;
  for (const [i, v] of trainer.ema.variables.entries()) v.assign(tensors[`${EMA_PREFIX}/${i}`] as tf.Tensor);
  trainer.ema.updates = state.ema.updates;
}
