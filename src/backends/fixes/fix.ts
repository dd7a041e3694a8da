/**
 * What a backend fix is: a named, switchable change to tfjs kernels or gradients, tested for
 * equality with the kernel it replaces.
 *
 * @packageDocumentation
 */

/**
 * Names of the library's backend fixes.
 * @category Backends
 */
export type FixName =
  | 'wasm-transposed-matmul'
  | 'wasm-conv2d-backprop-filter'
  | 'wasm-conv2d-backprop-input'
  | 'wasm-simd-conv2d-backprop-filter'
  | 'wasm-simd-conv2d-backprop-input'
  | 'wasm-simd-conv2d'
  | 'wasm-simd-conv2d-skip-padding'
  | 'wasm-simd-conv2d-backprop-filter-direct'
  | 'wasm-simd-conv2d-backprop-input-skip-padding'
  | 'wasm-simd-conv2d-backprop-filter-skip-padding'
  | 'wasm-batch-reductions'
  | 'wasm-simd-batch-reductions'
  | 'wasm-row-gather'
  | 'wasm-fast-transpose'
  | 'wasm-simd-leaky-relu'
  | 'wasm-simd-tanh'
  | 'wasm-simd-batch-norm'
  | 'wasm-simd-forward-matmul'
  | 'wasm-simd-matmul'
  | 'wasm-heap-matmul'
  | 'wasm-heap-input-gradient'
  | 'wasm-relaxed-simd'
  | 'wasm-threaded-gemm'
  | 'wasm-depthwise-backprop'
  | 'wasm-unsorted-segment-sum'
  | 'fused-adam'
  | 'greater-gradient'
  | 'cpu-simd-matmul'
  | 'cpu-conv2d-backprop-filter'
  | 'lazy-fused-gradients'
  | 'wasm-shared-identity'
  | 'wasm-shared-cast'
  | 'batchnorm-gradient'
  | 'light-saved-tensors'
  | 'mean-gradient'
  | 'fused-batchnorm-gradient'
  | 'wasm-in-place-adam';

/**
 * A backend fix. `apply` and `remove` are idempotent; `remove` restores exactly what `apply`
 * displaced.
 * @category Backends
 */
export interface BackendFix {
  /** Stable name, used in options and reports. */
  readonly name: FixName;
  /** One sentence: what it changes and why. */
  readonly description: string;
  /** Backends it applies to; `'*'` means every backend (a gradient, not a kernel). */
  readonly backends: readonly string[] | '*';
  /** Whether `useBackend` applies it when the `fixes` option does not name it. Default true. */
  readonly defaultOn?: boolean;
  /** Installs the fix. Needs the backend's kernels to be registered (its package imported). */
  apply(): void;
  /** Restores what `apply` replaced. */
  remove(): void;
  /** Whether the fix is installed now. */
  isApplied(): boolean;
}
