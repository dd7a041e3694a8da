/**
 * Atomic replacement of a folder on the local file system: the new contents are written into a
 * temporary sibling and flushed, then swapped in with two renames; a reader that finds the target
 * missing (a crash between the renames) reads the previous version kept beside it.
 *
 * @packageDocumentation
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { CheckpointError } from '../errors.js';

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
 * Replaces the folder `target` by one holding exactly `contents`, atomically: a crash leaves
 * either the old folder (at `target`, or beside it as `target.old-*` for a moment) or the new one.
 * @param mayReplace - checks that an existing `target` is something this writer owns; returns
 *   the reason to refuse, or null.
 */
export async function replaceFolder(
  target: string,
  contents: FolderContents,
  mayReplace: (existing: string) => Promise<string | null>,
): Promise<void> {
  const absolute = path.resolve(target);
  await fs.mkdir(path.dirname(absolute), { recursive: true });
  if (await exists(absolute)) {
    const reason = await mayReplace(absolute);
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
    for (const dir of new Set([...contents.keys()].map((rel) => path.dirname(path.join(tmp, rel)))))
      await syncFolder(dir);
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
  await removeLeftovers(absolute);
}

/** Removes `target.tmp-*` and `target.old-*` siblings left by earlier interrupted saves. */
async function removeLeftovers(absolute: string): Promise<void> {
  const dir = path.dirname(absolute);
  const base = path.basename(absolute);
  const entries = await fs.readdir(dir).catch(() => [] as string[]);
  for (const name of entries) {
    if (name.startsWith(`${base}.tmp-`) || name.startsWith(`${base}.old-`)) {
      await fs.rm(path.join(dir, name), { recursive: true, force: true }).catch(() => undefined);
    }
  }
}

/**
 * The folder to read: `target`, or, when a save was interrupted between its two renames, the
 * newest complete previous version beside it.
 * @param isComplete - whether a folder holds what a reader needs.
 */
export async function folderToRead(target: string, isComplete: (dir: string) => Promise<boolean>): Promise<string> {
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
  throw new CheckpointError(`Nothing found at ${target} (${absolute}).`);
}
