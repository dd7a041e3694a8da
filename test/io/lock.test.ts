/**
 * One writer per folder: a save holds the folder's lock file for its whole duration; a second
 * writer is refused with a CheckpointError of code ERR_GAN_CHECKPOINT_LOCKED that names the owner
 * and touches nothing of the first writer's; a lock left by a dead process is taken over. A full
 * disk leaves the previous checkpoint loadable.
 */
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  promises as fsp,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { CheckpointError, GAN, Trainer } from 'ts-gan';
import { type FolderLockOwner, lockFolder, readFolderLock, withFolderLock } from 'ts-gan/node';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { tinyData, tinyGan } from '../../test-shared/fixtures';

const root = mkdtempSync(path.join(tmpdir(), 'ts-gan-lock-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let trainer: Trainer;
beforeAll(async () => {
  trainer = new Trainer(tinyGan(), { batchSize: 4 });
  const data = tinyData();
  await trainer.fit(data, { steps: 2 });
  data.dispose();
});
afterAll(() => {
  trainer.dispose();
  trainer.gan.dispose();
});

/** Every file under `dir` with its bytes, to show that nothing changed. */
function contents(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    out[path.relative(dir, file)] = readFileSync(file).toString('base64');
  }
  return out;
}

/** A lock file as another process would have written it. */
function foreignLock(dir: string, owner: Partial<FolderLockOwner>): string {
  const file = `${dir}.lock`;
  const full: FolderLockOwner = {
    pid: process.ppid,
    hostname: hostname(),
    since: '2030-01-02T03:04:05.000Z',
    command: 'node other-writer.js',
    token: 'f00d',
    ...owner,
  };
  writeFileSync(file, JSON.stringify(full));
  return file;
}

/** The pid of a process that has ended. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(child.stdout);
}

async function lockedError(save: () => Promise<unknown>): Promise<CheckpointError> {
  const err = await save().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(CheckpointError);
  expect((err as CheckpointError).code).toBe('ERR_GAN_CHECKPOINT_LOCKED');
  return err as CheckpointError;
}

describe('the folder lock', () => {
  test('a save while another process holds the lock is refused, names the owner, and touches nothing', async () => {
    const dir = path.join(root, 'live');
    await trainer.save(dir);
    const before = contents(dir);
    // The other writer is in the middle of its save: its temporary folder is beside the target.
    const inFlight = `${dir}.tmp-1-${process.ppid}-abcd`;
    mkdirSync(inFlight);
    writeFileSync(path.join(inFlight, 'checkpoint.json'), '{"half": ');
    const lock = foreignLock(dir, {});
    const err = await lockedError(() => trainer.save(dir));
    expect(err.message).toContain(`pid ${process.ppid} on this host (node other-writer.js)`);
    expect(err.message).toContain('since 2030-01-02T03:04:05.000Z');
    expect(err.message).toMatch(
      /Wait for it to finish, or write elsewhere; if that process no longer runs, delete .*live\.lock/,
    );
    expect(contents(dir)).toEqual(before);
    expect(readFileSync(path.join(inFlight, 'checkpoint.json'), 'utf8')).toBe('{"half": ');
    expect(JSON.parse(readFileSync(lock, 'utf8')).token).toBe('f00d');
    expect(readdirSync(root).filter((n) => n.startsWith('live.'))).toEqual(['live.lock', path.basename(inFlight)]);
    // The lock gone, the next save cleans up the dead writer's leftovers.
    rmSync(lock);
    await trainer.save(dir);
    expect(readdirSync(root).filter((n) => n.startsWith('live.'))).toEqual([]);
  });

  test('a lock left by a process that no longer runs is taken over, and released after the save', async () => {
    const dir = path.join(root, 'stale');
    await trainer.save(dir);
    const pid = deadPid();
    foreignLock(dir, { pid, token: 'dead' });
    expect((await readFolderLock(dir))?.pid).toBe(pid);
    // What processes killed while taking the lock leave: a staging file, a take-over marker; and
    // the staging file of a process that is taking it right now (alive), which stays.
    writeFileSync(`${dir}.lock.new-${pid}-0a0b`, '{}');
    writeFileSync(`${dir}.lock.stale-dead`, JSON.stringify({ pid, hostname: hostname(), token: 'x' }));
    const live = `${dir}.lock.new-${process.ppid}-0c0d`;
    writeFileSync(live, '{}');
    await trainer.save(dir);
    expect(existsSync(`${dir}.lock`)).toBe(false);
    expect(readdirSync(root).filter((n) => n.startsWith('stale.'))).toEqual([path.basename(live)]);
    rmSync(live);
  });

  test('a lock of another host, or one that cannot be read, is refused: this host cannot tell', async () => {
    const dir = path.join(root, 'elsewhere');
    await trainer.save(dir);
    const file = foreignLock(dir, { hostname: 'gpu-node-7', pid: deadPid() });
    const err = await lockedError(() => trainer.gan.save(dir));
    expect(err.message).toMatch(/pid \d+ on host gpu-node-7 .*this host cannot tell whether it still runs/);
    writeFileSync(file, 'not json');
    expect((await lockedError(() => trainer.save(dir))).message).toMatch(/lock file .*elsewhere\.lock cannot be read/);
    rmSync(file);
  });

  test('two saves at once in one process: the second is refused while the first holds the lock', async () => {
    const dir = path.join(root, 'same-process');
    await withFolderLock(dir, async () => {
      const err = await lockedError(() => trainer.save(dir));
      expect(err.message).toContain(`this process (pid ${process.pid}), in another save that has not finished`);
    });
    // Released: the save goes through.
    await trainer.save(dir);
    expect((await Trainer.load(dir)).step).toBe(2);
  });

  test('lockFolder: exclusive, and release removes only its own lock file', async () => {
    const dir = path.join(root, 'api');
    const lock = await lockFolder(dir);
    expect(lock.owner.pid).toBe(process.pid);
    expect(await readFolderLock(dir)).toEqual(lock.owner);
    await lockedError(() => lockFolder(dir));
    await lock.release();
    expect(await readFolderLock(dir)).toBeNull();
    // A lock that is no longer this one's (someone deleted it by hand, another took it) stays.
    const again = await lockFolder(dir);
    writeFileSync(again.file, JSON.stringify({ ...again.owner, token: 'someone-else' }));
    await again.release();
    expect(existsSync(again.file)).toBe(true);
    rmSync(again.file);
  });
});

/** Tries to mount a small tmpfs (root on Linux); false where mounting is not allowed. */
function mountTmpfs(dir: string, size: string): boolean {
  mkdirSync(dir, { recursive: true });
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir]);
  return r.status === 0;
}

