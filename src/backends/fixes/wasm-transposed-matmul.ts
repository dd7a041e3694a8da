/**
 * wasm `BatchMatMul` (and `_FusedMatMul`) with `transposeA`/`transposeB`: tfjs-backend-wasm 4.22
 * multiplies transposed operands through a slow path, about 8x slower than the plain product of
 * the same size, and every Dense layer's backward pass asks for one. This fix transposes the
 * operand explicitly (wasm `Transpose`) and runs the plain product. Same arithmetic, same
 * summation order per output element as the plain kernel on transposed inputs.
 *
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import type { BackendFix } from './fix.js';
import { callKernel, isReplaced, originalKernel, replaceKernel, restoreKernel } from './kernels.js';

const BACKEND = 'wasm';
const KERNELS = ['BatchMatMul', '_FusedMatMul'] as const;

/** Swaps the last two axes of `x` with the backend's own Transpose kernel. */
function transposeLastTwo(x: tf.TensorInfo, backend: tf.KernelBackend): tf.TensorInfo {
  const rank = x.shape.length;
  const perm = [...Array(rank).keys()];
  perm[rank - 2] = rank - 1;
  perm[rank - 1] = rank - 2;
  return callKernel(originalKernel('Transpose', BACKEND), 'Transpose', BACKEND, {
    inputs: { x },
    backend,
    attrs: { perm },
  });
}

function makeKernel(kernelName: string) {
  return (original: tf.KernelConfig | undefined): tf.KernelFunc =>
    (args) => {
      const attrs = args.attrs as { transposeA?: boolean; transposeB?: boolean };
      if (!original) throw new Error(`ts-gan backend fix: ${kernelName} is not registered on ${BACKEND}.`);
      if (!attrs.transposeA && !attrs.transposeB) return original.kernelFunc(args);
      const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
      const backend = args.backend as tf.KernelBackend;
      const temps: tf.TensorInfo[] = [];
      try {
        const a2 = attrs.transposeA ? transposeLastTwo(a, backend) : a;
        if (a2 !== a) temps.push(a2);
        const b2 = attrs.transposeB ? transposeLastTwo(b, backend) : b;
        if (b2 !== b) temps.push(b2);
        return original.kernelFunc({
          inputs: { ...args.inputs, a: a2, b: b2 },
          backend: args.backend,
          attrs: { ...args.attrs, transposeA: false, transposeB: false },
        });
      } finally {
        for (const t of temps) backend.disposeData(t.dataId);
      }
    };
}

/** The fix object used by `useBackend`. */
export const wasmTransposedMatMulFix: BackendFix = {
  name: 'wasm-transposed-matmul',
  description:
    'wasm BatchMatMul/_FusedMatMul with transposeA/transposeB run as an explicit Transpose plus the fast plain product.',
  backends: [BACKEND],
  apply: () => {
    for (const k of KERNELS) if (tf.getKernel(k, BACKEND)) replaceKernel(k, BACKEND, makeKernel(k));
  },
  remove: () => {
    for (const k of KERNELS) restoreKernel(k, BACKEND);
  },
  isApplied: () => isReplaced('BatchMatMul', BACKEND),
};
