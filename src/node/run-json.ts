/**
 * `run.json`: how a run folder was made. One entry per start of the run (the first, then each
 * resume), each with the command line, the parsed options, the backend with its fixes, the
 * library's version and the time, so that its report can say how to repeat or resume it.
 *
 * @packageDocumentation
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RunInvocation } from '../report/data.js';
import { replaceFile } from './atomic-folder.js';

/** The file's name in a run folder. */
export const RUN_JSON = 'run.json';
/** The `format` field of a run.json. */
export const RUN_JSON_FORMAT = 'ts-gan-run';

/** The contents of a run.json. */
export interface RunJson {
  format: typeof RUN_JSON_FORMAT;
  formatVersion: 1;
  /** Every start of the run, oldest first. */
  invocations: RunInvocation[];
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** One invocation read leniently: fields of the wrong type are dropped; undefined without an argv. */
function readInvocation(v: unknown): RunInvocation | undefined {
  if (!isRecord(v) || !Array.isArray(v.argv) || !v.argv.every((a) => typeof a === 'string')) return undefined;
  const inv: RunInvocation = { argv: v.argv as string[] };
  if (typeof v.cwd === 'string') inv.cwd = v.cwd;
  if (typeof v.startedAt === 'string') inv.startedAt = v.startedAt;
  if (typeof v.startStep === 'number' && Number.isFinite(v.startStep)) inv.startStep = v.startStep;
  if (typeof v.version === 'string') inv.version = v.version;
  if (isRecord(v.options)) inv.options = v.options;
  const b = v.backend;
  if (isRecord(b) && typeof b.name === 'string' && Array.isArray(b.fixes)) {
    inv.backend = { name: b.name, fixes: b.fixes.filter((f): f is string => typeof f === 'string') };
  }
  return inv;
}

/**
 * Reads a run folder's run.json.
 * @returns its invocations; `undefined` when there is no run.json, `'unreadable'` when it is not one.
 */
export async function readRunJson(runDir: string): Promise<RunInvocation[] | undefined | 'unreadable'> {
  let text: string;
  try {
    text = await readFile(join(runDir, RUN_JSON), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    return 'unreadable';
  }
  try {
    const json: unknown = JSON.parse(text);
    if (!isRecord(json) || json.format !== RUN_JSON_FORMAT || !Array.isArray(json.invocations)) return 'unreadable';
    return json.invocations.map(readInvocation).filter((i): i is RunInvocation => i !== undefined);
  } catch {
    return 'unreadable';
  }
}

/**
 * Records a start of the run in `runDir`'s run.json: a fresh run replaces the file, a resumed one
 * appends to the invocations already there.
 *
 * @param runDir - the run folder (it exists).
 * @param invocation - this start.
 * @param resumed - whether this start continues the run.
 */
export async function writeRunJson(runDir: string, invocation: RunInvocation, resumed: boolean): Promise<void> {
  const previous = resumed ? await readRunJson(runDir) : undefined;
  const invocations = Array.isArray(previous) ? [...previous, invocation] : [invocation];
  const json: RunJson = { format: RUN_JSON_FORMAT, formatVersion: 1, invocations };
  await replaceFile(join(runDir, RUN_JSON), `${JSON.stringify(json, null, 2)}\n`);
}
