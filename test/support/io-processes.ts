/**
 * Child processes for the fault tests: spawn a support script with tsx, read its output line by
 * line, wait for a line, kill it.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** A running child with its output so far. */
export interface Child {
  process: ChildProcessWithoutNullStreams;
  /** Everything it wrote to stdout so far. */
  stdout(): string;
  /** Everything it wrote to stderr so far. */
  stderr(): string;
  /** Resolves with the first line of stdout (or `stream`), past `from` lines, that matches; rejects if the child exits first. */
  waitFor(match: RegExp, from?: number, stream?: 'stdout' | 'stderr'): Promise<{ line: string; index: number }>;
  /** Sends a line to its stdin. */
  send(line: string): void;
  /** SIGKILL, then resolves when it is gone. */
  kill(): Promise<void>;
  /** Resolves with the exit code when it ends. */
  exited: Promise<number | null>;
}

/**
 * Starts `node --import tsx <script> ...args` from the repository root.
 * @param script - relative to test/support/, or an absolute path.
 */
export function startChild(script: string, args: string[] = [], env: Record<string, string> = {}): Child {
  const file = script.startsWith('/') ? script : fileURLToPath(new URL(script, import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', file, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  const waiters: (() => void)[] = [];
  const wake = () => {
    for (const w of waiters.splice(0)) w();
  };
  child.stdout.on('data', (d) => {
    out += d;
    wake();
  });
  child.stderr.on('data', (d) => {
    err += d;
    wake();
  });
  let code: number | null | undefined;
  const exited = new Promise<number | null>((resolve) =>
    child.on('close', (c) => {
      code = c;
      wake();
      resolve(c);
    }),
  );
  const lines = (stream: 'stdout' | 'stderr') => (stream === 'stdout' ? out : err).split('\n').slice(0, -1);
  return {
    process: child,
    stdout: () => out,
    stderr: () => err,
    waitFor(match, from = 0, stream = 'stdout') {
      return new Promise((resolve, reject) => {
        const check = () => {
          const all = lines(stream);
          for (let i = from; i < all.length; i++) {
            if (match.test(all[i] as string)) return resolve({ line: all[i] as string, index: i });
          }
          if (code !== undefined) return reject(new Error(`child exited (${code}) before ${match}:\n${err}\n${out}`));
          waiters.push(check);
        };
        check();
      });
    },
    send(line) {
      child.stdin.write(`${line}\n`);
    },
    async kill() {
      if (code === undefined) child.kill('SIGKILL');
      await exited;
    },
    exited,
  };
}