/** Makes the next save run out of space: a real full tmpfs when `mount` is given, else injected ENOSPC. */
async function fillDisk(mount: string, real: boolean): Promise<() => void> {
  if (real) {
    // Fill the disk, then free a little: the save writes some files and then finds no space.
    const filler = path.join(mount, 'filler');
    const chunk = Buffer.alloc(4096, 1);
    try {
      for (;;) writeFileSync(filler, chunk, { flag: 'a' });
    } catch {
      // full
    }
    const handle = await fsp.open(filler, 'r+');
    await handle.truncate(Math.max(0, (await handle.stat()).size - 3 * 4096));
    await handle.close();
    return () => undefined;
  }
  // The third file the save opens fails as on a full disk.
  let opened = 0;
  const open = fsp.open.bind(fsp);
  const spy = vi.spyOn(fsp, 'open').mockImplementation(async (...args: Parameters<typeof fsp.open>) => {
    if (++opened === 3) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    return open(...args);
  });
  return () => spy.mockRestore();
}

describe('a full disk', () => {
  test.each([
    ['a small tmpfs (injected ENOSPC where mounting is not allowed)', true],
    ['injected ENOSPC', false],
  ])('%s: the save fails with a CheckpointError, and the previous checkpoint still loads', async (_, tmpfs) => {
    const mount = path.join(root, tmpfs ? 'small-disk' : 'injected-disk');
    const mounted = tmpfs && process.platform === 'linux' && mountTmpfs(mount, '96k');
    const dir = path.join(mount, 'ckpt');
    try {
      await trainer.gan.save(dir); // a GAN checkpoint: what the failed trainer save must leave as it was
      const before = contents(dir);
      const tensors = tf.memory().numTensors;
      const restore = await fillDisk(mount, mounted);
      const err = await trainer.save(dir).then(
        () => undefined,
        (e: unknown) => e,
      );
      restore();
      expect(err).toBeInstanceOf(CheckpointError);
      expect((err as Error).message).toMatch(/could not be written: ENOSPC/);
      expect(tf.memory().numTensors).toBe(tensors);
      expect(contents(dir)).toEqual(before);
      expect(readdirSync(mount).filter((n) => n.startsWith('ckpt.'))).toEqual([]);
      const gan = await GAN.load(dir);
      gan.dispose();
    } finally {
      if (mounted) spawnSync('umount', [mount]);
    }
  });
});
