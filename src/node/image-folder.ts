/**
 * A folder of PNG and JPEG pictures as training images: found recursively, decoded with pngjs and
 * jpeg-js (pure JavaScript, so nothing native is downloaded at install), fitted to one size by the
 * rules of ../data/image-fit.ts, labelled by their subfolder for the conditional GANs, and cached.
 *
 * @packageDocumentation
 */
import { readFile, stat } from 'node:fs/promises';
import { join, sep } from 'node:path';
import type * as tf from '@tensorflow/tfjs-core';
import {
  bytesToImageTensor,
  checkImageShape,
  fitPicture,
  type ImageShape,
  type ImageShapeOptions,
  type RgbaPicture,
} from '../data/image-fit.js';
import { BadImageError, DataError } from '../errors.js';
import { cacheFile, cacheKey, readCache, writeCache } from './image-cache.js';
import { checkFolderOptions, classOf, decodePicture, type FolderLabels, planFolder } from './image-files.js';

/**
 * Options of {@link loadImageFolder}.
 * @category Data
 */
export interface LoadImageFolderOptions extends ImageShapeOptions {
  /**
   * Where the class labels come from: `'folders'`, the first subfolder under the folder (images
   * directly in it are skipped); `'none'`, no labels; `'auto'` (default), `'folders'` when every
   * image lies in a subfolder, else `'none'`.
   */
  labels?: FolderLabels;
  /** Keep the first `limit` usable images (in sorted path order). Default: all. */
  limit?: number;
  /** A bad file is skipped and listed in `skipped` (`'skip'`, default) or throws a {@link index!BadImageError | BadImageError} (`'throw'`). */
  onBadFile?: 'skip' | 'throw';
  /** A folder for the decoded images; a second load with the same files and options reads them from it. Default: no cache. */
  cacheDir?: string;
}

/**
 * Images loaded from files, with their labels.
 * @category Data
 */
export interface ImageDataset {
  /** `[n, height, width, channels]` in [-1, 1]; the caller owns the tensor and disposes it. */
  images: tf.Tensor4D;
  /** The class of each image, an index into `classNames`; undefined without labels. */
  labels?: Int32Array;
  /** The class names in label order (the subfolders, sorted); empty without labels. */
  classNames: string[];
  /** The files of the images, in order, relative to the folder. */
  files: string[];
  /** The files that could not be used, and why. */
  skipped: { file: string; reason: string }[];
  /** `'hit'`: read from the cache; `'written'`: decoded and cached; `'off'`: no cacheDir; `'unwritable'`: decoded, the cache could not be written. */
  cache: 'hit' | 'written' | 'off' | 'unwritable';
}

const FN = 'loadImageFolder';

/**
 * Loads every PNG and JPEG under `dir` (recursively; hidden files and folders are left out) as one
 * tensor of a chosen size, with subfolder names as class labels.
 *
 * @param dir - the folder.
 * @param options - `size` (required), `channels`, `fit`, `labels`, `limit`, `onBadFile`, `cacheDir`.
 * @returns the images, labels, class names, files and skipped files.
 * @throws {@link index!DataError | DataError} when the folder cannot be read or holds no usable image, or
 *   for bad options; {@link index!BadImageError | BadImageError} for a bad file with `onBadFile: 'throw'`.
 * @example
 * ```ts
 * import { loadImageFolder } from 'ts-gan/node';
 * const { images, labels, classNames, skipped } = await loadImageFolder('photos', { size: 32, channels: 3 });
 * ```
 * @category Data
 */
