/**
 * A faster cpu `BatchMatMul` (and `_FusedMatMul`) with bit-identical results. tfjs-backend-cpu's
 * product walks the shared dimension innermost with strided reads; for the weight gradient of a
 * Dense layer (`transposeA`, a short shared dimension, a large output) that is about 20x slower
 * than the forward product of the same size. This kernel runs the i-k-j order (contiguous rows
 * of B and of the output), transposing B first when needed, and keeps tfjs's arithmetic exactly:
 * products summed in double precision over the same blocks of the shared dimension
 * (`backend.blockSize`), each block's sum added to the float32 result. Same bits, other order of
 * memory access.
 *
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import type { BackendFix } from './fix.js';
import { callKernel, isReplaced, replaceKernel, restoreKernel } from './kernels.js';

const BACKEND = 'cpu';

interface CpuBackendLike extends tf.KernelBackend {
  blockSize: number;
  data: { get(dataId: object): { values: tf.backend_util.BackendValues } };
  makeTensorInfo(shape: number[], dtype: tf.DataType, values: tf.backend_util.BackendValues): tf.TensorInfo;
  disposeIntermediateTensorInfo(info: tf.TensorInfo): void;
}

interface MatMulArgs {
  inputs: tf.NamedTensorInfoMap;
  backend: unknown;
  attrs?: tf.NamedAttrMap;
}

function matMul(
  a: tf.TensorInfo,
  b: tf.TensorInfo,
  transposeA: boolean,
  transposeB: boolean,
  backend: CpuBackendLike,
): tf.TensorInfo {
  const aRank = a.shape.length;
  const bRank = b.shape.length;
  const K = transposeA ? (a.shape[aRank - 2] as number) : (a.shape[aRank - 1] as number);
  const kB = transposeB ? (b.shape[bRank - 1] as number) : (b.shape[bRank - 2] as number);
  const M = transposeA ? (a.shape[aRank - 1] as number) : (a.shape[aRank - 2] as number);
  const N = transposeB ? (b.shape[bRank - 2] as number) : (b.shape[bRank - 1] as number);
  if (K !== kB) {
    throw new Error(
      `Error in matMul: inner shapes (${K}) and (${kB}) of Tensors with shapes ${a.shape} and ${b.shape} and transposeA=${transposeA} and transposeB=${transposeB} must match.`,
    );
  }
  const batchA = tf.util.sizeFromShape(a.shape.slice(0, -2));
  const batchB = tf.util.sizeFromShape(b.shape.slice(0, -2));
  const outShape = [...tf.broadcast_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2)), M, N];
  const batch = Math.max(batchA, batchB);
  const av = backend.data.get(a.dataId).values as Float32Array;
  const bv = backend.data.get(b.dataId).values as Float32Array;
  const out = new Float32Array(batch * M * N);
  const block = backend.blockSize;
  const acc = new Float64Array(N);
  // B as [K, N] rows; a transposed B ([N, K]) is copied into that layout once per batch entry.
  const bRows = transposeB ? new Float32Array(K * N) : undefined;
  for (let bi = 0; bi < batch; bi++) {
    const aOff = (bi % batchA) * M * K;
    let bMat: Float32Array = bv;
    let bOff = (bi % batchB) * K * N;
    if (bRows) {
      for (let n = 0; n < N; n++) for (let k = 0; k < K; k++) bRows[k * N + n] = bv[bOff + n * K + k] as number;
      bMat = bRows;
      bOff = 0;
    }
    const oOff = bi * M * N;
    for (let i = 0; i < M; i++) {
      const row = oOff + i * N;
      for (let k0 = 0; k0 < K; k0 += block) {
        const k1 = Math.min(k0 + block, K);
        acc.fill(0);
        for (let k = k0; k < k1; k++) {
          const aik = (transposeA ? av[aOff + k * M + i] : av[aOff + i * K + k]) as number;
          const bRow = bOff + k * N;
          for (let j = 0; j < N; j++) acc[j] = (acc[j] as number) + aik * (bMat[bRow + j] as number);
        }
        // As tfjs: each block's double sum is added to the float32 result.
        for (let j = 0; j < N; j++) out[row + j] = (out[row + j] as number) + (acc[j] as number);
      }
    }
  }
  return backend.makeTensorInfo(outShape, 'float32', out);
}

function batchMatMulKernel(original: tf.KernelConfig | undefined) {
  return (args: MatMulArgs): tf.TensorInfo => {
    const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    const attrs = args.attrs as { transposeA?: boolean; transposeB?: boolean };
    if (a.dtype !== 'float32' || b.dtype !== 'float32') {
      return callKernel(original, 'BatchMatMul', BACKEND, { ...args, backend: args.backend as tf.KernelBackend });
    }
    return matMul(a, b, attrs.transposeA === true, attrs.transposeB === true, args.backend as CpuBackendLike);
  };
}

/** As tfjs-backend-cpu's `_FusedMatMul`: the product, then `Add` of the bias, then the activation kernel. */
function fusedMatMulKernel(original: tf.KernelConfig | undefined) {
  return (args: MatMulArgs): tf.TensorInfo => {
    const backend = args.backend as CpuBackendLike;
    const { a, b, bias, preluActivationWeights } = args.inputs as Record<string, tf.TensorInfo | undefined>;
    const attrs = args.attrs as {
      transposeA?: boolean;
      transposeB?: boolean;
      activation?: string;
      leakyreluAlpha?: number;
    };
    const activation = attrs.activation ?? 'linear';
    const known = ['linear', 'relu', 'relu6', 'elu', 'sigmoid', 'leakyrelu', 'prelu'];
    if (!a || !b || a.dtype !== 'float32' || b.dtype !== 'float32' || !known.includes(activation)) {
      return callKernel(original, '_FusedMatMul', BACKEND, { ...args, backend });
    }
    let current = matMul(a, b, attrs.transposeA === true, attrs.transposeB === true, backend);
    const run = (name: string, inputs: tf.NamedTensorInfoMap, kernelAttrs: tf.NamedAttrMap = {}) => {
      const next = callKernel(tf.getKernel(name, BACKEND), name, BACKEND, { inputs, backend, attrs: kernelAttrs });
      backend.disposeIntermediateTensorInfo(current);
      current = next;
    };
    if (bias) run('Add', { a: current, b: bias });
    if (activation === 'relu') run('Relu', { x: current });
    else if (activation === 'relu6') run('Relu6', { x: current });
    else if (activation === 'elu') run('Elu', { x: current });
    else if (activation === 'sigmoid') run('Sigmoid', { x: current });
    else if (activation === 'leakyrelu') run('LeakyRelu', { x: current }, { alpha: attrs.leakyreluAlpha ?? 0.2 });
    else if (activation === 'prelu' && preluActivationWeights)
      run('Prelu', { x: current, alpha: preluActivationWeights });
    return current;
  };
}

/** The fix object used by `useBackend`. */
export const cpuMatMulFix: BackendFix = {
  name: 'cpu-matmul',
  description:
    'cpu BatchMatMul/_FusedMatMul in i-k-j order with the same blocked double-precision sums as tfjs (same bits, far faster for transposed operands).',
  backends: [BACKEND],
  // Opt-in: same bits, but no speed-up measured yet on the shared bench machine (see docs/performance.md).
  defaultOn: false,
  apply: () => {
    if (tf.getKernel('BatchMatMul', BACKEND))
      replaceKernel('BatchMatMul', BACKEND, (o) => batchMatMulKernel(o) as unknown as tf.KernelFunc);
    if (tf.getKernel('_FusedMatMul', BACKEND))
      replaceKernel('_FusedMatMul', BACKEND, (o) => fusedMatMulKernel(o) as unknown as tf.KernelFunc);
  },
  remove: () => {
    restoreKernel('BatchMatMul', BACKEND);
    restoreKernel('_FusedMatMul', BACKEND);
  },
  isApplied: () => isReplaced('BatchMatMul', BACKEND),
};
