/**
 * Runs bench/torch_mlp_gan.py (or bench/torch_dcgan.py) as a long-lived child process, so that
 * PyTorch chunks alternate with the tfjs chunks in the same run.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** The twins: the seed's MLP GAN, and `ts-gan mnist --arch dcgan`'s default networks. */
const SCRIPTS = {
  mlp: fileURLToPath(new URL('./torch_mlp_gan.py', import.meta.url)),
  dcgan: fileURLToPath(new URL('./torch_dcgan.py', import.meta.url)),
} as const;
/** Debian's interpreter, which has python3-torch; a pyenv shim on PATH may not. */
const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

export interface TorchProcess {
  version: string;
  /** Parameter counts of the twin's networks, where the script reports them. */
  params?: { generator: number; discriminator: number };
  /**
   * Wall ms for `steps` steps at `batch`, the child's CPU ms for them when it reports them (a busy
   * machine's scheduling inflates wall time, much less CPU time), and its peak RSS in KiB.
   */
  run(batch: number, steps: number): Promise<{ ms: number; cpuMs?: number; maxrssKb: number }>;
  close(): void;
}

/**
 * Starts the child on `threads` threads (default 1) with the twin of `model` (default the MLP GAN);
 * resolves to the reason when PyTorch is missing.
 */
export async function startTorch(
  threads = 1,
  model: keyof typeof SCRIPTS = 'mlp',
): Promise<TorchProcess | { missing: string }> {
  const SCRIPT = SCRIPTS[model];
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
    ...(hello.params ? { params: hello.params as { generator: number; discriminator: number } } : {}),
    async run(batch, steps) {
      child.stdin.write(`${JSON.stringify({ batch, steps })}\n`);
      const r = await next();
      return {
        ms: r.ms as number,
        ...(typeof r.cpu_ms === 'number' ? { cpuMs: r.cpu_ms } : {}),
        maxrssKb: r.maxrss_kb as number,
      };
    },
    close() {
      child.stdin.write(`${JSON.stringify({ quit: true })}\n`);
      child.stdin.end();
    },
  };
}
