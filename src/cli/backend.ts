/**
 * `--backend`: validates the name, sets the backend up through `useBackend`, and says which one runs.
 *
 * @packageDocumentation
 */
import { BACKEND_NAMES, type BackendName, type BackendReport, useBackend } from '../backends/index.js';
import { type CliIO, UsageError } from './args.js';

/** Valid values of `--backend`: `auto` and every name `useBackend` knows. */
export const BACKEND_CHOICES: readonly string[] = ['auto', ...BACKEND_NAMES];

/**
 * Checks a `--backend` value without setting anything up.
 * @throws UsageError listing the valid names.
 */
export function checkBackendFlag(command: string, value: string): BackendName | undefined {
  if (value === 'auto') return undefined;
  if ((BACKEND_NAMES as readonly string[]).includes(value)) return value as BackendName;
  throw new UsageError(
    `ts-gan ${command}: unknown --backend ${JSON.stringify(value)}; valid backends: ${BACKEND_CHOICES.join(', ')}.`,
  );
}

/** The environment variable that gives the library's GEMM its threads (`useBackend`'s `threads`). */
export const THREADS_ENV = 'TS_GAN_THREADS';

/** A thread count as `useBackend` takes it: `auto` (every core) or a count. */
export type Threads = number | 'auto';

/**
 * A `--threads` or `TS_GAN_THREADS` value: `auto` or an integer from 1 to 256; `where` names the
 * source in the error.
 * @throws UsageError for another value.
 */
export function parseThreads(value: string, where: string): Threads {
  if (value === 'auto') return 'auto';
  const n = Number(value);
  if (!/^[0-9]+$/.test(value) || n < 1 || n > 256) {
    throw new UsageError(`${where} must be 'auto' or an integer from 1 to 256, got ${JSON.stringify(value)}.`);
  }
  return n;
}

/**
 * `TS_GAN_THREADS`: unset or empty for the default, `auto` for every core, or a thread count.
 * @throws UsageError for another value.
 */
export function threadsFromEnv(env: Record<string, string | undefined> = process.env): Threads | undefined {
  const value = env[THREADS_ENV]?.trim();
  if (value === undefined || value === '') return undefined;
  return parseThreads(value, `ts-gan: ${THREADS_ENV}`);
}

/**
 * Sets the backend up and writes one line saying which one runs (and why, in auto mode). `threads`
 * (from `--threads`) comes before `TS_GAN_THREADS`.
 */
export async function setupBackend(
  name: BackendName | undefined,
  io: CliIO,
  threadsFlag?: Threads,
): Promise<BackendReport> {
  const threads = threadsFlag ?? threadsFromEnv();
  const report = await useBackend(name, threads === undefined ? {} : { threads });
  const fixes = report.fixes.length > 0 ? ` (fixes: ${report.fixes.join(', ')})` : '';
  const threadNote = report.threads > 1 ? `, ${report.threads} threads` : '';
  const why =
    name === undefined
      ? report.skipped.length > 0
        ? `; auto skipped ${report.skipped.map((s) => s.name).join(', ')} (not installed or not usable)`
        : ' (auto)'
      : '';
  io.stderr.write(`backend: ${report.name}${threadNote}${fixes}${why}\n`);
  return report;
}
