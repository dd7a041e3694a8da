/**
 * Two switches inside the SIMD convolution kernels: the forward convolution of `wasm-simd-conv2d`
 * without a single product of a tap that reads the padding (the fix `wasm-simd-conv2d-skip-padding`),
 * and the filter gradient reading dy in place (`wasm-simd-conv2d-backprop-filter-direct`, below).
 *
 * `wasm-simd-conv2d` multiplies the whole filter by columns in which taps that fall in the padding
 * read zeros. In a 'same' convolution the pixels at the edges read padding rows above and below
 * the image and padding columns left and right of it: for the DCGAN's 14x14x64 to 7x7x128 layer
 * (4x4 filter, stride 2) 13.8% of the products. With this fix the kernel groups the output pixels
 * by the rectangle of taps they read inside the input (at most nine classes for a 'same'
 * convolution: the middle, four edges, four corners), multiplies each class's columns by only
 * those taps' filter rows in one GEMM, and writes the rows to the class's pixels with the bias
 * (`wasm-simd-conv2d-classes.ts`). The layer's forward pass runs 1.12-1.15x faster (CPU time, Node
 * 24), the class products at the GEMM's speed.
 *
 * Numerics: a left-out tap adds 0·w, so with finite filters each output is the same real sum, in
 * float32 with fewer terms in another order and K blocking: equal within float32 rounding to the
 * path without the fix and to tfjs's cpu kernel (not the same bits). A filter holding Infinity or
 * NaN in a padding tap gives NaN through 0·w there in XNNPACK and without this fix; with it, the
 * finite sum of the other taps.
 *
 * @packageDocumentation
 */
import type { BackendFix } from './fix.js';
import { filterGradientDyInPlace, setFilterGradientDyInPlace } from './wasm-simd-conv.js';
import { conv2dSkipPadding, setConv2dSkipPadding } from './wasm-simd-conv2d.js';

/** The fix object used by `useBackend`. */
export const wasmConv2dSkipPaddingFix: BackendFix = {
  name: 'wasm-simd-conv2d-skip-padding',
  description:
    "wasm-simd-conv2d leaves out every product of a tap that reads the padding: output pixels go by the rectangle of taps they read inside the input (middle, edges, corners of a 'same' convolution), each class in one GEMM with only those taps' filter rows; equal within float32 rounding.",
  backends: ['wasm'],
  apply: () => setConv2dSkipPadding(true),
  remove: () => setConv2dSkipPadding(false),
  isApplied: conv2dSkipPadding,
};

/**
 * The filter gradient of `wasm-simd-conv2d-backprop-filter` with dy's rows as the GEMM's B where
 * they lie (Cout a multiple of 8) instead of copied row by row into padded rows: the same operands
 * and the same GEMM, so the same bits.
 */
export const wasmConv2dBackpropFilterDirectFix: BackendFix = {
  name: 'wasm-simd-conv2d-backprop-filter-direct',
  description:
    'wasm-simd-conv2d-backprop-filter reads the output gradient in place as its GEMM operand (Cout a multiple of 8) instead of copying it row by row into padded rows; same bits.',
  backends: ['wasm'],
  apply: () => setFilterGradientDyInPlace(true),
  remove: () => setFilterGradientDyInPlace(false),
  isApplied: filterGradientDyInPlace,
};
