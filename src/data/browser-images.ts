/**
 * The user's own pictures in a browser: files from an `<input type="file">` or a drop, blobs,
 * decoded bitmaps and `<img>` elements, decoded by the browser itself and fitted to one size by the
 * same rules as the Node folder loader (./image-fit.ts). Uses only web APIs: createImageBitmap and
 * OffscreenCanvas (or a `<canvas>` where there is no OffscreenCanvas).
 *
 * @packageDocumentation
 */
import type * as tf from '@tensorflow/tfjs-core';
import { BadImageError, DataError } from '../errors.js';
import {
  bytesToImageTensor,
  checkImageShape,
  fitPicture,
  type ImageShapeOptions,
  type RgbaPicture,
} from './image-fit.js';

/**
 * One picture {@link loadImages} accepts.
 * @category Data
 */
export type ImageSource = Blob | ImageBitmap | HTMLImageElement;

/**
 * Options of {@link loadImages}.
 * @category Data
 */
export interface LoadImagesOptions extends ImageShapeOptions {
  /** A picture that cannot be decoded is skipped and listed in `skipped` (`'skip'`, default) or throws a {@link BadImageError} (`'throw'`). */
  onBadFile?: 'skip' | 'throw';
}

/**
 * Pictures loaded in a browser.
 * @category Data
 */
export interface BrowserImageDataset {
  /** `[n, height, width, channels]` in [-1, 1]; the caller owns the tensor and disposes it. */
  images: tf.Tensor4D;
  /** The name of each image (a file's name, else `#index`), in order. */
  files: string[];
  /** The sources that could not be decoded, and why. */
  skipped: { file: string; reason: string }[];
}

const FN = 'loadImages';

/**
 * Decodes pictures with the browser's own decoders and fits them to one size (centre-crop or pad,
 * area averaging, alpha over white, 1 or 3 channels) in [-1, 1].
 *
 * @param sources - a FileList, or any iterable of File, Blob, ImageBitmap or HTMLImageElement.
 * @param options - `size` (required), `channels` (default 3), `fit`, `onBadFile`.
 * @returns the images, their names and the skipped sources.
 * @throws {@link DataError} for bad options or when no source could be decoded;
 *   {@link BadImageError} for a bad source with `onBadFile: 'throw'`.
 * @example
 * ```ts
 * input.onchange = async () => {
 *   const { images, skipped } = await loadImages(input.files!, { size: 32, channels: 3 });
 * };
 * ```
 * @category Data
 */
export async function loadImages(
  sources: Iterable<ImageSource> | ArrayLike<ImageSource>,
  options: LoadImagesOptions,
): Promise<BrowserImageDataset> {
  const shape = checkImageShape(FN, options);
  const onBadFile = options.onBadFile ?? 'skip';
  if (onBadFile !== 'skip' && onBadFile !== 'throw') {
    throw new DataError(`${FN}: onBadFile must be "skip" or "throw", got ${JSON.stringify(onBadFile)}.`);
  }
  const list = sources == null ? [] : Array.from(sources as ArrayLike<ImageSource>);
  if (list.length === 0) {
    throw new DataError(`${FN}: no pictures given: pass files, blobs, image bitmaps or <img> elements.`);
  }
  const chunks: Uint8Array[] = [];
  const files: string[] = [];
  const skipped: { file: string; reason: string }[] = [];
  for (const [i, source] of list.entries()) {
    const name = typeof File !== 'undefined' && source instanceof File ? source.name : `#${i}`;
    let picture: RgbaPicture;
    try {
      picture = await decode(source);
    } catch (err) {
      const reason = (err as Error).message || 'cannot be decoded';
      if (onBadFile === 'throw') throw new BadImageError(FN, name, reason, { cause: err });
      skipped.push({ file: name, reason });
      continue;
    }
    chunks.push(fitPicture(picture, shape));
    files.push(name);
  }
  if (files.length === 0) {
    throw new DataError(
      `${FN}: none of the ${list.length} pictures could be decoded (${skipped[0]?.file}: ${skipped[0]?.reason}).`,
    );
  }
  const bytes = new Uint8Array(chunks.reduce((a, c) => a + c.length, 0));
  chunks.forEach((c, i) => {
    bytes.set(c, i * c.length);
  });
  return { images: bytesToImageTensor(bytes, files.length, shape), files, skipped };
}

/** Decodes one source to RGBA pixels at its natural size. */
async function decode(source: ImageSource): Promise<RgbaPicture> {
  let bitmap: ImageBitmap;
  let owned = false;
  if (typeof ImageBitmap !== 'undefined' && source instanceof ImageBitmap) {
    bitmap = source;
  } else if (typeof Blob !== 'undefined' && source instanceof Blob) {
    if (source.size === 0) throw new Error('empty file');
    try {
      bitmap = await createImageBitmap(source);
    } catch {
      throw new Error(`not a picture this browser can decode (type "${source.type || 'unknown'}")`);
    }
    owned = true;
  } else if (typeof HTMLImageElement !== 'undefined' && source instanceof HTMLImageElement) {
    try {
      await source.decode();
      bitmap = await createImageBitmap(source);
    } catch {
      throw new Error(`the <img> ${source.src.slice(0, 80)} cannot be decoded`);
    }
    owned = true;
  } else {
    throw new Error(
      `not a File, Blob, ImageBitmap or HTMLImageElement (got ${Object.prototype.toString.call(source)})`,
    );
  }
  try {
    const { width, height } = bitmap;
    if (width < 1 || height < 1) throw new Error('a picture without pixels');
    const context = canvas2d(width, height);
    context.drawImage(bitmap, 0, 0);
    return { width, height, data: context.getImageData(0, 0, width, height).data };
  } finally {
    if (owned) bitmap.close();
  }
}

/** A 2D context to read pixels from. */
function canvas2d(width: number, height: number): OffscreenCanvasRenderingContext2D | CanvasRenderingContext2D {
  const canvas =
    typeof OffscreenCanvas !== 'undefined'
      ? new OffscreenCanvas(width, height)
      : Object.assign(document.createElement('canvas'), { width, height });
  const context = canvas.getContext('2d', { willReadFrequently: true }) as
    | OffscreenCanvasRenderingContext2D
    | CanvasRenderingContext2D
    | null;
  if (!context) throw new Error('no 2D canvas to read pixels with');
  return context;
}
