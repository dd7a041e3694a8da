/**
 * wasm `BatchMatMul` (and `_FusedMatMul`) with `transposeA`/`transposeB`: tfjs-backend-wasm 4.22
 * multiplies transposed operands through a slow path, about 8x slower than the plain product of
 * the same size, and every Dense layer's backward pass asks for one. This fix transposes the
 * operand explicitly (wasm `Transpose`, made fast by `wasm-fast-transpose`) and runs the plain
 * product. Same arithmetic, same summation order per output element as the plain kernel on
 * transposed inputs.
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
 * The same kernel also carries `wasm-simd-forward-matmul`: plain (untransposed) products of at most
 * {@link SIMD_FORWARD_MAX_ROWS} rows, a small batch's forward pass through a Dense layer, run in the
 * library's own WebAssembly SIMD GEMM (`wasm-simd-gemm.ts`, shared with `cpu-simd-matmul`) instead
 * of XNNPACK. Every forward product meets a weight the optimizer has just replaced, and XNNPACK
 * builds and packs a new operator for it; the GEMM only copies the weight into its own memory.
 * `[M,1024] x [1024,784]` with a fresh weight, bias added (`tf.fused.matMul`): M = 32 4.2 → 2.0 ms,
 * M = 64 6.0 → 3.5 ms; at M = 256 a whole Trainer step got slower, so larger products stay with
 * XNNPACK. Each output is summed in float32 in k order and the bias added last (XNNPACK starts from
 * the bias): equal within float32 rounding.
 *
 * And `wasm-simd-matmul`: every product with at least {@link SIMD_MIN_INNER} terms per output (K),
 * whatever its rows, transposed or not, in the same GEMM, the transposes resolved while packing the
 * operands. XNNPACK runs those at about 20-25 GFLOP/s on an AVX-512 EPYC, and a transposed operand
 * costs it an explicit Transpose and a repack; the GEMM with fused multiply-add runs 38-48 GFLOP/s
 * (`bench/gemm-variants.ts`). Below 64 terms (a Dense layer's weight gradient at batch 32, say) the
 * packing costs more than the product saves, and the product stays where it was.
 *
 * `wasm-heap-matmul` (`wasm-heap-matmul.ts`) is tried first: the products it takes run on tfjs-wasm's
 * heap without copies into the GEMM's own memory.
 *
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { copyRows, gemm, planOf, productRows } from './cpu-simd-matmul.js';
import type { BackendFix, FixName } from './fix.js';
import { callKernel, isReplaced, replaceKernel, restoreKernel, type WasmBackendLike, wasmView } from './kernels.js';
import { type HeapTakes, heapProduct } from './wasm-heap-matmul.js';
import { hasWasmSimd } from './wasm-simd-gemm.js';

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

/** Most rows (M) of a product that `wasm-simd-forward-matmul` takes; larger ones stay with XNNPACK. */
export const SIMD_FORWARD_MAX_ROWS = 64;

/** Fewest terms per output (K) of a product that `wasm-simd-matmul` takes. */
export const SIMD_MIN_INNER = 64;

/** Which of the four fixes carried by the kernel are on. */
const enabled = { transposed: false, simdForward: false, simdAll: false, heap: false, heapFewRows: false };

/** Whether the GEMM takes a product of these sizes under the fixes that are on. */
function gemmTakes(p: { m: number; k: number }, transposed: boolean): boolean {
  if (enabled.simdAll && p.k >= SIMD_MIN_INNER && (!transposed || p.m >= SIMD_MIN_INNER)) return true;
  return enabled.simdForward && !transposed && p.m <= SIMD_FORWARD_MAX_ROWS;
}

/**
 * Which products `wasm-heap-matmul` takes besides weight gradients: those the GEMM would take anyway
 * (a small batch's forward product, or any with enough terms while `wasm-simd-matmul` is on),
 * without their copies.
 */
const heapTakes: HeapTakes = {
  forward: (m, k) => m <= SIMD_FORWARD_MAX_ROWS || (enabled.simdAll && k >= SIMD_MIN_INNER),
  transposedB: (m, k) => enabled.simdAll && k >= SIMD_MIN_INNER && (m >= SIMD_MIN_INNER || enabled.heapFewRows),
};

/** The product in the library's SIMD GEMM, or null when it does not apply (the caller runs tfjs's). */
function simdProduct(args: Parameters<tf.KernelFunc>[0]): tf.TensorInfo | null {
  const backend = args.backend as unknown as WasmBackendLike;
  const attrs = (args.attrs ?? {}) as tf.NamedAttrMap;
  const ta = Boolean(attrs.transposeA);
  const tb = Boolean(attrs.transposeB);
  const { a, b, bias, preluActivationWeights } = args.inputs as Record<string, tf.TensorInfo | undefined>;
  if (!a || !b || preluActivationWeights || (attrs.activation ?? 'linear') !== 'linear') return null;
  const g = gemm();
  const p = g ? planOf(a, b, ta, tb) : null;
  if (!g || !p || p.batch !== 1 || !gemmTakes(p, ta || tb)) return null;
  if (bias && (bias.dtype !== 'float32' || bias.shape.length !== 1 || bias.shape[0] !== p.n)) return null;
  // The output first: allocating may grow the heap, which detaches earlier views.
  const info = backend.makeOutput(p.outShape, 'float32');
  const out = wasmView(backend, info, Float32Array);
  const biasRow = bias ? wasmView(backend, bias, Float32Array) : null;
  const done = productRows(
    g,
    p,
    wasmView(backend, a, Float32Array),
    wasmView(backend, b, Float32Array),
    ta,
    tb,
    (f, cBase, np) => copyRows(f, cBase, np, p.m, p.n, out, 0, biasRow),
  );
  if (done) return info;
  backend.disposeData(info.dataId);
  return null;
}

