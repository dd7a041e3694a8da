/**
 * Atomic replacement of a folder on the local file system: the new contents are written into a
 * temporary sibling and flushed, then swapped in with two renames; a reader that finds the target
 * missing (a crash between the renames) reads the previous version kept beside it. One writer at
 * a time: a save holds the folder's lock file for its whole duration.
 *
 * @packageDocumentation
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { CheckpointError } from '../errors.js';
import { lockFolder } from './folder-lock.js';
import { carryForeign, foreignAllIn, type OwnEntries } from './foreign-entries.js';

/** The contents of a folder to write: relative path to bytes or text. */
export type FolderContents = ReadonlyMap<string, Uint8Array | string>;

function siblingName(target: string, tag: 'tmp' | 'old'): string {
  return `${target}.${tag}-${Date.now()}-${process.pid}-${randomBytes(4).toString('hex')}`;
}

/** Whether anything exists at `p`. */
export async function exists(p: string): Promise<boolean> {
  try {
    await fs.stat(p);
    return true;
  } catch {
    return false;
  }
}

/** Writes a file and flushes it to the disk, so a rename never publishes a half-written file. */
async function writeDurable(file: string, data: Uint8Array | string): Promise<void> {
  const handle = await fs.open(file, 'w');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Flushes a folder's entries (a rename's durability); not every platform allows it. */
async function syncFolder(folder: string): Promise<void> {
  try {
    const handle = await fs.open(folder, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Windows cannot open a folder for syncing; its renames are durable enough for this use.
  }
}

/**
 * Replaces the file `file` by one holding `data`, atomically: written into a temporary sibling,
 * flushed, renamed over `file`, and the rename flushed. A crash leaves the old file or the new one,
 * never half of one; a failed write removes its temporary file.
 */
export async function replaceFile(file: string, data: Uint8Array | string): Promise<void> {
  const tmp = `${file}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    await writeDurable(tmp, data);
    await fs.rename(tmp, file);
  } catch (err) {
    await fs.rm(tmp, { force: true }).catch(() => undefined);
    throw err;
  }
  await syncFolder(path.dirname(file));
}

/** How {@link replaceFolder} treats what is already there. */
export interface ReplaceFolderOptions {
  /** Checks that an existing `target` is something this writer may replace; returns the reason to refuse, or null. */
  mayReplace: (existing: string) => Promise<string | null>;
  /** Whether a folder is a complete version (what a reader needs), to find the current one after an interrupted save. */
  isComplete: (dir: string) => Promise<boolean>;
  /**
   * The relative paths (with `/`) this writer writes; every other entry of the current version is
   * kept in the new one. Default `'all'`: the folder is replaced whole.
   */
  own?: OwnEntries;
  /** What the folder is, for messages (`Checkpoint`, `Model folder`). */
  label?: string;
}

/**
 * Replaces the folder `target` by one holding `contents` (plus, with `options.own`, the entries of
 * the current version that are not this writer's), atomically: a crash leaves either the old folder
 * (at `target`, or beside it as `target.old-*` for a moment) or the new one. The whole write holds
 * the folder's lock (`target.lock`), so a second writer is refused instead of interleaving.
 * @throws {@link CheckpointError} with code `ERR_GAN_CHECKPOINT_LOCKED` when another writer holds the lock.
 */
export async function replaceFolder(
  target: string,
  contents: FolderContents,
  options: ReplaceFolderOptions,
): Promise<void> {
  const absolute = path.resolve(target);
  await fs.mkdir(path.dirname(absolute), { recursive: true });
  const lock = await lockFolder(absolute, { label: options.label ?? 'Folder' });
  try {
    await replaceLocked(target, absolute, contents, options);
  } finally {
    await lock.release();
  }
}

async function replaceLocked(
  target: string,
  absolute: string,
  contents: FolderContents,
  options: ReplaceFolderOptions,
): Promise<void> {
  const own = options.own ?? 'all';
  const current = await currentVersion(absolute, options.isComplete);
  if (current === absolute) {
    const reason = await options.mayReplace(absolute);
    if (reason) throw new CheckpointError(`Refusing to overwrite ${target}: ${reason}.`);
  }
  const tmp = siblingName(absolute, 'tmp');
  let old: string | undefined;
  try {
    await fs.mkdir(tmp);
    for (const [rel, data] of contents) {
      const file = path.join(tmp, rel);
      await fs.mkdir(path.dirname(file), { recursive: true });
      await writeDurable(file, data);
    }
    const carried = current === null ? [] : await carryForeign(current, tmp, own);
    const written = [...contents.keys()].map((rel) => path.dirname(path.join(tmp, rel)));
    for (const dir of new Set([...written, ...carried])) await syncFolder(dir);
    await syncFolder(tmp);
    // rename() cannot replace a non-empty folder, hence two renames; readers bridge the gap.
    if (await exists(absolute)) {
      old = siblingName(absolute, 'old');
      await fs.rename(absolute, old);
    }
    await fs.rename(tmp, absolute);
    await syncFolder(path.dirname(absolute));
  } catch (err) {
    if (old !== undefined && !(await exists(absolute))) await fs.rename(old, absolute).catch(() => undefined);
    await fs.rm(tmp, { recursive: true, force: true }).catch(() => undefined);
    throw err;
  }
  await removeLeftovers(absolute, own);
}

/**
 * Removes `target.tmp-*` and `target.old-*` siblings: this save's previous version, and what
 * interrupted saves left. The caller holds the lock, so no other writer is in flight and every
 * leftover is this writer's or a dead writer's. A temporary folder only ever holds copies; a
 * previous version is removed only when every entry of a user's in it is also in `target`.
 */
async function removeLeftovers(absolute: string, own: OwnEntries): Promise<void> {
  const dir = path.dirname(absolute);
  const base = path.basename(absolute);
  const entries = await fs.readdir(dir).catch(() => [] as string[]);
  for (const name of entries) {
    const leftover = path.join(dir, name);
    const isTmp = name.startsWith(`${base}.tmp-`);
    if (!isTmp && !name.startsWith(`${base}.old-`)) continue;
    if (isTmp || (await foreignAllIn(leftover, absolute, own))) {
      await fs.rm(leftover, { recursive: true, force: true }).catch(() => undefined);
    }
  }
}

/**
 * The current version of a folder: `target` when it exists, otherwise (a save interrupted between
 * its two renames) the newest complete previous version beside it, or null when there is none.
 * @param isComplete - whether a folder holds what a reader needs.
 */
export async function currentVersion(
  target: string,
  isComplete: (dir: string) => Promise<boolean>,
): Promise<string | null> {
  const absolute = path.resolve(target);
  if (await exists(absolute)) return absolute;
  const dir = path.dirname(absolute);
  const base = path.basename(absolute);
  const olds = (await fs.readdir(dir).catch(() => [] as string[]))
    .filter((name) => name.startsWith(`${base}.old-`))
    .sort()
    .reverse();
  for (const name of olds) {
    const candidate = path.join(dir, name);
    if (await isComplete(candidate)) return candidate;
  }
  return null;
}

/**
 * The folder to read: `target`, or, when a save was interrupted between its two renames, the
 * newest complete previous version beside it.
 * @param isComplete - whether a folder holds what a reader needs.
 * @throws {@link CheckpointError} when there is neither.
 */
export async function folderToRead(target: string, isComplete: (dir: string) => Promise<boolean>): Promise<string> {
  const found = await currentVersion(target, isComplete);
  if (found === null) throw new CheckpointError(`Nothing found at ${target} (${path.resolve(target)}).`);
  return found;
}
