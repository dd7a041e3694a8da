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

/**
 * Who holds a folder lock, as written in its lock file.
 * @category IO
 */
export interface FolderLockOwner {
  /** The owner's process id. */
  pid: number;
  /** The host the owner runs on (`os.hostname()`). */
  hostname: string;
  /** When the lock was taken, ISO 8601. */
  since: string;
  /** The owner's command line. */
  command: string;
  /** A random token: the lock's identity, so that a lock is only ever removed by its taker. */
  token: string;
}

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
 * Creates `file` holding `owner`, complete, if it does not exist: written under a unique name, then
 * hard-linked to `file` (a link fails when the name exists). Where hard links are not supported,
 * an exclusive create (`wx`) does the same, with a short moment in which the file is empty.
 * @returns false when `file` exists.
 */
async function createExclusive(file: string, owner: FolderLockOwner): Promise<boolean> {
  const text = `${JSON.stringify(owner)}\n`;
  const staging = `${file}.${owner.token}-${randomBytes(4).toString('hex')}.new`;
  await fs.writeFile(staging, text, { flag: 'wx' });
  try {
    await fs.link(staging, file);
    return true;
  } catch (err) {
    if (errno(err) === 'EEXIST') return false;
    if (!['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EXDEV'].includes(errno(err) ?? '')) throw err;
  } finally {
    await fs.rm(staging, { force: true });
  }
  try {
    await fs.writeFile(file, text, { flag: 'wx' });
    return true;
  } catch (err) {
    if (errno(err) === 'EEXIST') return false;
    throw err;
  }
}

async function readOwner(file: string): Promise<FolderLockOwner | 'missing' | 'unreadable'> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    return errno(err) === 'ENOENT' ? 'missing' : 'unreadable';
  }
  try {
    const o = JSON.parse(text) as Partial<FolderLockOwner>;
    if (Number.isSafeInteger(o.pid) && typeof o.hostname === 'string' && typeof o.token === 'string') {
      return {
        pid: o.pid as number,
        hostname: o.hostname,
        since: String(o.since ?? '?'),
        command: String(o.command ?? '?'),
        token: o.token,
      };
    }
  } catch {
    // Damaged (or being written by the `wx` fallback): nobody can tell who holds it.
  }
  return 'unreadable';
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

/** Whether a process with this pid runs on this host. */
export function pidAlive(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it runs, under another user.
    return errno(err) === 'EPERM';
  }
}

/**
 * Removes a stale lock, making sure that no two processes taking it over at once remove each
 * other's fresh lock: only the one that creates the marker `<file>.stale-<token>` may remove the
 * lock with that token, and it checks the token again first.
 * @returns false when another process is taking it over (try again shortly).
 */
async function removeStale(file: string, stale: FolderLockOwner, me: FolderLockOwner): Promise<boolean> {
  const marker = `${file}.stale-${stale.token}`;
  if (!(await createExclusive(marker, me))) {
    const breaker = await readOwner(marker);
    // A taker that died while taking over (a very narrow window) leaves its marker behind.
    if (typeof breaker === 'object' && isStale(marker, breaker)) await fs.rm(marker, { force: true });
    return false;
  }
  try {
    const again = await readOwner(file);
    if (typeof again === 'object' && again.token === stale.token) await fs.rm(file, { force: true });
    return true;
  } finally {
    await fs.rm(marker, { force: true });
  }
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

function errno(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | null)?.code;
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
