/**
 * Sample grids as PNG files (encoded by pngjs).
 *
 * @packageDocumentation
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { PNG } from 'pngjs';
import { ShapeError } from '../errors.js';
import { nonNegativeInteger, positiveInteger } from '../util/validate.js';

/**
 * Options of {@link encodeImageGrid}.
 * @category IO
 */
export interface ImageGridOptions {
  /** Images per row. Default: `ceil(sqrt(n))`, so 25 images make a 5x5 grid. */
  columns?: number;
  /** Pixels between images and around the grid. Default 2. */
  padding?: number;
  /** Grey level (0-255) of the padding. Default 128, so black-background digits stay apart. */
  background?: number;
  /** Each pixel becomes a `scale` x `scale` block (nearest neighbour). Default 1. */
  scale?: number;
  /** The value range of the images, mapped to 0..255. Default `[-1, 1]` (a tanh generator). */
  range?: readonly [number, number];
}

/**
 * Width and height in pixels of the PNG {@link encodeImageGrid} makes for `n` images of
 * `height` x `width`.
 * @category IO
 */
export function imageGridSize(
  n: number,
  height: number,
  width: number,
  options: ImageGridOptions = {},
): { width: number; height: number; columns: number; rows: number } {
  const columns = options.columns ?? Math.ceil(Math.sqrt(n));
  const rows = Math.ceil(n / columns);
  const padding = options.padding ?? 2;
  const scale = options.scale ?? 1;
  return {
    width: (columns * width + (columns + 1) * padding) * scale,
    height: (rows * height + (rows + 1) * padding) * scale,
    columns,
    rows,
  };
}

/**
 * Lays out images `[n, height, width, channels]` (1 or 3 channels) as a grid and encodes it as
 * PNG. Values are clipped to `range` first.
 *
 * @param images - the images; not disposed.
 * @param options - columns, padding, background, scale, range.
 * @returns the PNG file's bytes.
 * @throws {@link index!ShapeError | ShapeError} unless `images` is a rank-4 tensor with 1 or 3 channels;
 *   ConfigError for a bad option.
 * @example
 * ```ts
 * const samples = gan.sample(25, { seed: 7 });
 * await writeFile('grid.png', await encodeImageGrid(samples));
 * samples.dispose();
 * ```
 * @category IO
 */
export async function encodeImageGrid(images: tf.Tensor, options: ImageGridOptions = {}): Promise<Buffer> {
  if (!(images instanceof tf.Tensor) || images.rank !== 4 || (images.shape[3] !== 1 && images.shape[3] !== 3)) {
    const got = images instanceof tf.Tensor ? `shape [${images.shape.join(', ')}]` : typeof images;
    throw new ShapeError(`encodeImageGrid: images must have shape [n, height, width, 1 or 3], got ${got}.`);
  }
  const [n, h, w, c] = images.shape as [number, number, number, number];
  if (options.columns !== undefined) positiveInteger('encodeImageGrid', 'columns', options.columns);
  if (options.padding !== undefined) nonNegativeInteger('encodeImageGrid', 'padding', options.padding);
  if (options.scale !== undefined) positiveInteger('encodeImageGrid', 'scale', options.scale);
  const background = Math.round(Math.min(255, Math.max(0, options.background ?? 128)));
  const [lo, hi] = options.range ?? [-1, 1];
  const padding = options.padding ?? 2;
  const scale = options.scale ?? 1;
  const size = imageGridSize(n, h, w, options);
  const values = await images.data();

  const png = new PNG({ width: size.width, height: size.height });
  png.data.fill(background);
  for (let i = 3; i < png.data.length; i += 4) png.data[i] = 255;
  const toByte = (v: number): number => Math.round(((Math.min(hi, Math.max(lo, v)) - lo) / (hi - lo)) * 255);

  for (let k = 0; k < n; k++) {
    const left = padding + (k % size.columns) * (w + padding);
    const top = padding + Math.floor(k / size.columns) * (h + padding);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const src = ((k * h + y) * w + x) * c;
        const r = toByte(values[src] as number);
        const g = c === 3 ? toByte(values[src + 1] as number) : r;
        const b = c === 3 ? toByte(values[src + 2] as number) : r;
        for (let dy = 0; dy < scale; dy++) {
          const row = (top + y) * scale + dy;
          for (let dx = 0; dx < scale; dx++) {
            const dst = (row * size.width + (left + x) * scale + dx) * 4;
            png.data[dst] = r;
            png.data[dst + 1] = g;
            png.data[dst + 2] = b;
          }
        }
      }
    }
  }
  return PNG.sync.write(png);
}

/**
 * Writes images as a PNG grid (see {@link encodeImageGrid}), creating the folder if needed.
 *
 * @param images - `[n, height, width, 1 or 3]`; not disposed.
 * @param path - the PNG file to write.
 * @param options - see {@link ImageGridOptions}.
 * @category IO
 */
export async function writeImageGrid(images: tf.Tensor, path: string, options: ImageGridOptions = {}): Promise<void> {
  const bytes = await encodeImageGrid(images, options);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, bytes);
}
