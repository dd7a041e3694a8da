/**
 * `ts-gan/backends`: choose and set up a TensorFlow.js backend, and apply the library's backend
 * fixes (missing wasm kernels, faster wasm matrix products, a fused Adam update, a gradient for
 * `Greater`). Never imported by the main entry: backends are the application's choice.
 *
 * @example
 * ```ts
 * import { useBackend } from 'ts-gan/backends';
 * const report = await useBackend('wasm'); // { name: 'wasm', fixes: [...], skipped: [] }
 * ```
 *
 * @packageDocumentation
 */

export { BackendError } from '../errors.js';
export { registerGreaterGradient, unregisterGreaterGradient } from '../kernels/greater-gradient.js';
export type { BackendFix, FixName } from './fixes/fix.js';
export { applicableFixes, FIX_NAMES, FIXES, getFix } from './fixes/index.js';
export { disposeGemmThreads, setGemmThreads } from './fixes/wasm-threaded-gemm.js';
export {
  applyFixes,
  BACKEND_NAMES,
  type BackendName,
  type BackendReport,
  BROWSER_ORDER,
  isNode,
  NODE_ORDER,
  type UseBackendOptions,
  useBackend,
} from './use-backend.js';
