/**
 * One training pipeline for every training command (`ts-gan mnist`, `ts-gan train`): the run
 * folder's checks and lock, the trainer (fresh or resumed), the callbacks that write grids,
 * metrics, checkpoints, alarms and TensorBoard files, and the end of the run. A command gives its
 * parsed options and its data source.
 *
 * @packageDocumentation
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type * as tf from '@tensorflow/tfjs-core';
import type { Callback } from '../callbacks/callback.js';
import { DataError } from '../errors.js';
import { GAN } from '../gan.js';
import type { MnistJudge } from '../metrics/judge.js';
import { ProgressBar } from '../node/progress.js';
import { readRunJson } from '../node/run-json.js';
import { Trainer, type TrainerOptions } from '../train/trainer.js';
import type { TrainerExpectations } from '../train/trainer-io.js';
import { archSteps } from './arch.js';
import { type CliIO, UsageError } from './args.js';
import { checkBackendFlag, setupBackend } from './backend.js';
import { trimMetricsFile } from './metrics-file.js';
import { finishRun, type RunPaths, reportDivergence } from './mnist-finish.js';
import { EXIT_DIVERGED } from './mnist-flags.js';
import { type MnistRunOptions, mnistTrainerOptions, runArchConfig } from './mnist-options.js';
import { resumeTrainer } from './mnist-resume.js';
import { divergenceAlarm, evaluation, guardedCheckpoint, isDivergence } from './mnist-watch.js';
import { checkpointExists } from './persist.js';
import { RunRecorder } from './recorder.js';
import { assertNoRun, removeRun } from './run-folder.js';
import { withRunLock } from './run-lock.js';
import { recordRun } from './run-record.js';
import { type StopSignals, stopOnSignals } from './stop-signals.js';
import { mnistTensorBoard } from './tensorboard.js';

/** Length of the noise vector of every architecture the commands train. */
const LATENT_DIM = 100;

/** When stderr is not a terminal (a log file), a plain progress line this often. */
const PLAIN_PROGRESS_MS = 30_000;

/** The training images of a run. */
export interface RunData {
  /** `[n, ...dataShape]` in [-1, 1]; the pipeline disposes it at the end of the run. */
  images: tf.Tensor4D;
  /** The class of each image, for the conditional architectures; undefined without labels. */
  labels?: Int32Array;
  /** How many classes the labels index (0 without labels). */
  numClasses: number;
  /** The shape of one image, `[height, width, channels]`. */
  dataShape: readonly [number, number, number];
  /** What was loaded, for the `data:` line on stderr: `200 digits from ...`. */
  description: string;
}

/** What a training command hands to {@link runTraining}. */
export interface TrainingRun {
  /** The subcommand, for messages and run.json: `mnist`, `train`. */
  command: string;
  /** The parsed options (the flags of `ts-gan mnist`, and maybe more). */
  options: MnistRunOptions;
  /** The command line after the subcommand, for run.json. */
  argv: string[];
  /** Loads the data, once the run folder is locked and the backend chosen. */
  load: () => Promise<RunData>;
  /** Trainer options of the command's own flags, on top of those of the shared flags. */
  trainerOptions?: TrainerOptions;
  /** What a resumed run's checkpoint must agree with, for the command's own flags. */
  expect?: TrainerExpectations;
  /** Loads the judge of --eval-every. Default: the MNIST judge. */
  loadJudge?: () => MnistJudge;
}

/** The architectures that train on class labels. */
const NEEDS_LABELS = new Set(['cgan', 'acgan']);

/** Fails early, before any training, when the run folder cannot be written. */
export async function assertWritable(out: string, command = 'mnist'): Promise<void> {
  const probe = join(out, `.ts-gan-write-test-${process.pid}`);
  try {
    await mkdir(out, { recursive: true });
    await writeFile(probe, '');
    await rm(probe, { force: true });
  } catch (err) {
    throw new Error(
      `ts-gan ${command}: cannot write to --out ${resolve(out)}: ${(err as Error).message}. Choose another folder.`,
      { cause: err },
    );
  }
}

/**
 * Runs a training command: checks the run folder (refusing an existing run without `--resume` or
 * `--overwrite`), takes its lock, then trains.
 * @returns the exit code.
 */
export async function runTraining(run: TrainingRun, io: CliIO): Promise<number> {
  const { command, options: o } = run;
  const checkpointDir = join(o.out, 'checkpoint');
  if (o.resume && !(await checkpointExists(checkpointDir))) {
    throw new UsageError(
      `ts-gan ${command}: --resume needs a checkpoint in ${resolve(checkpointDir)}, and there is none.`,
    );
  }
  if (!o.resume && !o.overwrite) await assertNoRun(o.out);
  await assertWritable(o.out, command);
  return withRunLock(command, o.out, () => train(run, io));
}

