/**
 * A sample grid written as a PNG one row of images at a time: samples arrive in chunks, each band
 * of the grid is drawn, deflated and written, and only one band and one chunk are ever in memory.
 * The pixels are those of `encodeImageGrid` (ts-gan/node) for the same images and options; the
 * file is grey (1 channel) or RGB (3), without the alpha channel pngjs writes.
 *
 * @packageDocumentation
 */
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createDeflate } from 'node:zlib';
import type * as tf from '@tensorflow/tfjs-core';
import { crc32 } from '../io/crc32.js';
import { imageGridSize } from '../node/png.js';

/** The layout of a grid: `n` images of `height` x `width` x `channels` (1 or 3). */
export interface GridLayout {
  n: number;
  height: number;
  width: number;
  channels: 1 | 3;
  /** Images per row. Default `ceil(sqrt(n))`. */
  columns?: number;
  /** Each pixel becomes a `scale` x `scale` block. Default 1. */
  scale?: number;
  /** Pixels between images and around the grid. Default 2, as encodeImageGrid. */
  padding?: number;
}

/** Grey level of the padding, as encodeImageGrid's default. */
const BACKGROUND = 128;
/** The value range mapped to 0..255: a tanh generator's. */
const RANGE: readonly [number, number] = [-1, 1];
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Width, height and pixel count of the grid's PNG. */
export function gridPixels(layout: GridLayout): { width: number; height: number; pixels: number } {
  const { width, height } = imageGridSize(layout.n, layout.height, layout.width, layout);
  return { width, height, pixels: width * height };
}

/**
 * Writes the grid of the images `chunks` yields (tensors `[k, height, width, channels]`, `n` images
 * in all; each is disposed once read) as a PNG at `path`.
 */
export async function writeGridStream(chunks: Iterable<tf.Tensor>, path: string, layout: GridLayout): Promise<void> {
  const { width, height } = gridPixels(layout);
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, layout.channels === 1 ? 0 : 2, 0, 0, 0], 8); // 8 bits, grey or RGB, deflate, no filter, no interlace
  await mkdir(dirname(path), { recursive: true });
  await pipeline(
    bands(chunks, layout),
    createDeflate(),
    async function* (deflated: AsyncIterable<Buffer>) {
      yield Buffer.concat([PNG_SIGNATURE, pngChunk('IHDR', header)]);
      for await (const data of deflated) yield pngChunk('IDAT', data);
      yield pngChunk('IEND', Buffer.alloc(0));
    },
    createWriteStream(path),
  );
}

/** The PNG's scanlines (each with its filter byte, 0), one band of the grid per buffer. */
async function* bands(chunks: Iterable<tf.Tensor>, layout: GridLayout): AsyncGenerator<Buffer> {
  const { n, height: h, width: w, channels: c } = layout;
  const padding = layout.padding ?? 2;
  const scale = layout.scale ?? 1;
  const { width, columns, rows } = imageGridSize(n, h, w, layout);
  const lineWidth = width * c;
  const background = Buffer.alloc(1 + lineWidth, BACKGROUND);
  background[0] = 0;
  const paddingRows = (count: number) => Buffer.concat(Array.from({ length: count * scale }, () => background));
  const perImage = h * w * c;
  const iterator = chunks[Symbol.iterator]();
  let pending: Float32Array = new Float32Array(0);
  let offset = 0;
  // Fills `band` with the next images, reading chunks as needed; returns how many it holds.
  const fill = async (band: Float32Array, want: number): Promise<number> => {
    let have = 0;
    while (have < want) {
      if (offset >= pending.length) {
        const next = iterator.next();
        if (next.done) break;
        pending = (await next.value.data()) as Float32Array;
        next.value.dispose();
        offset = 0;
      }
      const take = Math.min(want - have, (pending.length - offset) / perImage);
      band.set(pending.subarray(offset, offset + take * perImage), have * perImage);
      offset += take * perImage;
      have += take;
    }
    return have;
  };
  const [lo, hi] = RANGE;
  const toByte = (v: number): number => Math.round(((Math.min(hi, Math.max(lo, v)) - lo) / (hi - lo)) * 255);
  const band = new Float32Array(columns * perImage);
  try {
    yield paddingRows(padding);
    for (let r = 0; r < rows; r++) {
      const count = await fill(band, Math.min(columns, n - r * columns));
      const lines: Buffer[] = [];
      for (let y = 0; y < h; y++) {
        const line = Buffer.from(background);
        for (let k = 0; k < count; k++) {
          const left = padding + k * (w + padding);
          for (let x = 0; x < w; x++) {
            const src = k * perImage + (y * w + x) * c;
            for (let ch = 0; ch < c; ch++) {
              const value = toByte(band[src + ch] as number);
              for (let dx = 0; dx < scale; dx++) line[1 + ((left + x) * scale + dx) * c + ch] = value;
            }
          }
        }
        for (let dy = 0; dy < scale; dy++) lines.push(line);
      }
      lines.push(paddingRows(padding));
      yield Buffer.concat(lines);
    }
  } finally {
    iterator.return?.();
  }
}

function pngChunk(type: string, data: Buffer): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'ascii');
  data.copy(out, 8);
  out.writeUInt32BE(Number.parseInt(crc32(out.subarray(4, 8 + data.length)), 16), 8 + data.length);
  return out;
}