export async function loadImageFolder(dir: string, options: LoadImageFolderOptions): Promise<ImageDataset> {
  const shape = checkImageShape(FN, options);
  const { limit, onBadFile = 'skip', labels: labelMode = 'auto' } = options;
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 1)) {
    throw new DataError(`${FN}: limit must be a positive integer, got ${String(limit)}.`);
  }
  checkFolderOptions(FN, options);
  const { root, paths, byFolder } = await planFolder(FN, dir, labelMode);
  const listing = await Promise.all(paths.map(async (p) => fileStamp(root, p)));
  const key = cacheKey(root, listing, { shape, limit, onBadFile, byFolder });
  const file = options.cacheDir === undefined ? undefined : cacheFile(options.cacheDir, key);
  if (file !== undefined) {
    const hit = await readCache(file, key);
    if (hit) {
      const { header, bytes } = hit;
      return {
        images: bytesToImageTensor(bytes, header.shape[0], shape),
        ...(header.labels ? { labels: Int32Array.from(header.labels) } : {}),
        classNames: header.classNames,
        files: header.files,
        skipped: header.skipped,
        cache: 'hit',
      };
    }
  }

  const decoded = await decodeAll(root, paths, shape, { byFolder, limit, onBadFile });
  const classNames = byFolder ? [...new Set(decoded.files.map(classOf))].sort() : [];
  const labels = byFolder ? Int32Array.from(decoded.files, (f) => classNames.indexOf(classOf(f))) : undefined;
  const n = decoded.files.length;
  let cache: ImageDataset['cache'] = 'off';
  if (file !== undefined && options.cacheDir !== undefined) {
    const header = {
      key,
      shape: [n, shape.height, shape.width, shape.channels] as [number, number, number, number],
      classNames,
      labels: labels ? [...labels] : null,
      files: decoded.files,
      skipped: decoded.skipped,
    };
    cache = await writeCache(file, options.cacheDir, header, decoded.bytes).then(
      () => 'written' as const,
      () => 'unwritable' as const,
    );
  }
  return {
    images: bytesToImageTensor(decoded.bytes, n, shape),
    ...(labels ? { labels } : {}),
    classNames,
    files: decoded.files,
    skipped: decoded.skipped,
    cache,
  };
}

/** Decodes and fits the files in order, skipping (or throwing for) the bad ones, until `limit`. */
async function decodeAll(
  root: string,
  paths: readonly string[],
  shape: ImageShape,
  o: { byFolder: boolean; limit: number | undefined; onBadFile: 'skip' | 'throw' },
): Promise<{ bytes: Uint8Array; files: string[]; skipped: { file: string; reason: string }[] }> {
  const chunks: Uint8Array[] = [];
  const files: string[] = [];
  const skipped: { file: string; reason: string }[] = [];
  const bad = (file: string, reason: string, cause?: unknown): void => {
    if (o.onBadFile === 'throw') throw new BadImageError(FN, join(root, file), reason, { cause });
    skipped.push({ file, reason });
  };
  for (const file of paths) {
    if (o.limit !== undefined && files.length >= o.limit) break;
    if (o.byFolder && !file.includes(sep)) {
      bad(file, 'not in a class subfolder (with labels from folders, every image lies in one)');
      continue;
    }
    let picture: RgbaPicture;
    try {
      picture = decodePicture(await readFile(join(root, file)));
    } catch (err) {
      bad(file, (err as Error).message, err);
      continue;
    }
    chunks.push(fitPicture(picture, shape));
    files.push(file);
  }
  if (files.length === 0) {
    const why = skipped
      .slice(0, 3)
      .map((s) => `${s.file}: ${s.reason}`)
      .join('; ');
    throw new DataError(
      `${FN}: no usable image in ${root}: all ${skipped.length} image files were skipped (${why}${skipped.length > 3 ? '; ...' : ''}).`,
    );
  }
  const bytes = new Uint8Array(chunks.reduce((a, c) => a + c.length, 0));
  let offset = 0;
  for (const c of chunks) {
    bytes.set(c, offset);
    offset += c.length;
  }
  return { bytes, files, skipped };
}

/** A file's path, size and modification time: what the cache key follows. */
async function fileStamp(root: string, file: string): Promise<readonly [string, number, number]> {
  try {
    const s = await stat(join(root, file));
    return [file, s.size, s.mtimeMs];
  } catch {
    return [file, -1, -1];
  }
}
