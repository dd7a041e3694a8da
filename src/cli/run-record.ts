/**
 * What a training command leaves for its report: run.json at the start (command line, options,
 * backend and fixes, version, time), alarm lines in metrics.jsonl, and report.html at the end.
 *
 * @packageDocumentation
 */
import { appendFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { BackendReport } from '../backends/index.js';
import { LIBRARY_VERSION } from '../io/version.js';
import { writeRunReport } from '../node/report.js';
import { writeRunJson } from '../node/run-json.js';
import type { CliIO } from './args.js';

/** Turns parsed options into JSON-friendly values (sets become sorted arrays). */
function plainOptions(options: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options)) {
    out[key] = value instanceof Set ? [...value].sort() : value;
  }
  return out;
}

/**
 * Records this start of a run in its run.json (appended to the history on resume).
 * @param argv - the command line after `ts-gan`, such as `['mnist', '--steps', '100']`.
 */
export async function recordRun(
  out: string,
  argv: readonly string[],
  options: object,
  backend: BackendReport,
  startStep: number,
  resumed: boolean,
): Promise<void> {
  await writeRunJson(
    out,
    {
      argv: [...argv],
      cwd: process.cwd(),
      startedAt: new Date().toISOString(),
      startStep,
      backend: { name: backend.name, fixes: [...backend.fixes] },
      version: LIBRARY_VERSION,
      options: plainOptions(options),
    },
    resumed,
  );
}

/** Appends an alarm line, `{"step", "alarm", "message"}`, to metrics.jsonl, where the report finds it. */
export async function appendAlarm(metricsPath: string, step: number, alarm: string, message: string): Promise<void> {
  await appendFile(metricsPath, `${JSON.stringify({ step, alarm, message })}\n`);
}

/**
 * Writes the run's report.html and says where on stdout. A failure here never fails the run (its
 * files are already written): it is reported on stderr with the command that retries it.
 */
export async function writeReportOf(out: string, io: CliIO): Promise<void> {
  try {
    const file = await writeRunReport(out);
    io.stdout.write(`report in ${resolve(file)}\n`);
  } catch (err) {
    io.stderr.write(
      `warning: could not write the report (${(err as Error).message}); retry with ts-gan report --from ${out}\n`,
    );
  }
}
