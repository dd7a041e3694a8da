/**
 * `wasm-threaded-gemm`: the library's SIMD GEMM (behind `wasm-simd-forward-matmul`,
 * `cpu-simd-matmul` and the wasm convolution gradients) split across worker threads in Node
 * ({@link GemmPool}). tfjs-wasm 4.22 runs on one thread in Node (its threaded build is not loaded
 * there); this fix lets the library's own products use the other cores.
 *
 * The threads come from `useBackend`'s `threads` option ({@link setGemmThreads} starts the pool);
 * the fix routes the GEMM's calls through the pool while it is applied and a pool runs. Off by
 * default: on the 2-core machine it was measured on, a Trainer step was not faster with it (see
 * docs/performance.md). Results are the same bits as on one thread: each thread runs the same
 * GEMM on whole 4-row panels of C.
 *
 * @packageDocumentation
 */
import { ConfigError } from '../../errors.js';
import { show } from '../../util/validate.js';
import type { BackendFix } from './fix.js';
import { GemmPool } from './gemm-pool.js';
import { setThreadedGemm, threadedGemm } from './wasm-simd-gemm.js';

/** Most threads the library's GEMM takes. */
export const MAX_GEMM_THREADS = 256;

/** The running pool, or null (one thread). */
let pool: GemmPool | null = null;
/** The start of a pool under way, so that two calls do not start two. */
let starting: Promise<GemmPool | null> | null = null;
/** Whether the fix is applied (it routes as soon as a pool runs). */
let wanted = false;

/**
 * Checks a thread count: an integer from 1 to {@link MAX_GEMM_THREADS}, or `'auto'`.
 * @throws {@link ConfigError} otherwise, naming `where`.
 */
export function checkThreads(where: string, threads: unknown): number | 'auto' {
  if (threads === 'auto') return threads;
  if (typeof threads !== 'number' || !Number.isInteger(threads) || threads < 1 || threads > MAX_GEMM_THREADS) {
    throw new ConfigError(
      `${where}: threads must be 'auto' or an integer from 1 to ${MAX_GEMM_THREADS}, got ${show(threads)}.`,
    );
  }
  return threads;
}

/**
 * Sets how many threads the library's GEMM may use in Node: starts a pool of `threads - 1`
 * worker threads (replacing one of another size), or with 1 stops it. The calls go through the
 * pool only while the `wasm-threaded-gemm` fix is applied (`useBackend` does both).
 * @returns the threads now available to the GEMM (1 without a pool).
 * @throws {@link ConfigError} for a bad count; {@link BackendError} where worker threads or shared
 *   WebAssembly memory are missing.
 * @category Backends
 */
export async function setGemmThreads(threads: number): Promise<number> {
  checkThreads('setGemmThreads', threads);
  if (starting) await starting;
  if (pool && !pool.broken && pool.threads === threads) return threads;
  await disposeGemmThreads();
  if (threads === 1) return 1;
  starting = GemmPool.start(threads).finally(() => {
    starting = null;
  });
  pool = await starting;
  if (wanted) setThreadedGemm(pool);
  return threads;
}

/**
 * Stops the GEMM's worker threads, if any, and waits until they have exited; the GEMM runs on
 * one thread afterwards. Not needed before exiting (the workers never keep Node alive).
 * @category Backends
 */
export async function disposeGemmThreads(): Promise<void> {
  const old = pool;
  pool = null;
  if (threadedGemm() === old) setThreadedGemm(null);
  await old?.dispose();
}

/** The running pool, or null. For tests (its threshold and workers). */
export function gemmPool(): GemmPool | null {
  return pool;
}

/** Threads the library's GEMM runs on now: the pool's while the fix routes through it, else 1. */
export function gemmThreads(): number {
  const active = threadedGemm();
  return active && pool === active && !pool.broken ? pool.threads : 1;
}

/** The fix object used by `useBackend`. */
export const wasmThreadedGemmFix: BackendFix = {
  name: 'wasm-threaded-gemm',
  description:
    "The library's WebAssembly SIMD GEMM (wasm-simd-forward-matmul, cpu-simd-matmul, the wasm convolution gradients) split by rows across Node worker threads over shared memory, when useBackend's threads option asks for more than one; same bits as one thread.",
  backends: ['wasm', 'cpu'],
  defaultOn: false,
  apply: () => {
    wanted = true;
    if (pool && !pool.broken) setThreadedGemm(pool);
  },
  remove: () => {
    wanted = false;
    setThreadedGemm(null);
  },
  isApplied: () => gemmThreads() > 1,
};
