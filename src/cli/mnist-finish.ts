/**
 * The end of a `ts-gan mnist` run: the final save (networks, checkpoint, last grid, interpolation
 * grid, report), or, after a divergence, the alarm line and the message that says what was kept.
 *
 * @packageDocumentation
 */
import { join, resolve } from 'node:path';
import { type DivergenceError, NonFiniteLossError } from '../errors.js';
import type { GAN } from '../gan.js';
import type { Trainer } from '../train/trainer.js';
import type { CliIO } from './args.js';
import { INTERPOLATION_DEFAULTS, writeInterpolationGrid } from './interpolation.js';
import { checkpointExists, saveCheckpoint, saveGan } from './persist.js';
import { GRID_SCALE, type RunRecorder } from './recorder.js';
import { appendAlarm, writeReportOf } from './run-record.js';

/** The files of a run folder that the end of a run writes or names. */
export interface RunPaths {
  out: string;
  checkpointDir: string;
  metricsPath: string;
}

/**
 * Saves what a finished (or stopped) run leaves: gan/, checkpoint/, the last grid, the
 * interpolation grid and report.html, and says where on stdout.
 */
export async function finishRun(
  gan: GAN,
  trainer: Trainer,
  recorder: RunRecorder,
  paths: RunPaths,
  io: CliIO,
): Promise<void> {
  const { out, checkpointDir, metricsPath } = paths;
  await saveGan(gan, join(out, 'gan'));
  await saveCheckpoint(trainer, checkpointDir);
  await recorder.sample(trainer.step);
  await writeInterpolationGrid(gan, join(out, 'samples', 'interpolation.png'), {
    ...INTERPOLATION_DEFAULTS,
    seed: gan.seed,
    scale: GRID_SCALE,
  });
  await writeReportOf(out, io);
  io.stdout.write(
    `step ${trainer.step}: samples in ${resolve(out, 'samples')}, metrics in ${resolve(metricsPath)}, ` +
      `networks in ${resolve(out, 'gan')}, checkpoint in ${resolve(checkpointDir)}\n`,
  );
}

/**
 * After a run stopped by divergence: the diverged weights are not saved (gan/ and checkpoint/ keep
 * the last good state); a NaN loss gets its alarm line, and stderr says what was kept.
 */
export async function reportDivergence(
  stopped: DivergenceError | NonFiniteLossError,
  paths: RunPaths,
  io: CliIO,
  command = 'mnist',
): Promise<void> {
  if (stopped instanceof NonFiniteLossError)
    await appendAlarm(paths.metricsPath, stopped.step, 'divergence', stopped.message);
  const kept = (await checkpointExists(paths.checkpointDir))
    ? `The last good checkpoint is kept in ${resolve(paths.checkpointDir)}.`
    : 'No checkpoint was saved before it.';
  io.stderr.write(`\nts-gan ${command}: ${stopped.message}\n${kept}\n`);
}
