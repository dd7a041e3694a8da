/**
 * Runs bench/torch_mlp_gan.py as a long-lived child process, so that PyTorch chunks alternate
 * with the tfjs chunks in the same run.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const SCRIPT = fileURLToPath(new URL('./torch_mlp_gan.py', import.meta.url));
/** Debian's interpreter, which has python3-torch; a pyenv shim on PATH may not. */
const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

export interface TorchProcess {
  version: string;
  /** Wall ms for `steps` steps at `batch`, and the child's peak RSS in KiB. */
  run(batch: number, steps: number): Promise<{ ms: number; maxrssKb: number }>;
  close(): void;
}

/** Starts the child on `threads` threads (default 1); resolves to the reason when PyTorch is missing. */
export async function startTorch(threads = 1): Promise<TorchProcess | { missing: string }> {
  // The same count for OpenBLAS (torch.set_num_threads does not bind OpenBLAS's own pool).
  const env = { ...process.env, OPENBLAS_NUM_THREADS: String(threads), OMP_NUM_THREADS: String(threads) };
  const child = spawn(PYTHON, [SCRIPT, '--threads', String(threads)], { stdio: ['pipe', 'pipe', 'inherit'], env });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async (): Promise<Record<string, unknown>> => {
    const { value, done } = await lines.next();
    if (done) throw new Error('the PyTorch process ended');
    return JSON.parse(value) as Record<string, unknown>;
  };
  let hello: Record<string, unknown>;
  try {
    hello = await next();
  } catch (err) {
    return { missing: `could not start ${PYTHON} ${SCRIPT}: ${(err as Error).message}` };
  }
  if (typeof hello.error === 'string') return { missing: hello.error };
  return {
    version: `${hello.torch} (${hello.threads} thread${hello.threads === 1 ? '' : 's'})`,
    async run(batch, steps) {
      child.stdin.write(`${JSON.stringify({ batch, steps })}\n`);
      const r = await next();
      return { ms: r.ms as number, maxrssKb: r.maxrss_kb as number };
    },
    close() {
      child.stdin.write(`${JSON.stringify({ quit: true })}\n`);
      child.stdin.end();
    },
  };
}
