/**
 * The library's SIMD GEMM with fused multiply-add: where the engine has WebAssembly relaxed SIMD
 * (V8 in Node 22 and later, current Chrome), the GEMM behind `cpu-simd-matmul`,
 * `wasm-simd-forward-matmul`, `wasm-simd-matmul` and the wasm convolution kernels runs `wat/gemm-relaxed.wat`, whose
 * micro-kernel does one `f32x4.relaxed_madd` where the plain one does a multiply and an add.
 * Detection is a `WebAssembly.validate` of a tiny module that uses the instruction, done once;
 * without it (Node 20) the fix does not apply and the plain SIMD GEMM runs.
 *
 * Numerics: the same float32 sums in the same k order, with each product either rounded before the
 * add (plain) or not (fused), so for C[i][j] the two paths differ by at most
 * 2 * K * 2^-24 * sum_k |A[i][k] * B[k][j]|, and both are that close to the exact product.
 *
 * @packageDocumentation
 */
import type { BackendFix } from './fix.js';
import { gemmVariant, hasRelaxedSimd, hasWasmSimd, setRelaxedSimd } from './wasm-simd-gemm.js';

/** The fix object used by `useBackend`. */
export const wasmRelaxedSimdFix: BackendFix = {
  name: 'wasm-relaxed-simd',
  description:
    "The library's WebAssembly SIMD GEMM (cpu-simd-matmul, wasm-simd-forward-matmul, wasm-simd-matmul, the wasm convolution gradients) with relaxed-SIMD fused multiply-add, where the engine has it (Node 22+, current Chrome).",
  backends: ['wasm', 'cpu'],
  apply: () => {
    // Without relaxed SIMD nothing changes: isApplied() stays false and the plain GEMM runs.
    if (hasWasmSimd() && hasRelaxedSimd()) setRelaxedSimd(true);
  },
  remove: () => setRelaxedSimd(false),
  isApplied: () => gemmVariant() === 'relaxed-simd',
};
