/**
 * What makes a folder a `ts-gan mnist` run, so that a new run never replaces one by accident, and
 * `--overwrite` removes only the files a run writes.
 *
 * @packageDocumentation
 */
import { promises as fs } from 'node:fs';
import { join, resolve } from 'node:path';
import { UsageError } from './args.js';

/** Folders a run saves atomically; an interrupted save leaves `NAME.tmp-*` or `NAME.old-*` beside them. */
const RUN_FOLDERS = ['checkpoint', 'gan', 'tensorboard'] as const;
/** Files a run writes at the top of its folder. */
const RUN_FILES = ['metrics.jsonl', 'run.json', 'report.html'] as const;
/** The folder of the sample grids. */
const SAMPLES = 'samples';
/** The grids a run writes into samples/: `step-000200.png`, `latest.png` and `interpolation.png`. */
const GRID = /^(step-\d+|latest|interpolation)\.png$/;

/** Whether a top-level entry of a folder is one a run writes. */
function isRunEntry(name: string): boolean {
  if ((RUN_FILES as readonly string[]).includes(name) || (RUN_FOLDERS as readonly string[]).includes(name)) return true;
  // A kill during a save leaves the temporary or the previous version of a folder (or of the metrics file).
  return [...RUN_FOLDERS, ...RUN_FILES].some(
    (base) => name.startsWith(`${base}.tmp-`) || name.startsWith(`${base}.old-`),
  );
}

async function list(dir: string): Promise<string[]> {
  try {
    return await fs.readdir(dir);
  } catch {
    return []; // missing, or not a folder: nothing of a run (the writability check reports the rest)
  }
}

/**
 * The entries of a run in `out`: its checkpoint and networks (with the siblings an interrupted save
 * leaves), metrics.jsonl, and the grids in samples/, as paths relative to `out`, sorted. Empty when
 * `out` is missing, empty, or holds only files a run does not write.
 */
export async function runEntries(out: string): Promise<string[]> {
  const top = (await list(out)).filter(isRunEntry);
  const grids = (await list(join(out, SAMPLES))).filter((name) => GRID.test(name)).map((name) => `${SAMPLES}/${name}`);
  return [...top, ...grids].sort();
}

/** A short description of a run's entries: `checkpoint, gan, metrics.jsonl, 3 grids in samples/`. */
function describe(entries: readonly string[]): string {
  const top = entries.filter((e) => !e.startsWith(`${SAMPLES}/`));
  const grids = entries.length - top.length;
  return [...top, ...(grids > 0 ? [`${grids} grid${grids === 1 ? '' : 's'} in ${SAMPLES}/`] : [])].join(', ');
}

/**
 * Refuses a new run into a folder that holds one.
 * @throws UsageError naming what is there and the three ways on: `--resume`, another `--out`, `--overwrite`.
 */
export async function assertNoRun(out: string): Promise<void> {
  const entries = await runEntries(out);
  if (entries.length === 0) return;
  throw new UsageError(
    `ts-gan mnist: --out ${resolve(out)} already holds a run (${describe(entries)}). ` +
      'Continue it with --resume, choose another --out, or replace it with --overwrite ' +
      '(which keeps the files the run did not write).',
  );
}

/** Removes the entries of a run from `out` ({@link runEntries}); every other file stays. */
export async function removeRun(out: string): Promise<void> {
  for (const entry of await runEntries(out)) await fs.rm(join(out, entry), { recursive: true, force: true });
}