/** The trainer of a resumed run (its checkpoint, the flags checked against it), or of a fresh one. */
async function startTrainer(run: TrainingRun, data: RunData, paths: RunPaths, io: CliIO): Promise<Trainer> {
  const o = run.options;
  const dataShape = data.dataShape;
  if (o.resume) {
    const trainer = await resumeTrainer(o, paths.checkpointDir, dataShape, {
      command: run.command,
      numClasses: data.numClasses,
      ...(run.expect && { expect: run.expect }),
    });
    io.stderr.write(
      `resuming from step ${trainer.step} (${resolve(paths.checkpointDir)}), with the saved batch size ${trainer.batchSize}\n`,
    );
    const { dropped } = await trimMetricsFile(paths.metricsPath, trainer.step);
    if (dropped > 0) io.stderr.write(`metrics.jsonl: dropped ${dropped} lines past step ${trainer.step}\n`);
    return trainer;
  }
  if (o.overwrite) await removeRun(o.out); // late, so that a run that cannot start keeps the old one
  const gan = new GAN({
    ...runArchConfig(o, o.r1 !== undefined, data.numClasses),
    latentDim: LATENT_DIM,
    dataShape,
    seed: o.seed,
  });
  try {
    return new Trainer(gan, { ...mnistTrainerOptions(o), ...run.trainerOptions });
  } catch (err) {
    gan.dispose();
    throw err;
  }
}

/** Refuses a conditional architecture without labels, or labels the GAN has no class for. */
function checkLabels(run: TrainingRun, data: RunData, gan?: GAN): void {
  const arch = run.options.arch;
  if (NEEDS_LABELS.has(arch) && data.labels === undefined) {
    throw new UsageError(
      `ts-gan ${run.command}: --arch ${arch} trains on class labels, and the data has none. Put the images ` +
        'into one subfolder per class, or give an IDX labels file with --labels FILE; or pick --arch dcgan.',
    );
  }
  const classes = gan?.conditioning?.needsLabels ? gan.conditioning.numClasses : undefined;
  if (classes !== undefined && data.numClasses > classes) {
    throw new DataError(
      `ts-gan ${run.command}: the data has ${data.numClasses} classes, but the checkpoint's GAN has ${classes}.`,
    );
  }
}

/**
 * The step to train to without --steps: a resumed run's own target (the --steps its first start
 * was given or defaulted to, from run.json), else the architecture's budget.
 */
async function defaultSteps(o: MnistRunOptions): Promise<number> {
  if (o.resume) {
    const runs = await readRunJson(o.out);
    const first = Array.isArray(runs) ? runs[0]?.options : undefined;
    if (typeof first?.steps === 'number') return first.steps;
  }
  return archSteps(o.arch);
}

/** A run, while holding the run folder's lock. */
async function train(run: TrainingRun, io: CliIO): Promise<number> {
  const o = run.options;
  const paths: RunPaths = {
    out: o.out,
    checkpointDir: join(o.out, 'checkpoint'),
    metricsPath: join(o.out, 'metrics.jsonl'),
  };
  const backend = await setupBackend(checkBackendFlag(run.command, o.backend), io, o.threads);
  const data = await run.load();
  const progress = new ProgressBar({ stream: io.stderr, plainInterval: PLAIN_PROGRESS_MS });
  let trainer: Trainer | undefined;
  let gan: GAN | undefined;
  let signals: StopSignals | undefined;
  try {
    checkLabels(run, data);
    io.stderr.write(`data: ${data.description}\n`);
    trainer = await startTrainer(run, data, paths, io);
    gan = trainer.gan;
    checkLabels(run, data, gan);
    const steps = o.steps ?? (await defaultSteps(o));
    await recordRun(o.out, [run.command, ...run.argv], { ...o, steps }, backend, trainer.step, o.resume);
    const remaining = steps - trainer.step;
    const recorder = new RunRecorder({
      out: o.out,
      gan,
      sampleSeed: gan.seed,
      sampleEvery: o.sampleEvery,
      checkpointEvery: o.checkpointEvery,
      checkpoint: guardedCheckpoint(trainer, paths.checkpointDir, o, io),
    });
    if (remaining <= 0) {
      io.stderr.write(`already at step ${trainer.step} of ${steps}; nothing to train.\n`);
    } else {
      if (io.handleSignals) signals = stopOnSignals(() => trainer?.stop(), io.stderr);
      // cGAN and ACGAN train on the labels; the others ignore them.
      const trainingData =
        gan.conditioning?.needsLabels && data.labels ? { x: data.images, labels: data.labels } : data.images;
      const warnings: Callback = { onWarning: (w) => void io.stderr.write(`\nwarning: ${w.message}\n`) };
      const callbacks: Callback[] = [progress, recorder, warnings];
      const judge =
        o.evalEvery > 0 ? evaluation(o, gan.seed, paths.metricsPath, io, undefined, run.loadJudge) : undefined;
      if (judge) callbacks.push(judge);
      if (o.divergence !== 'off') callbacks.push(divergenceAlarm(o.divergence, paths.metricsPath, io));
      // After the judge, so that each evaluation reaches the event file in the same hook.
      if (o.tensorboard) callbacks.push(mnistTensorBoard(o.out, gan, o.sampleEvery, judge));
      const stopped = await trainer.fit(trainingData, { steps: remaining, callbacks }).then(
        () => undefined,
        (err: unknown) => (isDivergence(err) ? err : Promise.reject(err)),
      );
      if (stopped) {
        await reportDivergence(stopped, paths, io, run.command);
        return EXIT_DIVERGED;
      }
    }
    await finishRun(gan, trainer, recorder, paths, io);
    return signals?.exitCode ?? 0;
  } finally {
    signals?.dispose();
    progress.stop();
    trainer?.dispose();
    gan?.dispose();
    data.images.dispose();
  }
}
