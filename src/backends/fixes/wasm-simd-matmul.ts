/**
 * wasm `BatchMatMul` and `_FusedMatMul` in the library's WebAssembly SIMD GEMM (the one the
 * `cpu-simd-matmul` fix uses) instead of tfjs-backend-wasm's XNNPACK operator.
 *
 * XNNPACK's fully-connected operator packs its second operand into a private layout when it first
 * sees that tensor, and caches the operator on the tensor's id. In training almost every product
 * meets a new tensor (a weight just updated, a gradient, an activation), so tfjs-wasm builds,
 * packs and destroys an operator per product: measured on the seed GAN's forward products with
 * fresh weights, 4.2 GFLOP/s at batch 32 against the library GEMM's 13 (3.1x), and about the same
 * speed at batch 256 (1.1x). The operands are read straight from the wasm heap, packed into the
 * GEMM's own memory (transposes resolved while packing), and the result written into a new wasm
 * tensor; `_FusedMatMul`'s bias and activation are applied on the way out.
 *
 * What the GEMM does not take (other dtypes, batch broadcasts it does not handle, odd bias shapes,
 * unknown activations, a product too large for its memory) goes on to the `wasm-transposed-matmul`
 * path or tfjs's kernel. Numerics: float32 sums in k order, within float32 rounding of XNNPACK's.
 *
 * @packageDocumentation
 */
import type * as tf from '@tensorflow/tfjs-core';
import { activationOf, epilogue, gemm, planOf, product, rowOf, type ValuesOf } from './cpu-simd-matmul.js';
import type { BackendFix } from './fix.js';
import { type WasmBackendLike, wasmView } from './kernels.js';
import { hasWasmSimd } from './wasm-simd-gemm.js';
import { setWasmSimdProduct, wasmSimdProductOn } from './wasm-transposed-matmul.js';

/** The product in the SIMD GEMM, or null to leave it to the next path. */
function simdProduct(kernelName: string, args: Parameters<tf.KernelFunc>[0]): tf.TensorInfo | null {
  const backend = args.backend as unknown as WasmBackendLike;
  const inputs = args.inputs as Record<string, tf.TensorInfo | undefined>;
  const { a, b } = inputs;
  const attrs = (args.attrs ?? {}) as tf.NamedAttrMap;
  const ta = Boolean(attrs.transposeA);
  const tb = Boolean(attrs.transposeB);
  const g = gemm();
  const p = a && b ? planOf(a, b, ta, tb) : null;
  if (!g || !p || !a || !b) return null;
  // Views of the wasm heap: valid until the heap grows, which only makeOutput below can do.
  const valuesOf: ValuesOf = (t) => (t.dtype === 'float32' ? wasmView(backend, t, Float32Array) : null);
  let biasRow: Float32Array | null = null;
  let act: ReturnType<typeof activationOf> = null;
  let linear = true;
  if (kernelName === '_FusedMatMul') {
    const rank = p.outShape.length;
    biasRow = inputs.bias ? rowOf(valuesOf, inputs.bias, rank, p.n) : null;
    const alphaRow = inputs.preluActivationWeights ? rowOf(valuesOf, inputs.preluActivationWeights, rank, p.n) : null;
    act = activationOf(attrs, alphaRow);
    if ((inputs.bias && !biasRow) || !act) return null;
    linear = (attrs.activation ?? 'linear') === 'linear';
  }
  const av = valuesOf(a);
  const bv = valuesOf(b);
  if (!av || !bv) return null;
  const out = product(g, p, av, bv, ta, tb);
  if (!out) return null;
  if (biasRow || !linear) epilogue(out, p.n, biasRow, linear ? null : act);
  const info = backend.makeOutput(p.outShape, 'float32');
  wasmView(backend, info, Float32Array).set(out);
  return info;
}

/** The fix object used by `useBackend`. */
export const wasmSimdMatMulFix: BackendFix = {
  name: 'wasm-simd-matmul',
  description:
    "wasm BatchMatMul/_FusedMatMul run in the library's WebAssembly SIMD GEMM instead of building an XNNPACK operator for every new tensor.",
  backends: ['wasm'],
  defaultOn: false,
  apply: () => {
    if (!hasWasmSimd() || !gemm()) return;
    setWasmSimdProduct(simdProduct);
  },
  remove: () => setWasmSimdProduct(null),
  isApplied: wasmSimdProductOn,
};
