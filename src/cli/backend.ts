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

/** Sets the backend up and writes one line saying which one runs (and why, in auto mode). */
export async function setupBackend(name: BackendName | undefined, io: CliIO): Promise<BackendReport> {
  const report = await useBackend(name);
  const fixes = report.fixes.length > 0 ? ` (fixes: ${report.fixes.join(', ')})` : '';
  const why =
    name === undefined
      ? report.skipped.length > 0
        ? `; auto skipped ${report.skipped.map((s) => s.name).join(', ')} (not installed or not usable)`
        : ' (auto)'
      : '';
  io.stderr.write(`backend: ${report.name}${fixes}${why}\n`);
  return report;
}
