/**
 * One writer per folder: an exclusive lock file that names its owner (pid, host, start time,
 * command), taken by every save of `ts-gan/node` and by `ts-gan mnist` for its whole run.
 *
 * The lock file is created complete and atomically (written under a unique name, then hard-linked
 * to the lock's name, which fails if it exists), so a reader never sees a half-written owner. A lock
 * whose owner is provably gone (a pid that no longer runs on this host) is taken over; any other
 * lock is refused with a {@link CheckpointError} of code `ERR_GAN_CHECKPOINT_LOCKED`.
 *
 * @packageDocumentation
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CheckpointError } from '../errors.js';
import { createExclusive, type FolderLockOwner, pidAlive, readOwner, removeLitter, removeStale } from './lock-file.js';

export type { FolderLockOwner } from './lock-file.js';

/**
 * A lock held on a folder; release it when the write is done.
 * @category IO
 */
export interface FolderLock {
  /** The lock file. */
  readonly file: string;
  /** What the lock file says (this process). */
  readonly owner: FolderLockOwner;
  /** Removes the lock file if it is still this lock's. Calling it again does nothing. */
  release(): Promise<void>;
}

/**
 * Options of {@link lockFolder}.
 * @category IO
 */
export interface LockFolderOptions {
  /** The lock file; default `<folder>.lock` beside the folder (a folder swapped by renames cannot hold its own lock). */
  file?: string;
  /** What the folder is, for messages: default `Folder`. */
  label?: string;
}

/** Tries to take over a lock held by a dead owner this many times before giving up. */
const TAKEOVER_ATTEMPTS = 20;
/** Pause between two attempts while another process takes over the same stale lock. */
const TAKEOVER_PAUSE_MS = 25;

// On globalThis, so that an ESM and a CJS copy of the library agree on the locks this process holds.
const HELD_KEY = Symbol.for('ts-gan.heldFolderLocks');

function held(): Set<string> {
  const g = globalThis as unknown as Record<symbol, Set<string> | undefined>;
  g[HELD_KEY] ??= new Set();
  return g[HELD_KEY];
}

/** The lock file of `folder` by default: `<folder>.lock` beside it. */
export function defaultLockFile(folder: string): string {
  return `${path.resolve(folder)}.lock`;
}

/**
 * Takes the exclusive lock of `folder`. Only one holder at a time, across processes on this host
 * and, on a shared file system, across hosts. A lock left by a process that no longer runs on this
 * host is taken over; a lock held by a running process, or by a process on another host, is refused.
 *
 * @param folder - the folder to lock (it need not exist).
 * @param options - where the lock file goes, and a label for messages.
 * @returns the lock; call `release()` in a `finally`.
 * @throws {@link CheckpointError} with code `ERR_GAN_CHECKPOINT_LOCKED`, naming the owner (pid,
 *   host, command, since when) and what to do, when another writer holds it.
 * @example
 * ```ts
 * const lock = await lockFolder('./runs/a');
 * try {
 *   // write into ./runs/a
 * } finally {
 *   await lock.release();
 * }
 * ```
 * @category IO
 */
export async function lockFolder(folder: string, options: LockFolderOptions = {}): Promise<FolderLock> {
  const file = path.resolve(options.file ?? defaultLockFile(folder));
  const label = options.label ?? 'Folder';
  await fs.mkdir(path.dirname(file), { recursive: true });
  const owner: FolderLockOwner = {
    pid: process.pid,
    hostname: os.hostname(),
    since: new Date().toISOString(),
    command: commandLine(),
    token: randomBytes(8).toString('hex'),
  };
  for (let attempt = 0; attempt < TAKEOVER_ATTEMPTS; attempt++) {
    if (await createExclusive(file, owner)) {
      held().add(file);
      await removeLitter(file);
      return handle(file, owner);
    }
    const current = await readOwner(file);
    if (current === 'missing') continue;
    if (current === 'unreadable' || !isStale(file, current)) throw lockedError(label, folder, file, current);
    if (!(await removeStale(file, current, owner))) await pause(TAKEOVER_PAUSE_MS);
  }
  const current = await readOwner(file);
  throw lockedError(label, folder, file, current === 'missing' ? 'unreadable' : current);
}

