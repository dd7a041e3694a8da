import { createHash } from 'node:crypto';
import { appendFile, mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, expect, test } from 'vitest';
import { cli } from '../support/cli';
import { exited, loggedSteps, reachStep, SMALL_MLP_RUN, spawnMnist } from '../support/cli-process';

const temp = (prefix: string) => mkdtemp(join(tmpdir(), `ts-gan-cli-faults-${prefix}-`));
const SMALL = SMALL_MLP_RUN;
/** More steps than a test ever waits for: the child runs until it is signalled. */
const ENDLESS = ['--steps', '100000', '--sample-every', '0'];

/** The step a resumed run starts from, as it reports it. */
function resumedFrom(stderr: string): number {
  const match = /resuming from step (\d+)/.exec(stderr);
  if (!match) throw new Error(`no "resuming from step" in:\n${stderr}`);
  return Number(match[1]);
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('ts-gan mnist: signals, then --resume', () => {
  test('SIGTERM stops after the step, saves, exits 143; --resume continues with every step logged once', async () => {
    const out = await temp('sigterm');
    const run = spawnMnist([...SMALL, ...ENDLESS, '--checkpoint-every', '0', '--out', out]);
    await reachStep(out, 3, run);
    run.child.kill('SIGTERM');
    expect(await exited(run.child)).toEqual({ code: 143, signal: null });
    expect(run.stderr()).toMatch(/SIGTERM: stopping after this step and saving/);
    const stopped = /stopped after \d+ steps \(to step (\d+)\)/.exec(run.stderr());
    expect(stopped, run.stderr()).not.toBeNull();
    const reached = Number(stopped?.[1]);
    expect(reached).toBeGreaterThanOrEqual(3);
    // The final save happened: networks and a checkpoint at the step reached (--checkpoint-every 0
    // saves only at the end), and every step up to it is logged.
    expect((await readdir(join(out, 'gan'))).length).toBeGreaterThan(0);
    expect(await loggedSteps(out)).toEqual(range(1, reached));

    const resumed = await cli('mnist', ...SMALL, '--steps', String(reached + 3), '--resume', '--out', out);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumedFrom(resumed.stderr)).toBe(reached);
    expect(await loggedSteps(out)).toEqual(range(1, reached + 3));
  });

  test('SIGKILL after a periodic checkpoint: --resume drops the lines past it, then logs every step once', async () => {
    const out = await temp('sigkill');
    const every = 20;
    const run = spawnMnist([...SMALL, ...ENDLESS, '--checkpoint-every', String(every), '--out', out]);
    // The checkpoint of step 20 is saved before step 21 starts; the next one comes at step 40.
    await reachStep(out, every + 1, run);
    run.child.kill('SIGKILL');
    expect(await exited(run.child)).toEqual({ code: null, signal: 'SIGKILL' });
    const killed = await loggedSteps(out);
    const last = killed.at(-1) as number;
    expect(killed).toEqual(range(1, last));
    // A kill during a write leaves a torn line; one is added here, as a kill cannot be aimed at a write.
    await appendFile(join(out, 'metrics.jsonl'), `{"step":${last + 1},"dLoss":0.6`);

    const resumed = await cli('mnist', ...SMALL, '--steps', String(last + 3), '--resume', '--out', out);
    expect(resumed.code, resumed.stderr).toBe(0);
    const from = resumedFrom(resumed.stderr);
    expect(from % every).toBe(0);
    expect(from).toBeLessThan(last); // the case at hand: steps were logged after the checkpoint
    expect(resumed.stderr).toContain(`metrics.jsonl: dropped ${last - from + 1} lines past step ${from}`);
    const text = await readFile(join(out, 'metrics.jsonl'), 'utf8');
    const lines = text.split('\n');
    expect(lines.pop()).toBe(''); // every line complete
    const steps = lines.map((line) => (JSON.parse(line) as { step: number }).step);
    expect(steps).toEqual(range(1, last + 3)); // strictly increasing, none twice, none missing
  });
});

/** Every file under `dir`, by relative path, with the SHA-256 of its bytes (cheap to compare). */
async function snapshot(dir: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const file = join(entry.parentPath, entry.name);
    files.set(
      relative(dir, file),
      createHash('sha256')
        .update(await readFile(file))
        .digest('hex'),
    );
  }
  return files;
}

describe('ts-gan mnist: a re-run into a finished run', () => {
  test('without --resume: exit 2, nothing touched; with --overwrite: the run is replaced, the user’s files stay', async () => {
    const out = await temp('rerun');
    const args = [...SMALL, '--sample-every', '2', '--checkpoint-every', '2', '--out', out];
    const first = await cli('mnist', ...args, '--steps', '4');
    expect(first.code, first.stderr).toBe(0);
    await writeFile(join(out, 'notes.txt'), 'lr 2e-4 looked good');
    await mkdir(join(out, 'samples'), { recursive: true });
    await writeFile(join(out, 'samples', 'favourite.png'), 'not a grid of the run');
    const before = await snapshot(out);
    for (const file of [
      'checkpoint/checkpoint.json',
      'gan/checkpoint.json',
      'metrics.jsonl',
      'samples/step-000004.png',
    ])
      expect(before.has(file), file).toBe(true);

    const again = await cli('mnist', ...args, '--steps', '4');
    expect(again.code).toBe(2);
    for (const flag of ['--resume', '--out', '--overwrite']) expect(again.stderr).toContain(flag);
    expect(again.stderr).not.toContain('backend:'); // refused before anything was set up
    expect(await snapshot(out)).toEqual(before);

    const both = await cli('mnist', ...args, '--steps', '4', '--resume', '--overwrite');
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/--resume .*--overwrite/);
    expect(await snapshot(out)).toEqual(before);

    const replaced = await cli('mnist', ...args, '--steps', '2', '--overwrite');
    expect(replaced.code, replaced.stderr).toBe(0);
    const after = await snapshot(out);
    expect(after.get('notes.txt')).toEqual(before.get('notes.txt'));
    expect(after.get('samples/favourite.png')).toEqual(before.get('samples/favourite.png'));
    // The new run's files only: its grids, its metrics from step 1, its checkpoint.
    expect((await readdir(join(out, 'samples'))).sort()).toEqual([
      'favourite.png',
      'interpolation.png',
      'latest.png',
      'step-000000.png',
      'step-000002.png',
    ]);
    expect(await loggedSteps(out)).toEqual([1, 2]);
    const resumed = await cli('mnist', ...SMALL, '--steps', '3', '--resume', '--out', out);
    expect(resumedFrom(resumed.stderr)).toBe(2);
  });
});

test('--help names --overwrite, SIGTERM and resume’s trim of metrics.jsonl', async () => {
  const help = await cli('mnist', '--help');
  expect(help.code).toBe(0);
  expect(help.stdout).toMatch(/--overwrite {2,}replace the run in --out/);
  expect(help.stdout).toMatch(/SIGTERM stops after the current step and saves[\s\S]*143 after SIGTERM/);
  expect(help.stdout).toMatch(/metrics\.jsonl loses its lines past the checkpoint's step/);
});
