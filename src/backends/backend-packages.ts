/**
 * The backends `useBackend` knows and the packages that provide them: each imported dynamically,
 * and only when asked for, so that bundlers and Node load only what is used.
 *
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';

/**
 * Backends `useBackend` knows. `'tensorflow'` is tfjs-node or tfjs-node-gpu (Node only).
 * @category Backends
 */
export type BackendName = 'webgpu' | 'webgl' | 'wasm' | 'cpu' | 'tensorflow';

/** Every name {@link useBackend} accepts. */
export const BACKEND_NAMES: readonly BackendName[] = ['webgpu', 'webgl', 'wasm', 'cpu', 'tensorflow'];

/** Package(s) to install for each backend, for error messages. */
export const PACKAGES: Record<BackendName, string> = {
  webgpu: '@tensorflow/tfjs-backend-webgpu',
  webgl: '@tensorflow/tfjs-backend-webgl',
  wasm: '@tensorflow/tfjs-backend-wasm',
  cpu: '@tensorflow/tfjs-backend-cpu',
  tensorflow: '@tensorflow/tfjs-node (or @tensorflow/tfjs-node-gpu for CUDA)',
};

/**
 * The tfjs-node packages, imported through a variable so that bundlers leave them alone: they
 * exist only in Node, and only when the application installed them.
 */
const NODE_PACKAGES = ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'];

/** Whether this runs in Node (not a browser, not a web worker). */
export function isNode(): boolean {
  const p = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return typeof p?.versions?.node === 'string' && typeof (globalThis as { window?: unknown }).window === 'undefined';
}

/**
 * Imports the package that registers backend `name`, or runs `loader` in its place.
 * @throws what the import throws (the package is missing, or fails to load).
 */
export async function importBackendPackage(name: BackendName, loader?: () => Promise<unknown>): Promise<void> {
  if (loader) {
    await loader();
    return;
  }
  switch (name) {
    case 'cpu':
      await import('@tensorflow/tfjs-backend-cpu');
      return;
    case 'wasm':
      await import('@tensorflow/tfjs-backend-wasm');
      return;
    case 'webgl':
      await import('@tensorflow/tfjs-backend-webgl');
      return;
    case 'webgpu':
      await import('@tensorflow/tfjs-backend-webgpu');
      return;
    case 'tensorflow': {
      let lastError: unknown;
      for (const spec of NODE_PACKAGES) {
        try {
          await import(/* @vite-ignore */ /* webpackIgnore: true */ spec);
          return;
        } catch (err) {
          lastError = err;
        }
      }
      throw lastError;
    }
  }
}

/** What to install for backend `name`, for error messages. */
export function installHint(name: BackendName): string {
  const version = tf.version_core;
  if (name === 'tensorflow') {
    return `install @tensorflow/tfjs-node@${version} (CPU, libtensorflow) or @tensorflow/tfjs-node-gpu@${version} (CUDA) in Node`;
  }
  return `install ${PACKAGES[name]}@${version}`;
}
