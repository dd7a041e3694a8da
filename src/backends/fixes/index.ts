/**
 * The list of the library's backend fixes, in the order they are applied.
 *
 * @packageDocumentation
 */
import { cpuConv2dBackpropFilterFix } from './cpu-conv2d-backprop-filter.js';
import { cpuSimdMatMulFix } from './cpu-simd-matmul.js';
import type { BackendFix, FixName } from './fix.js';
import { fusedAdamFix, wasmInPlaceAdamFix } from './fused-adam.js';
import { fusedBatchNormGradientFix } from './fused-batchnorm-gradient.js';
import {
  batchNormGradientFix,
  greaterGradientFix,
  lazyFusedGradientsFix,
  lightSavedTensorsFix,
  meanGradientFix,
} from './gradients.js';
import { wasmBatchReductionsFix, wasmRowGatherFix, wasmSimdBatchReductionsFix } from './wasm-batch-kernels.js';
import { wasmConv2dBackpropFilterFix, wasmSimdConv2dBackpropFilterFix } from './wasm-conv2d-backprop-filter.js';
import { wasmConv2dBackpropInputFix, wasmSimdConv2dBackpropInputFix } from './wasm-conv2d-backprop-input.js';
import {
  wasmConv2dBackpropFilterDirectFix,
  wasmConv2dBackpropFilterSkipPaddingFix,
  wasmConv2dBackpropInputSkipPaddingFix,
  wasmConv2dSkipPaddingFix,
} from './wasm-conv2d-skip-padding.js';
import { wasmDepthwiseBackpropFix, wasmUnsortedSegmentSumFix } from './wasm-cpu-fallback-kernels.js';
import { wasmFastTransposeFix } from './wasm-fast-transpose.js';
import { wasmRelaxedSimdFix } from './wasm-relaxed-simd.js';
import { wasmSharedCastFix, wasmSharedIdentityFix } from './wasm-shared-identity.js';
import { wasmSimdBatchNormFix } from './wasm-simd-batch-norm.js';
import { wasmSimdConv2dFix } from './wasm-simd-conv2d.js';
import { wasmSimdLeakyReluFix } from './wasm-simd-leaky-relu.js';
import { wasmSimdTanhFix } from './wasm-simd-tanh.js';
import { wasmThreadedGemmFix } from './wasm-threaded-gemm.js';
import {
  wasmHeapInputGradientFix,
  wasmHeapMatMulFix,
  wasmSimdForwardMatMulFix,
  wasmSimdMatMulFix,
  wasmTransposedMatMulFix,
} from './wasm-transposed-matmul.js';

/** Every fix. */
export const FIXES: readonly BackendFix[] = [
  wasmTransposedMatMulFix,
  fusedAdamFix,
  wasmInPlaceAdamFix,
  wasmConv2dBackpropFilterFix,
  wasmConv2dBackpropInputFix,
  wasmSimdConv2dBackpropFilterFix,
  wasmSimdConv2dBackpropInputFix,
  wasmSimdConv2dFix,
  wasmConv2dSkipPaddingFix,
  wasmConv2dBackpropFilterDirectFix,
  wasmConv2dBackpropInputSkipPaddingFix,
  wasmConv2dBackpropFilterSkipPaddingFix,
  wasmDepthwiseBackpropFix,
  wasmUnsortedSegmentSumFix,
  greaterGradientFix,
  cpuSimdMatMulFix,
  cpuConv2dBackpropFilterFix,
  lazyFusedGradientsFix,
  wasmSharedIdentityFix,
  wasmSharedCastFix,
  batchNormGradientFix,
  lightSavedTensorsFix,
  meanGradientFix,
  fusedBatchNormGradientFix,
  wasmBatchReductionsFix,
  wasmSimdBatchReductionsFix,
  wasmRowGatherFix,
  wasmFastTransposeFix,
  wasmSimdLeakyReluFix,
  wasmSimdTanhFix,
  wasmSimdBatchNormFix,
  wasmSimdForwardMatMulFix,
  wasmSimdMatMulFix,
  wasmHeapMatMulFix,
  wasmHeapInputGradientFix,
  wasmRelaxedSimdFix,
  wasmThreadedGemmFix,
];

/** Every fix name. */
export const FIX_NAMES: readonly FixName[] = FIXES.map((f) => f.name);

/** The fixes that apply to `backend`. */
export function applicableFixes(backend: string): BackendFix[] {
  return FIXES.filter((f) => f.backends === '*' || f.backends.includes(backend));
}

/**
 * Looks a fix up by name.
 * @returns the fix, or undefined.
 */
export function getFix(name: string): BackendFix | undefined {
  return FIXES.find((f) => f.name === name);
}
