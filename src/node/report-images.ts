/**
 * A run's images for its report: PNG files as `data:` URLs, grey ones re-encoded as greyscale
 * (the grids are written as RGBA; one channel instead of four makes them about 3x smaller).
 *
 * @packageDocumentation
 */
import { readFile } from 'node:fs/promises';
import { PNG } from 'pngjs';

/** Whether every pixel is opaque grey (red = green = blue, alpha 255). */
function isOpaqueGrey(data: Uint8Array): boolean {
  for (let i = 0; i < data.length; i += 4) {
    if (data[i] !== data[i + 1] || data[i] !== data[i + 2] || data[i + 3] !== 255) return false;
  }
  return true;
}

/**
 * Reads a PNG as a `data:image/png;base64,` URL, losslessly re-encoded as greyscale when it is
 * grey.
 * @returns the URL, or undefined when the file is not a readable PNG.
 */
export async function pngDataUrl(file: string): Promise<string | undefined> {
  let bytes: Buffer;
  let png: PNG;
  try {
    bytes = await readFile(file);
    png = PNG.sync.read(bytes);
  } catch {
    return undefined;
  }
  const compact = isOpaqueGrey(png.data) ? PNG.sync.write(png, { colorType: 0 }) : bytes;
  const smaller = compact.length < bytes.length ? compact : bytes;
  return `data:image/png;base64,${smaller.toString('base64')}`;
}
