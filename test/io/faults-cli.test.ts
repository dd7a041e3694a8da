/**
 * The command's side of storage safety: `ts-gan mnist --resume` finds the checkpoint wherever
 * `Trainer.load` does (also the previous version a save killed between its renames leaves), and
 * one run at a time holds a run folder: a second run into the same `--out` exits 2 naming the first.
 */
import { mkdtemp, readdir, rename, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Trainer } from 'ts-gan';
import 'ts-gan/node';
import { expect, test } from 'vitest';
import { RUN_LOCK_FILE } from '../../src/cli/run-lock';
import { cli } from '../support/cli';
import { startChild } from '../support/io-processes';

const temp = (prefix: string) => mkdtemp(join(tmpdir(), `ts-gan-cli-faults-${prefix}-`));
/** A tiny run: 64 digits, no evaluation, grids only at the start and end. */
const TINY = [
  '--arch',
  'mlp',
  '--backend',
  'cpu',
  '--batch-size',
  '8',
  '--limit',
  '64',
  '--eval-every',
  '0',
  '--sample-every',
  '0',
];

async function stepOf(dir: string): Promise<number> {
  const t = await Trainer.load(dir);
  const step = t.step;
  t.dispose();
  t.gan.dispose();
  return step;
}

test('a save killed between its two renames: --resume resumes from the previous version', async () => {
  const out = await temp('renames');
  expect((await cli('mnist', ...TINY, '--steps', '2', '--out', out)).code).toBe(0);
  // What a kill between the renames leaves: the checkpoint moved aside, under the name a save gives it.
  const old = join(out, `checkpoint.old-${Date.now()}-12345-deadbeef`);
  await rename(join(out, 'checkpoint'), old);
  const resumed = await cli('mnist', ...TINY, '--steps', '3', '--resume', '--out', out);
  expect(resumed.stderr).toMatch(/resuming from step 2/);
  expect(resumed.code).toBe(0);
  expect(await stepOf(join(out, 'checkpoint'))).toBe(3);
  // The resumed run's save replaced it, and nothing is left beside it.
  expect((await readdir(out)).filter((n) => n.startsWith('checkpoint.'))).toEqual([]);
});

test('a second run into the --out of a running one exits 2 and names it; after it died, its lock is taken over', async () => {
  const out = await temp('two-runs');
  const first = startChild('../../src/cli/main.ts', ['mnist', ...TINY, '--steps', '1000000', '--out', out]);
  try {
    await first.waitFor(/^data: /, 0, 'stderr');
    const second = await cli('mnist', ...TINY, '--steps', '1', '--out', out);
    expect(second.code).toBe(2);
    expect(second.stderr).toContain(`is in use by another run`);
    expect(second.stderr).toContain(`pid ${first.process.pid} on this host`);
    expect(second.stderr).toMatch(/since \d{4}-\d\d-\d\dT/);
    expect(second.stderr).toMatch(
      /Wait for it to finish, or write elsewhere; if that process no longer runs, delete .*\.ts-gan-run\.lock/,
    );
  } finally {
    await first.kill();
  }
  // The killed run's lock is stale: the next run takes it over and trains.
  const third = await cli('mnist', ...TINY, '--steps', '1', '--out', out);
  expect(third.stderr).toMatch(/trained 1 step/);
  expect(third.code).toBe(0);
  expect((await readdir(out)).includes(RUN_LOCK_FILE)).toBe(false);
});

test('a run folder locked by a process on another host is refused: this host cannot tell whether it runs', async () => {
  const out = await temp('other-host');
  const owner = {
    pid: 4242,
    hostname: `${hostname()}-other`,
    since: '2030-01-01T00:00:00.000Z',
    command: 'ts-gan mnist',
    token: 't',
  };
  await writeFile(join(out, RUN_LOCK_FILE), JSON.stringify(owner));
  const r = await cli('mnist', ...TINY, '--steps', '1', '--out', out);
  expect(r.code).toBe(2);
  expect(r.stderr).toMatch(/pid 4242 on host .*-other \(ts-gan mnist\), since 2030-01-01T00:00:00.000Z/);
  expect(await readdir(out)).toEqual([RUN_LOCK_FILE]);
});
