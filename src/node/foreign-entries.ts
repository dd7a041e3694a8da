/**
 * The entries of a folder that a writer did not write ("foreign": a user's notes, a samples/
 * folder), carried from the current version of a folder into its replacement, so that a save
 * replaces only its own files.
 *
 * Carrying never moves anything: files are hard-linked (copied where links are not possible) into
 * the new version, so at every moment the user's files are in the current version of the folder.
 * The previous version is removed only once every foreign entry it holds is found in the new one.
 *
 * @packageDocumentation
 */
import { constants, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { CheckpointError } from '../errors.js';

/**
 * What a writer owns in a folder: the relative paths (with `/`) it writes, or `'all'` when the
 * folder is entirely its own (nothing is carried).
 */
export type OwnEntries = readonly string[] | 'all';

/** Whether `rel` is a folder on the way to one of the writer's own files. */
function isOwnDir(own: readonly string[], rel: string): boolean {
  return own.some((p) => p.startsWith(`${rel}/`));
}

async function lexists(p: string): Promise<boolean> {
  try {
    await fs.lstat(p);
    return true;
  } catch {
    return false;
  }
}

/**
 * Links (or copies) every foreign entry of `from` into `to`, which already holds the writer's
 * own new files.
 * @returns the folders created or filled in `to`, to be flushed before the swap.
 * @throws {@link CheckpointError} when a foreign entry sits where the writer writes.
 */
export async function carryForeign(from: string, to: string, own: OwnEntries): Promise<string[]> {
  if (own === 'all') return [];
  const touched: string[] = [];
  await carryInto(from, to, '', own, true, touched);
  return touched;
}

async function carryInto(
  from: string,
  to: string,
  rel: string,
  own: readonly string[],
  ownSide: boolean,
  touched: string[],
): Promise<void> {
  const entries = await fs.readdir(path.join(from, rel), { withFileTypes: true });
  for (const entry of entries) {
    const child = rel === '' ? entry.name : `${rel}/${entry.name}`;
    const src = path.join(from, child);
    const dst = path.join(to, child);
    if (ownSide && own.includes(child) && !entry.isDirectory()) continue;
    const keepsOwn = ownSide && entry.isDirectory() && isOwnDir(own, child);
    if (!keepsOwn && (await lexists(dst))) {
      throw new CheckpointError(
        `${path.join(from, child)} is in the way of the save: it is not one of the files a save writes, ` +
          'but sits where one goes. Move it elsewhere and save again.',
      );
    }
    if (entry.isDirectory()) {
      await fs.mkdir(dst, { recursive: true });
      touched.push(dst);
      await carryInto(from, to, child, own, keepsOwn, touched);
    } else if (entry.isSymbolicLink()) {
      await fs.symlink(await fs.readlink(src), dst);
      touched.push(path.dirname(dst));
    } else if (entry.isFile()) {
      await linkOrCopy(src, dst);
      touched.push(path.dirname(dst));
    }
    // Anything else (a socket, a FIFO) is not carried; the previous version that holds it is then kept.
  }
}

/** A hard link shares the file (no copy, no extra space); a copy where the file system has no links. */
async function linkOrCopy(src: string, dst: string): Promise<void> {
  try {
    await fs.link(src, dst);
    return;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (!['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EXDEV', 'EMLINK'].includes(code ?? '')) throw err;
  }
  await fs.copyFile(src, dst, constants.COPYFILE_EXCL);
  const handle = await fs.open(dst, 'r+');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Whether every foreign entry of `old` is also in `current`, so that removing `old` loses nothing
 * of a user's. Unreadable folders count as holding something.
 */
export async function foreignAllIn(old: string, current: string, own: OwnEntries): Promise<boolean> {
  if (own === 'all') return true;
  try {
    return await allIn(old, current, '', own, true);
  } catch {
    return false;
  }
}

async function allIn(
  old: string,
  current: string,
  rel: string,
  own: readonly string[],
  ownSide: boolean,
): Promise<boolean> {
  for (const entry of await fs.readdir(path.join(old, rel), { withFileTypes: true })) {
    const child = rel === '' ? entry.name : `${rel}/${entry.name}`;
    if (ownSide && own.includes(child) && !entry.isDirectory()) continue;
    if (!(await lexists(path.join(current, child)))) return false;
    const keepsOwn = ownSide && entry.isDirectory() && isOwnDir(own, child);
    if (entry.isDirectory() && !(await allIn(old, current, child, own, keepsOwn))) return false;
  }
  return true;
}
