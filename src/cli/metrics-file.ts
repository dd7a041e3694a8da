/**
 * `metrics.jsonl` follows the checkpoint: a run killed after its last checkpoint has logged steps
 * that a resumed run trains again, so resuming first drops the lines past the checkpoint's step.
 *
 * @packageDocumentation
 */
import { promises as fs } from 'node:fs';
import { replaceFile } from '../node/atomic-folder.js';

/** What {@link trimMetricsText} kept and dropped. */
export interface MetricsTrim {
  /** The file's new text. */
  text: string;
  /** Lines kept. */
  kept: number;
  /** Lines dropped: those past the step, and a torn last line. */
  dropped: number;
}

/** The `step` of a metrics line, or undefined when the line is not a JSON object with a numeric step. */
function stepOf(line: string): number | undefined {
  try {
    const value: unknown = JSON.parse(line);
    if (value === null || typeof value !== 'object') return undefined;
    const step = (value as { step?: unknown }).step;
    return typeof step === 'number' && Number.isFinite(step) ? step : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The lines of a metrics file that belong to a run resumed at `step`.
 *
 * A complete line (ended by a newline) is dropped when its `step` is past `step`, and kept
 * otherwise, also when it cannot be read: it is not ours to judge. The text after the last
 * newline is a line cut by a kill during its write: it is dropped, unless it reads whole as a line
 * at or before `step` (then it is kept and given its newline). Appending after a torn line would
 * glue the next line onto it and spoil both.
 */
export function trimMetricsText(text: string, step: number): MetricsTrim {
  const parts = text.split('\n');
  const tail = parts.pop() ?? '';
  const kept: string[] = [];
  let dropped = 0;
  for (const line of parts) {
    const at = stepOf(line);
    if (at !== undefined && at > step) dropped++;
    else kept.push(line);
  }
  if (tail !== '') {
    const at = stepOf(tail);
    if (at !== undefined && at <= step) kept.push(tail);
    else dropped++;
  }
  return { text: kept.map((line) => `${line}\n`).join(''), kept: kept.length, dropped };
}

/**
 * Drops the lines of a metrics file past `step` (see {@link trimMetricsText}), atomically: a kill
 * during the trim leaves the old file or the new one, never a mix. A missing file is left missing,
 * and a file with nothing to drop is not rewritten.
 * @param file - the run's metrics.jsonl.
 * @param step - the step of the checkpoint the run resumes from.
 * @returns the number of lines kept and dropped.
 */
export async function trimMetricsFile(file: string, step: number): Promise<{ kept: number; dropped: number }> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { kept: 0, dropped: 0 };
    throw err;
  }
  const trimmed = trimMetricsText(text, step);
  if (trimmed.text !== text) await replaceFile(file, trimmed.text);
  return { kept: trimmed.kept, dropped: trimmed.dropped };
}
