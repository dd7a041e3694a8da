/**
 * One `ts-gan` run per run folder: the command holds the folder's lock (`<out>/.ts-gan-run.lock`)
 * from the start of a run to its end, so a second run into the same `--out` is refused at once,
 * naming the first, instead of both writing the same checkpoint and metrics.
 *
 * @packageDocumentation
 */
import { join, resolve } from 'node:path';
import { CheckpointError } from '../errors.js';
import { lockFolder } from '../node/folder-lock.js';
import { UsageError } from './args.js';

/** The run folder's lock file, inside it (the run folder is never swapped, and `--out .` has no writable parent to rely on). */
export const RUN_LOCK_FILE = '.ts-gan-run.lock';

/**
 * Runs `fn` while holding the run folder's lock.
 * @param command - the subcommand, for messages (`mnist`).
 * @param out - the run folder (created if missing).
 * @throws UsageError (exit code 2) naming the owner when another run holds the folder.
 */
export async function withRunLock<T>(command: string, out: string, fn: () => Promise<T>): Promise<T> {
  let lock: Awaited<ReturnType<typeof lockFolder>>;
  try {
    lock = await lockFolder(out, { file: join(out, RUN_LOCK_FILE), label: 'Run folder' });
  } catch (err) {
    if (err instanceof CheckpointError && err.code === 'ERR_GAN_CHECKPOINT_LOCKED') {
      throw new UsageError(
        `ts-gan ${command}: --out ${resolve(out)} is in use by another run. ${err.message} ` +
          'To train alongside it, pass another --out.',
      );
    }
    throw err;
  }
  try {
    return await fn();
  } finally {
    await lock.release();
  }
}