/**
 * Reads who holds the lock of `folder`, if anyone.
 * @param folder - the locked folder.
 * @param options - `file`, when the lock is not the default `<folder>.lock`.
 * @returns the owner, or null when there is no lock file (or it cannot be read).
 * @category IO
 */
export async function readFolderLock(
  folder: string,
  options: Pick<LockFolderOptions, 'file'> = {},
): Promise<FolderLockOwner | null> {
  const current = await readOwner(path.resolve(options.file ?? defaultLockFile(folder)));
  return typeof current === 'object' ? current : null;
}

/**
 * Runs `fn` while holding the lock of `folder`, and releases it however `fn` ends.
 * @param folder - the folder to lock.
 * @param fn - the write.
 * @param options - as for {@link lockFolder}.
 * @returns what `fn` returns.
 * @throws {@link CheckpointError} with code `ERR_GAN_CHECKPOINT_LOCKED` when another writer holds it.
 * @category IO
 */
export async function withFolderLock<T>(
  folder: string,
  fn: () => Promise<T>,
  options: LockFolderOptions = {},
): Promise<T> {
  const lock = await lockFolder(folder, options);
  try {
    return await fn();
  } finally {
    await lock.release();
  }
}

function handle(file: string, owner: FolderLockOwner): FolderLock {
  let released = false;
  return {
    file,
    owner,
    async release() {
      if (released) return;
      released = true;
      held().delete(file);
      const current = await readOwner(file);
      if (typeof current === 'object' && current.token === owner.token) await fs.rm(file, { force: true });
    },
  };
}

/**
 * Whether the owner is provably gone: on this host, and its pid does not run (or is this process,
 * which does not hold the lock: a restarted container often gets the same pid again).
 */
function isStale(file: string, owner: FolderLockOwner): boolean {
  if (owner.hostname !== os.hostname()) return false;
  if (owner.pid === process.pid) return !held().has(file);
  return !pidAlive(owner.pid);
}

function lockedError(
  label: string,
  folder: string,
  file: string,
  owner: FolderLockOwner | 'unreadable',
): CheckpointError {
  const where = `${label} ${path.resolve(folder)}`;
  if (owner === 'unreadable') {
    return new CheckpointError(
      `${where} is locked by another writer (its lock file ${file} cannot be read). Wait for that writer ` +
        `to finish, or write elsewhere; if no process writes there, delete ${file}.`,
      { code: 'ERR_GAN_CHECKPOINT_LOCKED' },
    );
  }
  const here = owner.hostname === os.hostname();
  const who =
    owner.pid === process.pid && here
      ? `this process (pid ${owner.pid}), in another save that has not finished`
      : `pid ${owner.pid} on ${here ? 'this host' : `host ${owner.hostname}`} (${owner.command})`;
  const gone = here
    ? `if that process no longer runs, delete ${file}`
    : `this host cannot tell whether it still runs; if it does not, delete ${file}`;
  return new CheckpointError(
    `${where} is being written by ${who}, since ${owner.since}. Wait for it to finish, or write ` +
      `elsewhere; ${gone}.`,
    { code: 'ERR_GAN_CHECKPOINT_LOCKED' },
  );
}

/** The longest command line a lock file keeps. */
const MAX_COMMAND_CHARS = 300;

/** This process's command line, for a reader who wants to know what holds a folder. */
function commandLine(): string {
  const [node, script, ...args] = process.argv;
  const text = [path.basename(node ?? 'node'), ...(script ? [script] : []), ...args].join(' ');
  return text.length > MAX_COMMAND_CHARS ? `${text.slice(0, MAX_COMMAND_CHARS)}...` : text;
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
