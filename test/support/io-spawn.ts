/** Runs test/support/io-child.ts in a new Node process and returns its results. */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { TrainerFingerprint } from './io-scenarios';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CHILD = fileURLToPath(new URL('./io-child.ts', import.meta.url));
const RESULT_PREFIX = 'IO_CHILD_RESULT ';

export async function runChild(
  backend: 'cpu' | 'wasm',
  jobs: unknown[],
): Promise<{ backend: string; results: TrainerFingerprint[] }> {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, JSON.stringify({ backend, jobs })], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => {
    out += d;
  });
  child.stderr.on('data', (d) => {
    err += d;
  });
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  const line = out.split('\n').find((l) => l.startsWith(RESULT_PREFIX));
  if (code !== 0 || !line) throw new Error(`io-child exited with ${code}:\n${err}\n${out}`);
  return JSON.parse(line.slice(RESULT_PREFIX.length));
}

/** Spawns a script with tsx and returns the child, for tests that kill it. */
export function spawnScript(script: string, args: string[], env: Record<string, string> = {}) {
  return spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL(script, import.meta.url)), ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}
