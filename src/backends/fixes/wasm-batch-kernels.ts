/**
 * Two wasm kernels that a training step calls with the batch as the leading axis, where
 * tfjs-backend-wasm 4.22 is slow:
 *
 * - `Sum` and `Mean` over leading axes (bias gradients, BatchNorm's moments and gradients):
 *   tfjs-wasm transposes the reduced axes to the end first, then sums each row. Here the rows
 *   are added into one float32 accumulator in the same order, without the transpose: the same
 *   float32 additions, so the same bits. In a batch-256 step of the seed GAN these calls took
 *   ~20 ms of ~300.
 * - `GatherV2` of whole rows (axis 0, the Trainer's batch draw from a dataset tensor): tfjs-wasm
 *   walks the output element by element (~10 ms for 256 MNIST digits); here each row is one
 *   typed-array copy. Exact.
 *
 * Everything else (other axes, other dtypes, out-of-range indices) keeps the original kernel.
 *
 * The reductions' kernel also carries `wasm-simd-batch-reductions`, which makes the same additions
 * four columns at a time in WebAssembly SIMD (`wat/batch-reductions.wat`) on tfjs-wasm's heap
 * where the row width is a multiple of 4 (a BatchNorm's channels): in a `--arch dcgan` step at
 * batch 64 the 41 calls over `[64, 7, 7, 128]` and `[64, 14, 14, 64]` took about 50 ms of kernel
 * time in the JavaScript loop. Same bits.
 *
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import type { BackendFix } from './fix.js';
import {
  callKernel,
  isReplaced,
  type KernelArgs,
  kernelFix,
  replaceKernelWith,
  restoreKernel,
  type WasmBackendLike,
  wasmView,
} from './kernels.js';
import { instanceOnMemory } from './wasm-bytecode.js';
import { hasWasmSimd } from './wasm-simd-gemm.js';
import { BASE64 } from './wat/batch-reductions.bytes.js';

const BACKEND = 'wasm';

/**
 * The number of leading axes `axis` reduces, or 0 when it is not `[0, 1, ..., r - 1]` in that
 * order, short of the rank. Order matters: tfjs-wasm moves the axes to the end in the order given,
 * which sets the order of its additions.
 */
function leadingAxes(axis: number | number[], shape: number[]): number {
  const axes = tf.util.parseAxisParam(axis, shape);
  if (axes.length === 0 || axes.length >= shape.length) return 0;
  return axes.every((a, i) => a === i) ? axes.length : 0;
}

function reduceLeading(kernelName: 'Sum' | 'Mean', original: tf.KernelConfig | undefined, args: KernelArgs) {
  const backend = args.backend as WasmBackendLike;
  const { x } = args.inputs as { x: tf.TensorInfo };
  const { axis, keepDims } = args.attrs as { axis: number | number[]; keepDims: boolean };
  const r = x.dtype === 'float32' ? leadingAxes(axis, x.shape) : 0;
  if (r === 0)
    return callKernel(original, kernelName, BACKEND, { inputs: args.inputs, backend, attrs: args.attrs ?? {} });
  const rows = tf.util.sizeFromShape(x.shape.slice(0, r));
  const kept = x.shape.slice(r);
  const width = tf.util.sizeFromShape(kept);
  const simd = enabled.simd && width > 0 && width % 4 === 0 && rows > 0 ? simdReductions(backend) : null;
  if (!simd && !enabled.rows)
    return callKernel(original, kernelName, BACKEND, { inputs: args.inputs, backend, attrs: args.attrs ?? {} });
  const out = backend.makeOutput(keepDims ? [...x.shape.slice(0, r).map(() => 1), ...kept] : kept, 'float32');
  if (simd) {
    const offset = (info: tf.TensorInfo) => backend.dataIdMap.get(info.dataId)?.memoryOffset as number;
    simd.sumRows(offset(x), rows, width, offset(out), kernelName === 'Mean' ? 1 : 0);
    return out;
  }
  const xv = wasmView(backend, x, Float32Array);
  const ov = wasmView(backend, out, Float32Array);
  // Row after row into a float32 accumulator: the additions tfjs-wasm makes after its transpose.
  ov.fill(0);
  for (let i = 0, base = 0; i < rows; i++, base += width) {
    for (let j = 0; j < width; j++) ov[j] = (ov[j] as number) + (xv[base + j] as number);
  }
  if (kernelName === 'Mean') for (let j = 0; j < width; j++) ov[j] = (ov[j] as number) / rows;
  return out;
}

/** The exports of `wat/batch-reductions.wat`. */
interface Reductions {
  sumRows(x: number, rows: number, width: number, out: number, mean: number): void;
}
const reductionsOn = instanceOnMemory(BASE64);

