/**
 * `useBackend`: load, set and check a tfjs backend, then apply the library's fixes for it.
 *
 * Backend packages are the application's optional dependencies: each is imported dynamically,
 * and only when asked for (or tried in auto mode), so bundlers and Node load only what is used.
 *
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { BackendError, ConfigError } from '../errors.js';
import { show } from '../util/validate.js';
import {
  BACKEND_NAMES,
  type BackendName,
  importBackendPackage,
  installHint,
  isNode,
  PACKAGES,
} from './backend-packages.js';
import { prepareThreads, threadsOf, wasmModule } from './backend-threads.js';
import type { FixName } from './fixes/fix.js';
import { applicableFixes, FIX_NAMES, FIXES } from './fixes/index.js';
import { checkThreads } from './fixes/wasm-threaded-gemm.js';

export { BACKEND_NAMES, type BackendName, isNode } from './backend-packages.js';

/** Auto mode's order of preference in a browser or worker. */
export const BROWSER_ORDER: readonly BackendName[] = ['webgpu', 'webgl', 'wasm', 'cpu'];
/** Auto mode's order of preference in Node. */
export const NODE_ORDER: readonly BackendName[] = ['tensorflow', 'wasm', 'cpu'];

/**
 * Options of {@link useBackend}.
 * @category Backends
 */
export interface UseBackendOptions {
  /**
   * Which fixes to apply: `true` (default) for every fix that applies to the chosen backend,
   * `false` for none (the fixes already applied are removed), or per fix, for example
   * `{ 'fused-adam': false }` (unnamed fixes keep their default, on).
   */
  fixes?: boolean | Partial<Record<FixName, boolean>>;
  /** For wasm: where the `.wasm` files are served (passed to `setWasmPaths`). Needed in bundled browser apps. */
  wasmPaths?: string | Record<string, string>;
  /** Replaces the import of a backend's package, for example `{ wasm: () => import('@tensorflow/tfjs-backend-wasm') }`. */
  loaders?: Partial<Record<BackendName, () => Promise<unknown>>>;
  /**
   * CPU threads for the matrix products, `'auto'` for every core (`os.availableParallelism()`).
   * In Node (wasm and cpu backends): the threads of the library's SIMD GEMM (the
   * `wasm-threaded-gemm` fix, worker threads over shared memory); default 1, since threads did
   * not make a step faster where measured (docs/performance.md). In a browser (wasm): passed to
   * tfjs-wasm's `setThreadsCount` before the backend starts (it takes effect only there, and only
   * with cross-origin isolation); default tfjs's own choice. The report says what was obtained.
   */
  threads?: number | 'auto';
}

/**
 * What {@link useBackend} did.
 * @category Backends
 */
export interface BackendReport {
  /** The backend now active (`tf.getBackend()`), e.g. `'wasm'`, or `'tensorflow'` for tfjs-node. */
  name: BackendName;
  /** The fixes applied for it, by name. */
  fixes: FixName[];
  /** In auto mode, the first choice that could not be used, when the chosen one is not the first. */
  fallbackFrom?: BackendName;
  /** In auto mode, every backend tried before the chosen one, with the reason it was skipped. */
  skipped: { name: BackendName; reason: string }[];
  /**
   * CPU threads the matrix products run on: in Node the library's GEMM threads (wasm, cpu; 1
   * unless the `threads` option asked for more), in a browser tfjs-wasm's `getThreadsCount()`;
   * 1 for webgl, webgpu and tensorflow (their own devices and thread pools are not counted).
   */
  threads: number;
}

/**
 * Loads and activates one backend; throws a BackendError saying why when it cannot.
 * On failure the previously active backend is set again, so nothing changes silently.
 */
