/**
 * wasm `BatchMatMul` (and `_FusedMatMul`) with `transposeA`/`transposeB`: tfjs-backend-wasm 4.22
 * multiplies transposed operands through a slow path, about 8x slower than the plain product of
 * the same size, and every Dense layer's backward pass asks for one. This fix transposes the
 * operand explicitly (wasm `Transpose`, made fast by `wasm-fast-transpose`) and runs the plain product. Same arithmetic, same
 * summation order per output element as the plain kernel on transposed inputs.
 *
 * The plain product is XNNPACK's fully-connected operator, which repacks its second operand (the
 * "weights") whenever that tensor is new, as every gradient and every freshly updated weight is.
 * For `A · Bᵀ` with a large B and a small A (a Dense layer's input gradient `dy · Wᵀ` at small
 * batch sizes), transposing and repacking B costs more than the product: there the fix computes
 * `(B · Aᵀ)ᵀ` instead, which packs only the small operand. Measured on the seed GAN's shapes at
 * batch 32: 2.4-5.6x faster per product; at batch 256 no difference, so it is used only when the
 * copies it saves dominate (see {@link preferSwapped}). Each output element is still one dot
 * product over the same K terms in the same order.
 *
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import type { BackendFix } from './fix.js';
import { callKernel, isReplaced, originalKernel, replaceKernel, restoreKernel } from './kernels.js';

const BACKEND = 'wasm';
const KERNELS = ['BatchMatMul', '_FusedMatMul'] as const;

/** Swaps the last two axes of `x` with the Transpose kernel registered now (`wasm-fast-transpose`'s when on). */
function transposeLastTwo(x: tf.TensorInfo, backend: tf.KernelBackend): tf.TensorInfo {
  const rank = x.shape.length;
  const perm = [...Array(rank).keys()];
  perm[rank - 2] = rank - 1;
  perm[rank - 1] = rank - 2;
  return callKernel(tf.getKernel('Transpose', BACKEND), 'Transpose', BACKEND, {
    inputs: { x },
    backend,
    attrs: { perm },
  });
}

/**
 * Whether `A · Bᵀ` (A `[1, M, K]`, B `[1, N, K]`) is cheaper as `(B · Aᵀ)ᵀ`: that way transposes A
 * and the result and packs A, instead of transposing and packing B. Worth it when those copies are
 * well below B's (a factor 2 of margin, because at comparable sizes the two orders measured equal).
 */
export function preferSwapped(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== 3 || b.length !== 3 || a[0] !== 1 || b[0] !== 1) return false;
  const [, m, k] = a as [number, number, number];
  const n = b[1] as number;
  return 2 * (m * k + m * n) < n * k;
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
      // Only the unfused product: a bias or an activation would apply to the transposed result.
      if (kernelName === 'BatchMatMul' && !attrs.transposeA && preferSwapped(a.shape, b.shape)) {
        try {
          const at = transposeLastTwo(a, backend);
          temps.push(at);
          const ct = original.kernelFunc({
            inputs: { a: b, b: at },
            backend: args.backend,
            attrs: { ...args.attrs, transposeA: false, transposeB: false },
          }) as tf.TensorInfo;
          temps.push(ct);
          return transposeLastTwo(ct, backend);
        } finally {
          for (const t of temps) backend.disposeData(t.dataId);
        }
      }
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
