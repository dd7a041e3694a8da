/**
 * Tiny generated pictures for the image loader and `ts-gan train` tests: coloured shapes as PNG and
 * JPEG files, in class subfolders.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { encode as encodeJpeg } from 'jpeg-js';
import { PNG } from 'pngjs';

/** RGBA pixels of a `shape` in `colour` on white, `width` x `height`. */
export function shapePixels(
  shape: 'square' | 'disc',
  colour: readonly [number, number, number],
  width: number,
  height: number,
): Uint8Array {
  const data = new Uint8Array(width * height * 4).fill(255);
  const r = Math.min(width, height) / 3;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const dx = x + 0.5 - width / 2;
      const dy = y + 0.5 - height / 2;
      const inside = shape === 'square' ? Math.max(Math.abs(dx), Math.abs(dy)) <= r : dx * dx + dy * dy <= r * r;
      if (inside) data.set(colour, (y * width + x) * 4);
    }
  }
  return data;
}

/** A PNG file's bytes. */
export function pngBytes(data: Uint8Array, width: number, height: number): Buffer {
  const png = new PNG({ width, height });
  png.data = Buffer.from(data);
  return PNG.sync.write(png);
}

/** A JPEG file's bytes (quality 95). */
export function jpegBytes(data: Uint8Array, width: number, height: number): Buffer {
  return encodeJpeg({ data, width, height }, 95).data;
}

const COLOURS = [
  [220, 30, 30],
  [30, 160, 40],
  [40, 60, 220],
] as const;

/**
 * Writes `perClass` pictures into each of `squares/` and `discs/` under `dir`: colours cycling,
 * sizes 20x16 and 16x16, the odd ones as JPEG.
 * @returns the relative file names, sorted as the loader sorts them.
 */
export async function writeShapesFolder(dir: string, perClass = 3): Promise<string[]> {
  const files: string[] = [];
  for (const [folder, shape] of [
    ['discs', 'disc'],
    ['squares', 'square'],
  ] as const) {
    await mkdir(join(dir, folder), { recursive: true });
    for (let i = 0; i < perClass; i++) {
      const [w, h] = i % 2 === 0 ? [20, 16] : [16, 16];
      const pixels = shapePixels(shape, COLOURS[i % COLOURS.length] as readonly [number, number, number], w, h);
      const name = i % 2 === 0 ? `${i}.png` : `${i}.jpg`;
      await writeFile(join(dir, folder, name), i % 2 === 0 ? pngBytes(pixels, w, h) : jpegBytes(pixels, w, h));
      files.push(join(folder, name));
    }
  }
  return files.sort();
}
