/**
 * wasm `Transpose` of the last two axes (the explicit transposes of `wasm-transposed-matmul`, so
 * every Dense backward product) as a blocked copy on the wasm heap. tfjs-backend-wasm 4.22 walks
 * the output element by element with strided reads; for power-of-two widths the strides collide
 * in the cache: a `1024x784` weight took ~20 ms to transpose against ~2 ms blocked, more than the
 * product that needed it. Exact (a copy). Other permutations and dtypes keep the original kernel.
 *
 * @packageDocumentation
 */
import type * as tf from '@tensorflow/tfjs-core';
import type { BackendFix } from './fix.js';
import { callKernel, type KernelArgs, kernelFix, type WasmBackendLike, wasmView } from './kernels.js';

const BACKEND = 'wasm';
const KERNEL = 'Transpose';
/** Block edge: 32x32 floats (4 KiB) of source and destination stay in L1 (measured best of 4-64). */
const BLOCK = 32;

/** Whether `perm` swaps the last two axes and keeps the others in place. */
export function swapsLastTwo(perm: readonly number[]): boolean {
  const n = perm.length;
  if (n < 2 || perm[n - 2] !== n - 1 || perm[n - 1] !== n - 2) return false;
  for (let i = 0; i < n - 2; i++) if (perm[i] !== i) return false;
  return true;
}

function transpose(original: tf.KernelConfig | undefined, args: KernelArgs): tf.TensorInfo {
  const backend = args.backend as WasmBackendLike;
  const { x } = args.inputs as { x: tf.TensorInfo };
  const { perm } = args.attrs as { perm: number[] };
  if ((x.dtype !== 'float32' && x.dtype !== 'int32') || !swapsLastTwo(perm)) {
    return callKernel(original, KERNEL, BACKEND, { inputs: args.inputs, backend, attrs: args.attrs ?? {} });
  }
  const n = x.shape.length;
  const rows = x.shape[n - 2] as number;
  const cols = x.shape[n - 1] as number;
  const out = backend.makeOutput(
    perm.map((p) => x.shape[p] as number),
    x.dtype,
  );
  const Kind = (x.dtype === 'int32' ? Int32Array : Float32Array) as typeof Float32Array;
  // Views after the allocation (which may grow the heap).
  const src = wasmView(backend, x, Kind);
  const dst = wasmView(backend, out, Kind);
  const matrix = rows * cols;
  for (let base = 0; base < src.length; base += matrix) blockedTranspose(src, dst, base, rows, cols);
  return out;
}

/** dst[base + j*rows + i] = src[base + i*cols + j], in BLOCK x BLOCK tiles; contiguous writes. */
function blockedTranspose(src: Float32Array, dst: Float32Array, base: number, rows: number, cols: number): void {
  for (let i0 = 0; i0 < rows; i0 += BLOCK) {
    const i1 = Math.min(rows, i0 + BLOCK);
    for (let j0 = 0; j0 < cols; j0 += BLOCK) {
      const j1 = Math.min(cols, j0 + BLOCK);
      for (let j = j0; j < j1; j++) {
        const o = base + j * rows;
        for (let i = i0; i < i1; i++) dst[o + i] = src[base + i * cols + j] as number;
      }
    }
  }
}

/** The fix object used by `useBackend`. */
export const wasmFastTransposeFix: BackendFix = kernelFix({
  name: 'wasm-fast-transpose',
  description:
    "Runs wasm Transpose of the last two axes (the transposes of every Dense backward product) as a blocked copy instead of tfjs-wasm's cache-unfriendly loop; exact.",
  backend: BACKEND,
  kernelName: KERNEL,
  run: transpose,
});
