/**
 * The Trainer's options, their defaults, and the optimizers they choose.
 *
 * @packageDocumentation
 */

import type * as tf from '@tensorflow/tfjs-core';
import type { Callback } from '../callbacks/callback.js';
import { ConfigError } from '../errors.js';
import type { GAN } from '../gan.js';
import { TRAIN_STREAM_OFFSET } from '../random.js';
import { REGULARIZERS, type RegularizerKey } from '../regularizers/registry.js';
import { nonNegativeInteger, numberInRange, positiveInteger, show } from '../util/validate.js';
import type { StepFunction } from './custom-step.js';
import type { RegularizerOptions } from './regularizer-options.js';

/**
 * Options of a {@link Trainer}. Every one is validated in the constructor.
 * @category Training
 */
export interface TrainerOptions extends RegularizerOptions {
  /** Real samples per discriminator update (and generated samples per update). Default 32. */
  batchSize?: number;
  /** Discriminator updates per generator update (n_critic). Default 1. */
  discriminatorSteps?: number;
  /** Generator optimizer. The trainer takes ownership and disposes it. Default Adam(2e-4, 0.5, 0.999, 1e-7). */
  generatorOptimizer?: tf.Optimizer;
  /** Discriminator optimizer. The trainer takes ownership and disposes it. Default Adam(2e-4, 0.5, 0.999, 1e-7). */
  discriminatorOptimizer?: tf.Optimizer;
  /** Learning rate of the default generator Adam (two time-scale update rule). Default 2e-4. */
  generatorLearningRate?: number;
  /** Learning rate of the default discriminator Adam. Default 2e-4. */
  discriminatorLearningRate?: number;
  /**
   * `[beta1, beta2]` of both default Adams, each in [0, 1). Default `[0.5, 0.999]` (Radford et al.).
   * `[0, 0.99]` is StyleGAN's choice with an R1 penalty: on MNIST's DCGAN with R1 it read 7.49
   * against 7.24 after 4,000 steps (PyTorch twin). Not with `generatorOptimizer` or
   * `discriminatorOptimizer`: set the betas on the optimizer you give.
   */
  adamBetas?: readonly [beta1: number, beta2: number];
  /** One-sided label smoothing: real targets become `1 - labelSmoothing`. In [0, 0.5). Default 0. */
  labelSmoothing?: number;
  /** Steps at the start with discriminator updates only (discriminator pre-training). Default 0. */
  warmupSteps?: number;
  /** Read logs back and call `onStepEnd` every this many steps (and on a fit's last step). Default 1. */
  logEvery?: number;
  /** Callbacks for every `fit`. */
  callbacks?: readonly Callback[];
  /** Stop with a NonFiniteLossError when a logged loss is not finite. Default true. */
  terminateOnNaN?: boolean;
  /** Seed of the training stream (noise, batch choice, dropout). Default: derived from the GAN's seed. */
  seed?: number;
  /** Clock in milliseconds, for steps per second. Default `performance.now`. */
  now?: () => number;
  /** A custom training step that replaces the built-in one; see {@link StepContext}. */
  step?: StepFunction;
  /**
   * How the network that is not being trained runs during the other's update: `'inference'`
   * (default; BatchNorm uses and keeps its moving statistics) or `'training'` (BatchNorm on batch
   * statistics, as PyTorch's and keras.io's DCGANs do; the moving statistics then also move during
   * the other network's update, the weights never). Use `'training'` for networks with BatchNorm in
   * the discriminator, such as `presets.dcgan({ discriminatorBatchNorm: true })`.
   */
  frozenNetworkMode?: 'inference' | 'training';
}

/**
 * Options of {@link Trainer.fit}.
 * @category Training
 */
export interface FitOptions {
  /** How many steps to train, a positive integer. */
  steps: number;
  /** Callbacks for this call only, run after the trainer's own. */
  callbacks?: readonly Callback[];
}

/**
 * How a checkpoint keeps a trainer option:
 * - `'field'`: the trainer's resolved value is saved and restored;
 * - `'json'`: the option is saved as given (plain JSON) when set;
 * - `'state'`: its effect is in the saved state (the optimizers' configuration and moments, the random stream);
 * - `'runtime'`: not saved; it decides how a run is observed, and `Trainer.load` takes it again;
 * - `'code'`: a function; the checkpoint records that it (or which names) was used, and `Trainer.load` needs it again.
 */
export type OptionKeeping = 'field' | 'json' | 'state' | 'runtime' | 'code';

/** One trainer option: how a checkpoint keeps it, whether `Trainer.load` takes it, and its check and default. */
export interface OptionSpec {
  readonly keep: OptionKeeping;
  /** `Trainer.load` accepts it (runtime options, code, and the optimizers that receive saved state). */
  readonly onLoad?: boolean;
  /** `Trainer.load`'s `expect` can check it against the checkpoint (a `'field'` option). */
  readonly expectable?: boolean;
  /**
   * Checks the given value (undefined when absent) and returns the resolved one, default applied.
   * Options without it are checked together with others (the optimizers, `adamBetas`, the regularizers).
   */
  readonly resolve?: (value: unknown, gan: GAN) => unknown;
}

/**
 * Every option of a {@link Trainer} except the regularizers' (which {@link REGULARIZERS} declares),
 * in the order the constructor checks them.
 */
