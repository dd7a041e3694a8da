/**
 * Fault tests across processes: a save killed with SIGKILL at any moment, and two processes
 * saving into one folder at once, never leave a folder without a loadable checkpoint.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Trainer } from 'ts-gan';
import 'ts-gan/node';
import { afterAll, expect, test } from 'vitest';
import { startChild } from '../support/io-processes';

const root = mkdtempSync(path.join(tmpdir(), 'ts-gan-faults-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const TRIALS = 20;

/** A small deterministic generator of kill moments (mulberry32), so a failing trial can be replayed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Where trial i kills the saving child: frozen inside one of the six file writes of a save, right
 * after either of its two renames, or at a random moment of its save loop (which also lands in the
 * clean-up of leftovers and in the lock's creation and removal).
 */
function killPoint(trial: number): { env: Record<string, string>; label: string } {
  if (trial >= 1 && trial <= 6) return { env: { PAUSE_AT_WRITE: String(trial) }, label: `in write ${trial}` };
  if (trial === 7 || trial === 8) {
    // Rename 2 first: after a kill past rename 1 the folder is missing, and the next save makes one rename only.
    const n = String(9 - trial);
    return { env: { PAUSE_AFTER_RENAME: n }, label: `after rename ${n}` };
  }
  return { env: {}, label: 'at a random moment' };
}

async function loadedStep(dir: string): Promise<number> {
  const t = await Trainer.load(dir);
  const step = t.step;
  t.dispose();
  t.gan.dispose();
  return step;
}

test(`SIGKILL during saves, ${TRIALS} trials: every time the checkpoint loads and is the old or the new one`, async () => {
  const dir = path.join(root, 'killed');
  const next = random(22);
  for (let trial = 0; trial < TRIALS; trial++) {
    const point = killPoint(trial);
    const child = startChild('./io-save-loop.ts', [dir], point.env);
    const start = Number((await child.waitFor(/^START \d+$/)).line.split(' ')[1]);
    if (point.label === 'at a random moment') {
      await child.waitFor(new RegExp(`^SAVED ${start + 1 + Math.floor(next() * 3)}$`));
      await new Promise((resolve) => setTimeout(resolve, next() * 40));
    } else {
      await child.waitFor(/^PAUSED$/);
    }
    await child.kill();
    const saved = [...child.stdout().matchAll(/^SAVED (\d+)$/gm)].map((m) => Number(m[1]));
    const last = Math.max(start, ...saved);
    // The save in flight was step last + 1: its checkpoint or the one before it, nothing else.
    const step = await loadedStep(dir);
    expect([last, last + 1], `trial ${trial}, killed ${point.label}`).toContain(step);
    if (point.env.PAUSE_AT_WRITE || point.env.PAUSE_AFTER_RENAME === '1') expect(step).toBe(last);
    if (point.env.PAUSE_AFTER_RENAME === '2') expect(step).toBe(last + 1);
  }
  // A later save cleans up what the killed ones left (the last kill may leave a temporary folder or
  // a lock's staging file), and takes over their stale locks.
  const survivor = await Trainer.load(dir);
  await survivor.save(dir);
  survivor.dispose();
  survivor.gan.dispose();
  expect(readdirSync(root).filter((name) => name.startsWith('killed.'))).toEqual([]);
});

test(`two processes saving into one folder, ${TRIALS} trials: a loadable checkpoint every time, the loser gets the lock error`, async () => {
  const writers = [startChild('./io-two-writers.ts', ['1']), startChild('./io-two-writers.ts', ['2'])];
  try {
    await Promise.all(writers.map((w) => w.waitFor(/^READY$/)));
    const seen = writers.map(() => 0);
    for (let trial = 0; trial < TRIALS; trial++) {
      const dir = path.join(root, `shared-${trial}`);
      const results = writers.map((w, i) => {
        const line = w.waitFor(/^RESULT /, seen[i]);
        w.send(`save ${dir} 4`);
        return line;
      });
      const outcomes = await Promise.all(results);
      outcomes.forEach((o, i) => {
        seen[i] = o.index + 1;
      });
      const counts = outcomes.map((o) => JSON.parse(o.line.slice('RESULT '.length)));
      for (const c of counts) {
        // Every save either succeeded or was refused by the lock: no ENOENT from a temporary
        // folder removed under a writer's feet, no torn folder.
        expect(c.errors, `trial ${trial}`).toEqual([]);
        expect(c.ok + c.locked).toBe(4);
      }
      expect(counts.reduce((n, c) => n + c.ok, 0)).toBeGreaterThan(0);
      expect(await loadedStep(dir)).toBe(1);
      // The last writer's clean-up left nothing: no temporary or previous folder, no lock.
      expect(readdirSync(root).filter((name) => name.startsWith(`shared-${trial}.`))).toEqual([]);
    }
  } finally {
    await Promise.all(writers.map((w) => w.kill()));
  }
  expect(existsSync(path.join(root, 'shared-0'))).toBe(true);
});