async function activate(name: BackendName, options: UseBackendOptions): Promise<void> {
  if (name === 'tensorflow' && !isNode()) {
    throw new BackendError(
      'useBackend: the "tensorflow" backend (tfjs-node) runs only in Node; use webgpu, webgl or wasm in a browser.',
    );
  }
  if (tf.findBackendFactory(name) === null || tf.findBackendFactory(name) === undefined) {
    try {
      await importBackendPackage(name, options.loaders?.[name]);
    } catch (err) {
      throw new BackendError(
        `useBackend: the "${name}" backend could not be loaded; ${installHint(name)}. (${errorText(err)})`,
        { cause: err },
      );
    }
    if (!tf.findBackendFactory(name)) {
      throw new BackendError(
        `useBackend: loading ${PACKAGES[name]} registered no "${name}" backend; ${installHint(name)}.`,
      );
    }
  }
  if (name === 'wasm' && (options.wasmPaths !== undefined || (!isNode() && typeof options.threads === 'number'))) {
    const wasm = await wasmModule(options);
    if (options.wasmPaths !== undefined) wasm.setWasmPaths?.(options.wasmPaths);
    // Effective only before the wasm backend first starts (tfjs reads it in its initialization).
    if (!isNode() && typeof options.threads === 'number') wasm.setThreadsCount?.(options.threads);
  }
  if (name === 'wasm' && !tf.findBackendFactory('cpu')) {
    // Some wasm fixes run a kernel on the cpu backend (copy there and back); without the package
    // they say so when used, so a failed import is not an error here.
    await (options.loaders?.cpu?.() ?? import('@tensorflow/tfjs-backend-cpu')).catch(() => undefined);
  }
  const previous = currentBackendName();
  let ok = false;
  let failure: unknown;
  try {
    ok = await tf.setBackend(name);
    if (ok) await tf.ready();
  } catch (err) {
    failure = err;
    ok = false;
  }
  const active = currentBackendName();
  if (!ok || active !== name) {
    // tfjs may have moved on to another backend by itself (webgpu without an adapter becomes webgl):
    // put back what was active, and say what happened.
    if (previous && previous !== name && tf.findBackendFactory(previous)) {
      await tf.setBackend(previous).catch(() => false);
    }
    const detail = failure
      ? errorText(failure)
      : ok
        ? `tfjs switched to "${active}" instead`
        : 'its initialization failed';
    throw new BackendError(`useBackend: the "${name}" backend is not available here: ${detail}.${hint(name)}`, {
      cause: failure,
    });
  }
}

/** Sets up the fixes and threads for the active backend; the report's `fixes` and `threads`. */
async function finish(options: UseBackendOptions): Promise<Pick<BackendReport, 'fixes' | 'threads'>> {
  const backend = tf.getBackend();
  const fixes = syncFixes(backend, await prepareThreads(backend, options));
  return { fixes, threads: await threadsOf(backend, options) };
}

function hint(name: BackendName): string {
  if (name === 'webgpu') {
    return ' WebGPU needs a browser with navigator.gpu and an adapter (Chromium: --enable-unsafe-webgpu on Linux).';
  }
  if (name === 'wasm') return ' In a bundled browser app, pass wasmPaths (the URLs of the .wasm files).';
  return '';
}

