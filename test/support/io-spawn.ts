/** Runs test/support/io-child.ts in a new Node process and returns its results. */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { TrainerFingerprint } from './io-scenarios';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const RESULT_PREFIX = 'IO_CHILD_RESULT ';

export async function runChild(
  backend: 'cpu' | 'wasm',
  jobs: unknown[],
): Promise<{ backend: string; results: TrainerFingerprint[] }> {
  return runScriptForResult('./io-child.ts', [JSON.stringify({ backend, jobs })], RESULT_PREFIX);
}

/**
 * Runs `script` (next to this file) with tsx in a new Node process and parses the JSON after
 * `prefix` on the line of its output that starts with it; throws with its output when it fails.
 */
export async function runScriptForResult<T>(script: string, args: string[], prefix: string): Promise<T> {
  const child = spawnScript(script, args);
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => {
    out += d;
  });
  child.stderr.on('data', (d) => {
    err += d;
  });
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  const line = out.split('\n').find((l) => l.startsWith(prefix));
  if (code !== 0 || !line) throw new Error(`${script} exited with ${code}:\n${err}\n${out}`);
  return JSON.parse(line.slice(prefix.length)) as T;
}

/** Spawns a script with tsx and returns the child, for tests that kill it. */
export function spawnScript(script: string, args: string[], env: Record<string, string> = {}) {
  return spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL(script, import.meta.url)), ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}
