/**
 * Saving and loading for the command, through the library's own `gan.save`, `GAN.load`,
 * `trainer.save` and `Trainer.load`, on the Node file handler of `ts-gan/node`.
 *
 * @packageDocumentation
 */
import { pathToFileURL } from 'node:url';
import { GAN } from '../gan.js';
import { registerTrainerCheckpoints } from '../io/trainer-checkpoint.js';
import { findCheckpoint, registerFileRouter } from '../node/file-io.js';
import { Trainer } from '../train/trainer.js';
import type { SavedTrainerOptions, TrainerLoadOptions } from '../train/trainer-io.js';

// Called, not imported for its side effect: the package is "sideEffects": false, so a bundler may
// drop a bare import.
registerFileRouter();
registerTrainerCheckpoints();

/** A `file://` URL for a folder, so that the location never depends on how a path looks. */
function url(dir: string): string {
  return pathToFileURL(dir).href;
}

/**
 * Whether `dir` holds a checkpoint written by {@link saveCheckpoint}, as `Trainer.load` sees it:
 * including the previous version kept beside it when a save was interrupted between its renames.
 */
export async function checkpointExists(dir: string): Promise<boolean> {
  return (await findCheckpoint(dir)) !== null;
}

/** Saves the networks into `dir` (loadable with `GAN.load`). */
export async function saveGan(gan: GAN, dir: string): Promise<void> {
  await gan.save(url(dir));
}

/** Loads networks saved by {@link saveGan}. */
export function loadGan(dir: string): Promise<GAN> {
  return GAN.load(url(dir));
}

/** Saves a resumable checkpoint (networks, optimizers, step, random state) into `dir`. */
export async function saveCheckpoint(trainer: Trainer, dir: string): Promise<void> {
  await trainer.save(url(dir));
}

/**
 * Loads a checkpoint written by {@link saveCheckpoint}; the logging interval may change.
 * `expect` adds to the data shape what `Trainer.load` checks before it builds anything.
 * @throws CheckpointError from `Trainer.load`, whose `mismatches` name every expectation that differs.
 */
export function loadCheckpoint(
  dir: string,
  options: { logEvery: number; dataShape: readonly number[]; expect?: TrainerLoadOptions['expect'] },
): Promise<Trainer> {
  const { expect, dataShape } = options;
  return Trainer.load(url(dir), {
    logEvery: options.logEvery,
    expect:
      typeof expect === 'function'
        ? (saved: SavedTrainerOptions) => ({ ...expect(saved), dataShape })
        : { ...expect, dataShape },
  });
}
