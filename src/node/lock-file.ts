/**
 * The lock file itself: created complete and atomically, read back, and taken over from a dead
 * owner without two takers removing each other's fresh lock. {@link lockFolder} builds on these.
 *
 * @packageDocumentation
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

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

/** Staging files of lock files being created: `<lock>.new-<pid>-<random>`. */
const STAGING = /\.new-(\d+)-[0-9a-f]+$/;

/**
 * Creates `file` holding `owner`, complete, if it does not exist: written under a unique name, then
 * hard-linked to `file` (a link fails when the name exists). Where hard links are not supported,
 * an exclusive create (`wx`) does the same, with a short moment in which the file is empty.
 * @returns false when `file` exists.
 */
export async function createExclusive(file: string, owner: FolderLockOwner): Promise<boolean> {
  const text = `${JSON.stringify(owner)}\n`;
  const staging = `${file}.new-${process.pid}-${randomBytes(4).toString('hex')}`;
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

export async function readOwner(file: string): Promise<FolderLockOwner | 'missing' | 'unreadable'> {
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

/** Whether the owner was another process on this host that no longer runs. */
export function deadElsewhere(owner: FolderLockOwner): boolean {
  return owner.hostname === os.hostname() && owner.pid !== process.pid && !pidAlive(owner.pid);
}

/**
 * Removes what processes killed while taking this lock left beside it (a staging file, a
 * take-over marker); the moments are short, but a SIGKILL can land in them.
 */
export async function removeLitter(file: string): Promise<void> {
  const dir = path.dirname(file);
  const prefix = `${path.basename(file)}.`;
  for (const name of await fs.readdir(dir).catch(() => [] as string[])) {
    if (!name.startsWith(prefix)) continue;
    const litter = path.join(dir, name);
    const staging = STAGING.exec(name);
    if (staging) {
      const pid = Number(staging[1]);
      if (pid !== process.pid && !pidAlive(pid)) await fs.rm(litter, { force: true }).catch(() => undefined);
    } else if (name.startsWith(`${prefix}stale-`)) {
      const marker = await readOwner(litter);
      if (typeof marker === 'object' && deadElsewhere(marker))
        await fs.rm(litter, { force: true }).catch(() => undefined);
    }
  }
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
export async function removeStale(file: string, stale: FolderLockOwner, me: FolderLockOwner): Promise<boolean> {
  const marker = `${file}.stale-${stale.token}`;
  if (!(await createExclusive(marker, me))) {
    const breaker = await readOwner(marker);
    // A taker that died while taking over (a very narrow window) leaves its marker behind.
    if (typeof breaker === 'object' && deadElsewhere(breaker)) await fs.rm(marker, { force: true });
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

function errno(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | null)?.code;
}
