/**
 * `ts-gan mnist` as its own process, as a user or a job scheduler starts it, and ways to wait for it
 * by what it writes (never by sleeping a fixed time).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const MAIN = join(ROOT, 'src', 'cli', 'main.ts');

/** The children started by a test; one still running after it (a failed test) is killed. */
const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0))
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

/** `ts-gan mnist ...args` as its own process, as a user or a job scheduler starts it. */
export function spawnMnist(args: string[]): { child: ChildProcess; stderr: () => string } {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, 'mnist', ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr?.on('data', (d) => {
    err += d;
  });
  child.stdout?.resume();
  children.push(child);
  return { child, stderr: () => err };
}

export function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null)
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

/** The steps of the training lines of metrics.jsonl (those with dLoss), in file order. */
export async function loggedSteps(out: string): Promise<number[]> {
  const text = await readFile(join(out, 'metrics.jsonl'), 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter((line) => line.includes('"dLoss"') && line.endsWith('}'))
    .map((line) => (JSON.parse(line) as { step: number }).step);
}

/** Resolves once the child has logged `step` to metrics.jsonl; fails if it exits first. */
export async function reachStep(out: string, step: number, run: ReturnType<typeof spawnMnist>): Promise<void> {
  const { child } = run;
  while (true) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(
        `ts-gan mnist ended (${child.exitCode ?? child.signalCode}) before step ${step}:\n${run.stderr()}`,
      );
    }
    if ((await loggedSteps(out)).some((s) => s >= step)) return;
    await new Promise((resolve) => setTimeout(resolve, 20)); // polls the file; no assertion depends on time
  }
}

/**
 * A short, small `ts-gan mnist` run for tests that are about the run's files, not its networks: the
 * seed's MLP (cheaper on cpu than the default fast recipe), 200 real digits, cpu backend, a metrics
 * line every step, no judge.
 */
export const SMALL_MLP_RUN: readonly string[] = [
  ...['--arch', 'mlp', '--backend', 'cpu', '--batch-size', '8'],
  ...['--limit', '200', '--log-every', '1', '--eval-every', '0'],
];
