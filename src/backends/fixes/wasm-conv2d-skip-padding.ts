/**
 * Switches inside the SIMD convolution kernels: the forward convolution of `wasm-simd-conv2d`
 * without a single product of a tap that reads the padding (the fix `wasm-simd-conv2d-skip-padding`),
 * the filter gradient reading dy in place (`wasm-simd-conv2d-backprop-filter-direct`), and the input
 * and filter gradients without the products of padding taps
 * (`wasm-simd-conv2d-backprop-input-skip-padding`, `wasm-simd-conv2d-backprop-filter-skip-padding`).
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
import type { BackendFix, FixName } from './fix.js';
import {
  filterGradientDyInPlace,
  inputGradientSkipsPadding,
  setFilterGradientDyInPlace,
  setInputGradientSkipPadding,
} from './wasm-simd-conv.js';
import { filterGradientSkipPadding, setFilterGradientSkipPadding } from './wasm-simd-conv-filter-classes.js';
import { conv2dSkipPadding, setConv2dSkipPadding } from './wasm-simd-conv2d.js';

/** A fix that flips a switch inside one of the convolution kernels (wasm only). */
function switchFix(name: FixName, description: string, set: (on: boolean) => void, get: () => boolean): BackendFix {
  return { name, description, backends: ['wasm'], apply: () => set(true), remove: () => set(false), isApplied: get };
}

/** The fix object used by `useBackend`. */
export const wasmConv2dSkipPaddingFix: BackendFix = switchFix(
  'wasm-simd-conv2d-skip-padding',
  "wasm-simd-conv2d leaves out every product of a tap that reads the padding: output pixels go by the rectangle of taps they read inside the input (middle, edges, corners of a 'same' convolution), each class in one GEMM with only those taps' filter rows; equal within float32 rounding.",
  setConv2dSkipPadding,
  conv2dSkipPadding,
);

/**
 * The filter gradient of `wasm-simd-conv2d-backprop-filter` with dy's rows as the GEMM's B where
 * they lie (Cout a multiple of 8) instead of copied row by row into padded rows: the same operands
 * and the same GEMM, so the same bits.
 */
export const wasmConv2dBackpropFilterDirectFix: BackendFix = switchFix(
  'wasm-simd-conv2d-backprop-filter-direct',
  'wasm-simd-conv2d-backprop-filter reads the output gradient in place as its GEMM operand (Cout a multiple of 8) instead of copying it row by row into padded rows; same bits.',
  setFilterGradientDyInPlace,
  filterGradientDyInPlace,
);

/**
 * The input gradient of `wasm-simd-conv2d-backprop-input` (a conv-transpose's forward pass) without
 * the products of taps that fall in the padding: dy's pixels go a padding class at a time (see
 * `conv-tap-classes.ts`), and for each class the GEMM computes only the columns of the taps that
 * land inside dx. For the DCGAN's 7x7x128 → 14x14x64 layer that leaves out 13.8% of the products.
 * The same sums without their zero terms, added in another order: equal within float32 rounding.
 */
export const wasmConv2dBackpropInputSkipPaddingFix: BackendFix = switchFix(
  'wasm-simd-conv2d-backprop-input-skip-padding',
  'wasm-simd-conv2d-backprop-input computes only the columns of the taps that land inside dx, a padding class of pixels at a time, instead of multiplying the padding taps and dropping them; equal within float32 rounding.',
  setInputGradientSkipPadding,
  inputGradientSkipsPadding,
);

/**
 * The filter gradient of `wasm-simd-conv2d-backprop-filter` by padding class: each class of output
 * pixels (the same taps inside the input) multiplies only its own taps, so the products of taps
 * that read the padding are left out (see `wasm-simd-conv-filter-classes.ts`). Equal within float32
 * rounding (the same nonzero products summed in another order).
 */
export const wasmConv2dBackpropFilterSkipPaddingFix: BackendFix = switchFix(
  'wasm-simd-conv2d-backprop-filter-skip-padding',
  'wasm-simd-conv2d-backprop-filter goes by padding class of output pixels and multiplies only the taps that read the input, leaving out the products of padding taps (13.8% of the DCGAN 14x14 -> 7x7 layer); equal within float32 rounding.',
  setFilterGradientSkipPadding,
  filterGradientSkipPadding,
);
