/**
 * The output pixels of a convolution grouped by which taps of the filter read the input: the
 * padding classes that let the heap convolutions (`wasm-simd-conv.ts`, `wasm-simd-conv2d.ts`) leave
 * out the products of taps that fall in the padding instead of multiplying zeros.
 *
 * For a pixel at (oh, ow) the taps inside the input form a rectangle of the filter: filter rows
 * fh with 0 <= oh·sh - top + fh < H, columns fw likewise. Pixels with the same rectangle form a
 * class; a 'same' convolution has at most nine (the corners, the edges, the middle). A DCGAN's
 * 4x4, stride-2 layers from 14x14 to 7x7 read padding in 13.8% of their products.
 *
 * @packageDocumentation
 */
import type * as tf from '@tensorflow/tfjs-core';
import { pixelTable } from './wasm-heap.js';

/** Output pixels that read the input through the same taps. */
export interface TapClass {
  /** The taps (fh·FW + fw) inside the input, ascending: a rectangle of the filter, maybe empty. */
  readonly taps: Int32Array;
  /** The rectangle by filter rows: [first tap, taps] for each row, consecutive taps. */
  readonly runs: readonly (readonly [number, number])[];
  /** The class's output pixels, m = (n·OH + oh)·OW + ow, ascending. */
  readonly pixels: Int32Array;
  /** table[i·taps.length + j]: {@link pixelTable}'s offset for pixels[i] and taps[j] (never -1). */
  readonly table: Int32Array;
}

const byTable = new WeakMap<Int32Array, readonly TapClass[]>();

/** The range [from, to) of filter positions whose input index o·s - pad + f lies in [0, size). */
function insideRange(o: number, s: number, pad: number, filter: number, size: number): [number, number] {
  const from = Math.min(filter, Math.max(0, pad - o * s));
  const to = Math.max(from, Math.min(filter, size + pad - o * s));
  return [from, to];
}

/**
 * The padding classes of a convolution's output pixels, in the order of their first pixel;
 * cached with the shape's pixel table. One class (every tap of every pixel) where nothing reads
 * the padding.
 */
export function tapClasses(c: tf.backend_util.Conv2DInfo): readonly TapClass[] {
  const pixels = pixelTable(c);
  const known = byTable.get(pixels);
  if (known) return known;
  const { batchSize: N, inHeight: H, inWidth: W, outHeight: OH, outWidth: OW } = c;
  const { filterHeight: FH, filterWidth: FW, strideHeight: sh, strideWidth: sw } = c;
  const { top, left } = c.padInfo;
  const rows = Array.from({ length: OH }, (_, oh) => insideRange(oh, sh, top, FH, H));
  const cols = Array.from({ length: OW }, (_, ow) => insideRange(ow, sw, left, FW, W));
  const members = new Map<string, { rect: [number, number, number, number]; pixels: number[] }>();
  for (let n = 0, m = 0; n < N; n++) {
    for (let oh = 0; oh < OH; oh++) {
      const [h0, h1] = rows[oh] as [number, number];
      for (let ow = 0; ow < OW; ow++, m++) {
        const [w0, w1] = cols[ow] as [number, number];
        const key = `${h0},${h1},${w0},${w1}`;
        let entry = members.get(key);
        if (!entry) {
          entry = { rect: [h0, h1, w0, w1], pixels: [] };
          members.set(key, entry);
        }
        entry.pixels.push(m);
      }
    }
  }
  const taps = FH * FW;
  const classes = [...members.values()].map(({ rect: [h0, h1, w0, w1], pixels: ms }): TapClass => {
    const width = w1 > w0 ? w1 - w0 : 0;
    const runs = width === 0 ? [] : Array.from({ length: h1 - h0 }, (_, i) => [(h0 + i) * FW + w0, width] as const);
    const classTaps = Int32Array.from(runs.flatMap(([t0, count]) => Array.from({ length: count }, (_, j) => t0 + j)));
    const table = new Int32Array(ms.length * classTaps.length);
    ms.forEach((m, i) => {
      classTaps.forEach((t, j) => {
        table[i * classTaps.length + j] = pixels[m * taps + t] as number;
      });
    });
    return { taps: classTaps, runs, pixels: Int32Array.from(ms), table };
  });
  byTable.set(pixels, classes);
  return classes;
}

/** The share of a convolution's products that read the padding (0 where none does). */
export function paddingShare(c: tf.backend_util.Conv2DInfo): number {
  const all = c.batchSize * c.outHeight * c.outWidth * c.filterHeight * c.filterWidth;
  const inside = tapClasses(c).reduce((sum, k) => sum + k.pixels.length * k.taps.length, 0);
  return all === 0 ? 0 : 1 - inside / all;
}