/** The active backend's name without triggering tfjs's own automatic choice. */
function currentBackendName(): string | undefined {
  const engine = tf.engine() as unknown as { backendName?: string; backendInstance?: unknown };
  return engine.backendInstance ? engine.backendName : undefined;
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Resolves the `fixes` option into the set of fix names wanted for `backend`. */
function wantedFixes(backend: string, option: UseBackendOptions['fixes']): Set<FixName> {
  if (option === false) return new Set();
  const wanted = new Set(
    applicableFixes(backend)
      .filter((f) => f.defaultOn !== false)
      .map((f) => f.name),
  );
  if (option === true || option === undefined) return wanted;
  if (typeof option !== 'object' || option === null) {
    throw new ConfigError(`useBackend: fixes must be true, false or an object of fix names, got ${show(option)}.`);
  }
  for (const [key, on] of Object.entries(option)) {
    if (!(FIX_NAMES as readonly string[]).includes(key)) {
      throw new ConfigError(`useBackend: unknown fix "${key}"; known fixes: ${FIX_NAMES.join(', ')}.`);
    }
    if (typeof on !== 'boolean') throw new ConfigError(`useBackend: fixes.${key} must be a boolean, got ${show(on)}.`);
    if (on && applicableFixes(backend).some((f) => f.name === key)) wanted.add(key as FixName);
    if (!on) wanted.delete(key as FixName);
  }
  return wanted;
}

/**
 * Applies the wanted fixes for `backend` and removes the others. Returns the names of the fixes
 * now in place (a fix whose requirement is missing, such as WebAssembly SIMD, is not listed).
 * Wasm fixes are applied only once the wasm kernels are registered.
 */
function syncFixes(backend: string, option: UseBackendOptions['fixes']): FixName[] {
  const wanted = wantedFixes(backend, option);
  const applied: FixName[] = [];
  for (const fix of FIXES) {
    const appliesHere = fix.backends === '*' || fix.backends.includes(backend);
    if (!appliesHere) continue;
    if (wanted.has(fix.name)) {
      fix.apply();
      // A fix may decline to apply (cpu-simd-matmul without WebAssembly SIMD): report only what is in place.
      if (fix.isApplied()) applied.push(fix.name);
    } else {
      fix.remove();
    }
  }
  return applied;
}

function checkOptions(name: unknown, options: unknown): void {
  if (name !== undefined && !(BACKEND_NAMES as readonly unknown[]).includes(name)) {
    throw new ConfigError(
      `useBackend: name must be one of ${BACKEND_NAMES.join(', ')} (or omitted for the best available), got ${show(name)}.`,
    );
  }
  if (options === null || typeof options !== 'object') {
    throw new ConfigError(`useBackend: options must be an object, got ${show(options)}.`);
  }
  const known = ['fixes', 'wasmPaths', 'loaders', 'threads'];
  for (const key of Object.keys(options)) {
    if (!known.includes(key))
      throw new ConfigError(`useBackend: unknown option "${key}"; known options: ${known.join(', ')}.`);
  }
  const threads = (options as UseBackendOptions).threads;
  if (threads !== undefined) checkThreads('useBackend', threads);
}

/**
 * Sets up a tfjs backend and applies the library's fixes for it.
 *
 * With a name, that backend or a {@link BackendError}: never another one. Without a name, the best
 * one available: in a browser webgpu, webgl, wasm, cpu; in Node tfjs-node-gpu/tfjs-node
 * (`'tensorflow'`), wasm, cpu; the report says which were skipped and why (`fallbackFrom`, `skipped`).
 * After `setBackend` it checks `tf.getBackend()`, since tfjs quietly replaces a backend that fails
 * to start (webgpu without an adapter becomes webgl).
 *
 * @param name - the backend, or undefined for the best available.
 * @param options - fixes on/off, wasm file paths, custom loaders.
 * @returns what was chosen and which fixes are active.
 * @throws {@link BackendError} when the named backend (or, in auto mode, every backend) cannot be used;
 *   the message says what to install. {@link ConfigError} for a bad name or option.
 * @example
 * ```ts
 * import { useBackend } from 'ts-gan/backends';
 * const { name, fixes } = await useBackend('wasm');          // wasm, with every wasm fix
 * await useBackend('wasm', { fixes: false });                // the plain tfjs kernels
 * await useBackend('wasm', { fixes: { 'fused-adam': false } });
 * const { threads } = await useBackend('wasm', { threads: 'auto' }); // the GEMM on every core
 * const best = await useBackend();                           // best available, reported
 * ```
 * @category Backends
 */
export async function useBackend(name?: BackendName, options: UseBackendOptions = {}): Promise<BackendReport> {
  checkOptions(name, options);
  wantedFixes('wasm', options.fixes); // validates the fixes option before anything changes
  if (name !== undefined) {
    await activate(name, options);
    return { name, ...(await finish(options)), skipped: [] };
  }
  const order = isNode() ? NODE_ORDER : BROWSER_ORDER;
  const skipped: { name: BackendName; reason: string }[] = [];
  for (const candidate of order) {
    try {
      await activate(candidate, options);
    } catch (err) {
      skipped.push({ name: candidate, reason: errorText(err) });
      continue;
    }
    const report: BackendReport = { name: candidate, ...(await finish(options)), skipped };
    if (skipped.length > 0) report.fallbackFrom = (skipped[0] as { name: BackendName }).name;
    return report;
  }
  throw new BackendError(
    `useBackend: no backend could be set up (tried ${order.join(', ')}): ${skipped.map((s) => `${s.name}: ${s.reason}`).join(' | ')}`,
  );
}

/**
 * Applies (or, with `fixes: false`, removes) the library's fixes for the active backend without
 * changing backend. For applications that set the backend themselves with `tf.setBackend`.
 * @param options - the same `fixes` option as {@link useBackend}.
 * @returns the names of the fixes now active for the active backend.
 * @category Backends
 */
export function applyFixes(options: Pick<UseBackendOptions, 'fixes'> = {}): FixName[] {
  return syncFixes(tf.getBackend(), options.fixes);
}