function makeKernel(kernelName: string) {
  return (original: tf.KernelConfig | undefined): tf.KernelFunc =>
    (args) => {
      const attrs = args.attrs as { transposeA?: boolean; transposeB?: boolean };
      if (!original) throw new Error(`ts-gan backend fix: ${kernelName} is not registered on ${BACKEND}.`);
      const onHeap = enabled.heap ? heapProduct(args, heapTakes) : null;
      if (onHeap) return onHeap;
      const out = enabled.simdForward || enabled.simdAll ? simdProduct(args) : null;
      if (out) return out;
      if (!attrs.transposeA && !attrs.transposeB) return original.kernelFunc(args);
      if (!enabled.transposed) return original.kernelFunc(args);
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

/** Installs the shared kernel while any of its fixes is on, and restores tfjs's when all are off. */
function setEnabled(which: keyof typeof enabled, on: boolean): void {
  enabled[which] = on;
  if (enabled.transposed || enabled.simdForward || enabled.simdAll || enabled.heap || enabled.heapFewRows) {
    for (const k of KERNELS) if (tf.getKernel(k, BACKEND)) replaceKernel(k, BACKEND, makeKernel(k));
  } else {
    for (const k of KERNELS) restoreKernel(k, BACKEND);
  }
}

/** The fix object used by `useBackend`. */
export const wasmTransposedMatMulFix: BackendFix = {
  name: 'wasm-transposed-matmul',
  description:
    'wasm BatchMatMul/_FusedMatMul with transposeA/transposeB run as an explicit Transpose plus the fast plain product.',
  backends: [BACKEND],
  apply: () => setEnabled('transposed', true),
  remove: () => setEnabled('transposed', false),
  isApplied: () => enabled.transposed && isReplaced('BatchMatMul', BACKEND),
};

/**
 * A fix carried by the shared kernel: it turns `which` on where `available` says the SIMD GEMM can
 * run (else nothing is replaced and isApplied() stays false).
 */
function carriedFix(
  name: FixName,
  description: string,
  which: keyof typeof enabled,
  available: () => boolean,
): BackendFix {
  return {
    name,
    description,
    backends: [BACKEND],
    apply: () => {
      if (available()) setEnabled(which, true);
    },
    remove: () => setEnabled(which, false),
    isApplied: () => enabled[which] && isReplaced('BatchMatMul', BACKEND),
  };
}

const simdGemm = () => hasWasmSimd() && Boolean(gemm());

/** The fix object used by `useBackend`. */
export const wasmSimdForwardMatMulFix: BackendFix = carriedFix(
  'wasm-simd-forward-matmul',
  `wasm plain BatchMatMul/_FusedMatMul of at most ${SIMD_FORWARD_MAX_ROWS} rows (small-batch forward passes) in the library's WebAssembly SIMD GEMM instead of XNNPACK, which repacks every fresh weight.`,
  'simdForward',
  simdGemm,
);

/** The fix object used by `useBackend`. */
export const wasmSimdMatMulFix: BackendFix = carriedFix(
  'wasm-simd-matmul',
  `wasm BatchMatMul/_FusedMatMul with at least ${SIMD_MIN_INNER} terms per output, any rows, transposed or not, in the library's WebAssembly SIMD GEMM (transposes resolved while packing) instead of XNNPACK.`,
  'simdAll',
  simdGemm,
);

/** The fix object used by `useBackend`. */
export const wasmHeapMatMulFix: BackendFix = carriedFix(
  'wasm-heap-matmul',
  `wasm forward products of at most ${SIMD_FORWARD_MAX_ROWS} rows (any rows with at least ${SIMD_MIN_INNER} terms while wasm-simd-matmul is on) and weight gradients (transposeA) with rows a multiple of 4 in the library's WebAssembly SIMD GEMM on tfjs-wasm's heap, operands packed or read in place, instead of copies into the GEMM's own memory or a Transpose plus XNNPACK.`,
  'heap',
  hasWasmSimd,
);

/**
 * The fix object used by `useBackend`: `wasm-heap-matmul` also takes the input gradients `dy · Wᵀ`
 * of fewer than {@link SIMD_MIN_INNER} rows (a Dense layer's backward pass at batch 32), which
 * otherwise run as XNNPACK's product of `W` with a transposed `dy`, packing its freshly
 * transposed operand at every call: 4-5x slower than the GEMM on the seed MLP's shapes.
 */
export const wasmHeapInputGradientFix: BackendFix = carriedFix(
  'wasm-heap-input-gradient',
  `wasm-heap-matmul also takes the input gradients dy · Wᵀ (transposeB) of fewer than ${SIMD_MIN_INNER} rows (rows a multiple of 4, at least ${SIMD_MIN_INNER} terms, while wasm-simd-matmul is on), instead of XNNPACK's product of W with a transposed dy.`,
  'heapFewRows',
  hasWasmSimd,
);
