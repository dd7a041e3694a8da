/**
 * The rules that turn a decoded picture of any size into a training image of a chosen size, shared
 * by the Node folder loader and the browser loader so that both give the same pixels: alpha over
 * white, centre-crop (or pad) to the target's aspect ratio, area-average resampling, 1 or 3
 * channels, bytes rounded to 0..255, then `x / 127.5 - 1` into [-1, 1]. Browser-safe.
 *
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { DataError } from '../errors.js';

/**
 * How a picture whose aspect ratio differs from the target's is fitted: `'crop'` keeps the centre
 * and cuts the longer side; `'pad'` keeps the whole picture and fills the borders with white.
 * @category Data
 */
export type ImageFit = 'crop' | 'pad';

/**
 * The options every image loader shares.
 * @category Data
 */
export interface ImageShapeOptions {
  /** The images' size: a number for a square, or `[height, width]`. */
  size: number | readonly [number, number];
  /** 1 (grey, luminance of the colours) or 3 (RGB). Default 3. */
  channels?: 1 | 3;
  /** `'crop'` (default) or `'pad'`. */
  fit?: ImageFit;
}

/** A decoded picture: `width * height` RGBA pixels, 4 bytes each, as canvases and decoders give them. */
export interface RgbaPicture {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array | Uint8ClampedArray;
}

/** The checked form of {@link ImageShapeOptions}. */
export interface ImageShape {
  readonly height: number;
  readonly width: number;
  readonly channels: 1 | 3;
  readonly fit: ImageFit;
}

/** The largest side a loader makes: 1024 px is already far past what these GANs train on. */
const MAX_SIDE = 1024;
/** ITU-R BT.601 luma weights, the grey of PIL's `convert('L')` and of most image tools. */
const LUMA = [0.299, 0.587, 0.114] as const;
/** Transparent pixels are laid over white paper, the background of drawings and icons. */
const PAPER = 255;
/** Half of the largest byte value: `x / 127.5 - 1` maps 0..255 onto [-1, 1]. */
const HALF_BYTE = 127.5;

/**
 * Checks the shape options of a loader.
 * @param fn - the loader's name, for messages.
 * @throws {@link DataError} for a bad size, channel count or fit.
 */
export function checkImageShape(fn: string, options: ImageShapeOptions | undefined): ImageShape {
  if (options === undefined || options === null || typeof options !== 'object') {
    throw new DataError(`${fn}: options with a size are required, for example { size: 32 }.`);
  }
  const size = options.size;
  const [height, width] = typeof size === 'number' ? [size, size] : Array.isArray(size) ? size : [Number.NaN, 0];
  for (const side of [height, width]) {
    if (!Number.isInteger(side) || (side as number) < 1 || (side as number) > MAX_SIDE) {
      throw new DataError(
        `${fn}: size must be an integer from 1 to ${MAX_SIDE} or [height, width] of such, got ${JSON.stringify(size)}.`,
      );
    }
  }
  const channels = options.channels ?? 3;
  if (channels !== 1 && channels !== 3) {
    throw new DataError(`${fn}: channels must be 1 or 3, got ${JSON.stringify(options.channels)}.`);
  }
  const fit = options.fit ?? 'crop';
  if (fit !== 'crop' && fit !== 'pad') {
    throw new DataError(`${fn}: fit must be "crop" or "pad", got ${JSON.stringify(options.fit)}.`);
  }
  return { height: height as number, width: width as number, channels, fit };
}

/**
 * Fits one picture to `shape`: alpha over white, centre-crop or pad, area-average resampling,
 * rounded to bytes.
 * @returns `height * width * channels` bytes, row-major, channels last.
 */
export function fitPicture(picture: RgbaPicture, shape: ImageShape): Uint8Array {
  const { width: sw, height: sh } = picture;
  const { height: th, width: tw, channels } = shape;
  // The source rectangle (crop) or the scale (pad) that keeps the aspect ratio.
  const scale = shape.fit === 'crop' ? Math.min(sw / tw, sh / th) : Math.max(sw / tw, sh / th);
  const x0 = (sw - tw * scale) / 2;
  const y0 = (sh - th * scale) / 2;
  const out = new Uint8Array(th * tw * channels);
  const rgb = [0, 0, 0];
  for (let y = 0; y < th; y++) {
    const top = y0 + y * scale;
    for (let x = 0; x < tw; x++) {
      areaAverage(picture, x0 + x * scale, top, scale, rgb);
      const o = (y * tw + x) * channels;
      if (channels === 3) {
        out[o] = Math.round(rgb[0] as number);
        out[o + 1] = Math.round(rgb[1] as number);
        out[o + 2] = Math.round(rgb[2] as number);
      } else {
        out[o] = Math.round(LUMA[0] * (rgb[0] as number) + LUMA[1] * (rgb[1] as number) + LUMA[2] * (rgb[2] as number));
      }
    }
  }
  return out;
}

/**
 * The mean colour of the square [left, left + side) x [top, top + side) of the picture, each source
 * pixel weighted by the area it covers; outside the picture counts as white (padding).
 */
function areaAverage(p: RgbaPicture, left: number, top: number, side: number, rgb: number[]): void {
  rgb[0] = rgb[1] = rgb[2] = 0;
  let total = 0;
  const right = left + side;
  const bottom = top + side;
  for (let sy = Math.floor(top); sy < bottom; sy++) {
    const wy = Math.min(sy + 1, bottom) - Math.max(sy, top);
    if (wy <= 0) continue;
    for (let sx = Math.floor(left); sx < right; sx++) {
      const wx = Math.min(sx + 1, right) - Math.max(sx, left);
      if (wx <= 0) continue;
      const w = wx * wy;
      total += w;
      if (sx < 0 || sy < 0 || sx >= p.width || sy >= p.height) {
        rgb[0] += PAPER * w;
        rgb[1] += PAPER * w;
        rgb[2] += PAPER * w;
        continue;
      }
      const i = (sy * p.width + sx) * 4;
      const alpha = (p.data[i + 3] as number) / 255;
      for (let c = 0; c < 3; c++) {
        (rgb[c] as number) += ((p.data[i + c] as number) * alpha + PAPER * (1 - alpha)) * w;
      }
    }
  }
  for (let c = 0; c < 3; c++) rgb[c] = (rgb[c] as number) / total;
}

/**
 * Turns fitted images (bytes, one after the other) into a float32 tensor `[n, height, width, channels]`
 * in [-1, 1]; the caller owns it.
 */
export function bytesToImageTensor(bytes: Uint8Array, n: number, shape: ImageShape): tf.Tensor4D {
  const values = new Float32Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) values[i] = (bytes[i] as number) / HALF_BYTE - 1;
  return tf.tensor4d(values, [n, shape.height, shape.width, shape.channels]);
}