/** The SIMD reductions working in the backend's heap, or null where they cannot (no SIMD, a shared heap). */
function simdReductions(backend: WasmBackendLike): Reductions | null {
  const memory = (backend.wasm as { asm?: { memory?: WebAssembly.Memory } }).asm?.memory;
  return memory ? (reductionsOn(memory) as unknown as Reductions | null) : null;
}

function gatherRows(original: tf.KernelConfig | undefined, args: KernelArgs): tf.TensorInfo {
  const backend = args.backend as WasmBackendLike;
  const { x, indices } = args.inputs as { x: tf.TensorInfo; indices: tf.TensorInfo };
  const { axis, batchDims } = args.attrs as { axis: number; batchDims?: number };
  const plain = () =>
    callKernel(original, 'GatherV2', BACKEND, { inputs: args.inputs, backend, attrs: args.attrs ?? {} });
  const axis0 = tf.util.parseAxisParam(axis, x.shape)[0] === 0;
  if (!axis0 || (batchDims ?? 0) !== 0 || indices.dtype !== 'int32' || (x.dtype !== 'float32' && x.dtype !== 'int32')) {
    return plain();
  }
  const count = x.shape[0] as number;
  const ids = wasmView(backend, indices, Int32Array);
  // Out-of-range indices: whatever tfjs does with them (the cpu backend throws), not this kernel.
  for (let i = 0; i < ids.length; i++) if ((ids[i] as number) < 0 || (ids[i] as number) >= count) return plain();
  const rowSize = tf.util.sizeFromShape(x.shape.slice(1));
  const out = backend.makeOutput([...indices.shape, ...x.shape.slice(1)], x.dtype);
  const Kind = (x.dtype === 'int32' ? Int32Array : Float32Array) as typeof Float32Array;
  // Views after the allocation (which may grow the heap).
  const xv = wasmView(backend, x, Kind);
  const ov = wasmView(backend, out, Kind);
  const idv = wasmView(backend, indices, Int32Array);
  for (let i = 0; i < idv.length; i++) {
    const src = (idv[i] as number) * rowSize;
    ov.set(xv.subarray(src, src + rowSize), i * rowSize);
  }
  return out;
}

/** Which of the two fixes carried by the reductions' kernel are on. */
const enabled = { rows: false, simd: false };

/** Installs the shared kernels while either fix is on, and restores tfjs's when both are off. */
function setEnabled(which: keyof typeof enabled, on: boolean): void {
  enabled[which] = on;
  if (enabled.rows || enabled.simd) {
    replaceKernelWith('Sum', BACKEND, (original, args) => reduceLeading('Sum', original, args));
    replaceKernelWith('Mean', BACKEND, (original, args) => reduceLeading('Mean', original, args));
  } else {
    restoreKernel('Sum', BACKEND);
    restoreKernel('Mean', BACKEND);
  }
}
const reductionsReplaced = () => isReplaced('Sum', BACKEND) && isReplaced('Mean', BACKEND);

/** The fix object used by `useBackend`: `Sum` and `Mean` over leading axes without a transpose. */
export const wasmBatchReductionsFix: BackendFix = {
  name: 'wasm-batch-reductions',
  description:
    'Runs wasm Sum and Mean over leading axes (bias gradients, BatchNorm moments) without the transpose tfjs-wasm makes first; same float32 additions, same bits.',
  backends: [BACKEND],
  apply: () => setEnabled('rows', true),
  remove: () => setEnabled('rows', false),
  isApplied: () => enabled.rows && reductionsReplaced(),
};

/** The fix object used by `useBackend`: the same reductions four columns at a time in WebAssembly SIMD. */
export const wasmSimdBatchReductionsFix: BackendFix = {
  name: 'wasm-simd-batch-reductions',
  description:
    'Runs wasm Sum and Mean over leading axes with rows a multiple of 4 wide (BatchNorm moments and gradients) in WebAssembly SIMD on the heap, four columns at a time, without a transpose; same float32 additions, same bits.',
  backends: [BACKEND],
  apply: () => {
    // Without WebAssembly SIMD nothing is replaced: isApplied() stays false.
    if (hasWasmSimd()) setEnabled('simd', true);
  },
  remove: () => setEnabled('simd', false),
  isApplied: () => enabled.simd && reductionsReplaced(),
};

/** The fix object used by `useBackend`: `GatherV2` of whole rows as typed-array copies. */
export const wasmRowGatherFix: BackendFix = kernelFix({
  name: 'wasm-row-gather',
  description:
    "Runs wasm GatherV2 along axis 0 (the Trainer's batch draw) as one copy per row instead of tfjs-wasm's element-by-element loop; exact.",
  backend: BACKEND,
  kernelName: 'GatherV2',
  run: gatherRows,
});
