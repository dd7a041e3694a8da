/**
 * The threads side of `useBackend`: the `threads` option turned into the library's GEMM threads in
 * Node (the `wasm-threaded-gemm` fix) or tfjs-wasm's `setThreadsCount` in a browser, and the
 * thread count the report states.
 *
 * @packageDocumentation
 */
import { isNode } from './backend-packages.js';
import { gemmThreads, MAX_GEMM_THREADS as MAX_THREADS, setGemmThreads } from './fixes/wasm-threaded-gemm.js';
import type { UseBackendOptions } from './use-backend.js';

/** The functions of tfjs-backend-wasm's module that useBackend calls. */
export interface WasmModule {
  setWasmPaths?: (p: string | Record<string, string>) => void;
  setThreadsCount?: (n: number) => void;
  getThreadsCount?: () => number;
}

export async function wasmModule(options: UseBackendOptions): Promise<WasmModule> {
  return (await (options.loaders?.wasm?.() ?? import('@tensorflow/tfjs-backend-wasm'))) as WasmModule;
}

/** Every core: `os.availableParallelism()` in Node, `navigator.hardwareConcurrency` elsewhere. */
async function everyCore(): Promise<number> {
  if (isNode()) {
    const spec = 'node:os';
    const os = (await import(/* @vite-ignore */ /* webpackIgnore: true */ spec)) as {
      availableParallelism?: () => number;
      cpus: () => unknown[];
    };
    return Math.max(1, os.availableParallelism?.() ?? os.cpus().length);
  }
  return Math.max(
    1,
    (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency ?? 1,
  );
}

/**
 * In Node, starts (or stops) the library's GEMM threads for `backend` as the `threads` and `fixes`
 * options ask, and returns the `fixes` option with `wasm-threaded-gemm` turned on when threads run.
 */
export async function prepareThreads(backend: string, options: UseBackendOptions): Promise<UseBackendOptions['fixes']> {
  const fixes = options.fixes;
  if (!isNode()) return fixes;
  const named = typeof fixes === 'object' && fixes !== null ? fixes['wasm-threaded-gemm'] : undefined;
  let threads = 1;
  if (fixes !== false && named !== false && (backend === 'wasm' || backend === 'cpu')) {
    const asked = options.threads ?? (named === true ? 'auto' : 1);
    threads = asked === 'auto' ? await everyCore() : asked;
  }
  await setGemmThreads(Math.min(threads, MAX_THREADS));
  if (threads === 1) return fixes;
  return { ...(typeof fixes === 'object' && fixes !== null ? fixes : {}), 'wasm-threaded-gemm': true };
}

/** The threads the report states for the active `backend`. */
export async function threadsOf(backend: string, options: UseBackendOptions): Promise<number> {
  if (isNode()) return backend === 'wasm' || backend === 'cpu' ? gemmThreads() : 1;
  if (backend !== 'wasm') return 1;
  try {
    return (await wasmModule(options)).getThreadsCount?.() ?? 1;
  } catch {
    return 1;
  }
}