const BASE_OPTIONS = {
  batchSize: { keep: 'field', expectable: true, resolve: (v) => positiveInteger('Trainer', 'batchSize', v ?? 32) },
  discriminatorSteps: {
    keep: 'field',
    expectable: true,
    resolve: (v) => positiveInteger('Trainer', 'discriminatorSteps', v ?? 1),
  },
  labelSmoothing: {
    keep: 'field',
    resolve: (v, gan) => {
      const smoothing = numberInRange('Trainer', 'labelSmoothing', v ?? 0, 0, 0.5);
      if (smoothing > 0 && !gan.loss.supportsLabelSmoothing) {
        throw new ConfigError(
          `Trainer: labelSmoothing is not meaningful with the "${gan.loss.name}" loss; ` +
            'use it with minimax, non-saturating or least-squares, or set it to 0.',
        );
      }
      return smoothing;
    },
  },
  warmupSteps: { keep: 'field', resolve: (v) => nonNegativeInteger('Trainer', 'warmupSteps', v ?? 0) },
  logEvery: { keep: 'field', onLoad: true, resolve: (v) => positiveInteger('Trainer', 'logEvery', v ?? 1) },
  callbacks: {
    keep: 'runtime',
    onLoad: true,
    resolve: (v) => {
      if (v !== undefined && !Array.isArray(v))
        throw new ConfigError(`Trainer: callbacks must be an array, got ${show(v)}.`);
      return v ?? [];
    },
  },
  seed: {
    keep: 'state',
    resolve: (v, gan) => {
      const seed = v ?? gan.seed + TRAIN_STREAM_OFFSET;
      if (!Number.isSafeInteger(seed)) throw new ConfigError(`Trainer: seed must be an integer, got ${show(seed)}.`);
      return seed;
    },
  },
  now: {
    keep: 'runtime',
    onLoad: true,
    resolve: (v) => v ?? (() => performance.now()),
  },
  step: {
    keep: 'code',
    onLoad: true,
    resolve: (v) => {
      if (v !== undefined && typeof v !== 'function') {
        throw new ConfigError(`Trainer: step must be a function (context) => StepTensors, got ${show(v)}.`);
      }
      return v;
    },
  },
  frozenNetworkMode: {
    keep: 'json',
    resolve: (v) => {
      const mode = v ?? 'inference';
      if (mode !== 'inference' && mode !== 'training') {
        throw new ConfigError(`Trainer: frozenNetworkMode must be "inference" or "training", got ${show(mode)}.`);
      }
      return mode;
    },
  },
  terminateOnNaN: { keep: 'runtime', onLoad: true },
  adamBetas: { keep: 'state' },
  generatorOptimizer: { keep: 'state', onLoad: true },
  discriminatorOptimizer: { keep: 'state', onLoad: true },
  generatorLearningRate: { keep: 'state' },
  discriminatorLearningRate: { keep: 'state' },
} as const satisfies Record<string, OptionSpec>;

/** The regularizers' options, each kept as its regularizer declares. */
const REGULARIZER_OPTIONS = Object.fromEntries(
  REGULARIZERS.map((r) => [r.option, { keep: r.checkpoint, ...(r.checkpoint === 'code' && { onLoad: true }) }]),
) as Record<RegularizerKey, OptionSpec>;

/** Every trainer option, declared once: the key lists below and the checkpoint's fields derive from it. */
export const TRAINER_OPTIONS: Readonly<Record<keyof TrainerOptions, OptionSpec>> = Object.freeze({
  ...BASE_OPTIONS,
  ...REGULARIZER_OPTIONS,
});

/** The options a {@link Trainer} resolves from {@link BASE_OPTIONS}' `resolve`, with their resolved types. */
export interface ResolvedOptions {
  batchSize: number;
  discriminatorSteps: number;
  labelSmoothing: number;
  warmupSteps: number;
  logEvery: number;
  callbacks: readonly Callback[];
  seed: number;
  now: () => number;
  step: StepFunction | undefined;
  frozenNetworkMode: 'inference' | 'training';
}

/** Checks and resolves every option with a `resolve`, in declaration order. */
export function resolveOptions(options: TrainerOptions, gan: GAN): ResolvedOptions {
  const out: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(BASE_OPTIONS) as [string, OptionSpec][]) {
    if (spec.resolve) out[key] = spec.resolve(options[key as keyof TrainerOptions], gan);
  }
  return out as unknown as ResolvedOptions;
}

/** Keys of the options a checkpoint keeps in a given way. */
export function optionKeys(keep: OptionKeeping): (keyof TrainerOptions)[] {
  return (Object.keys(TRAINER_OPTIONS) as (keyof TrainerOptions)[]).filter((k) => TRAINER_OPTIONS[k].keep === keep);
}

/** Every key of {@link TrainerOptions}, for the unknown-key check. */
export const TRAINER_OPTION_KEYS: readonly (keyof TrainerOptions)[] = Object.freeze(
  Object.keys(TRAINER_OPTIONS) as (keyof TrainerOptions)[],
);

/** The options `Trainer.load`'s `expect` checks against the checkpoint. */
export const EXPECTABLE_OPTION_KEYS = Object.freeze(
  TRAINER_OPTION_KEYS.filter((k) => TRAINER_OPTIONS[k].expectable === true),
) as readonly ('batchSize' | 'discriminatorSteps')[];

/** The options a checkpoint keeps as given, in JSON (as the table's `keep: 'json'` rows say). */
export type JsonKeptOption = 'frozenNetworkMode' | Exclude<RegularizerKey, 'penalties'>;

/** The keys of {@link JsonKeptOption}, read from the table. */
export const JSON_KEPT_OPTION_KEYS = Object.freeze(optionKeys('json')) as readonly JsonKeptOption[];

/** The options {@link Trainer.load} takes again (runtime options, code, the optimizers that receive saved state). */
export const LOAD_OPTION_KEYS: readonly (keyof TrainerOptions)[] = Object.freeze(
  TRAINER_OPTION_KEYS.filter((k) => TRAINER_OPTIONS[k].onLoad === true),
);
