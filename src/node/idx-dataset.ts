/**
 * Any set of IDX files (MNIST, Fashion-MNIST, KMNIST, EMNIST, ...) as training images with their
 * labels: the images file, plain or gzipped, and optionally its labels file.
 *
 * @packageDocumentation
 */
import type * as tf from '@tensorflow/tfjs-core';
import { idxImagesToTensor } from '../data/idx.js';
import { DataError } from '../errors.js';
import { readIdxFile } from './mnist.js';

/**
 * Options of {@link loadIdx}.
 * @category Data
 */
export interface LoadIdxOptions {
  /** Keep the first `limit` images. Default: all. */
  limit?: number;
}

/**
 * Images from an IDX file, with their labels.
 * @category Data
 */
export interface IdxDataset {
  /** `[n, height, width, 1]` in [-1, 1]; the caller owns the tensor and disposes it. */
  images: tf.Tensor4D;
  /** The label of each image; undefined without a labels file. */
  labels?: Int32Array;
  /** `'0'`, `'1'`, ... up to the largest label in the file; empty without a labels file. */
  classNames: string[];
}

/**
 * Loads an IDX images file (uint8 `[n, height, width]`, plain or `.gz`) and, when given, its labels
 * file (uint8 `[n]`), scaled to [-1, 1] for a tanh generator.
 *
 * @param imagesFile - the images, for example `fashion/train-images-idx3-ubyte.gz`.
 * @param labelsFile - the labels, for example `fashion/train-labels-idx1-ubyte.gz`.
 * @param options - `limit`.
 * @returns the images and labels.
 * @throws {@link index!DataError | DataError} naming the file that cannot be read, is not IDX, holds no images, or
 *   whose labels do not match the images in count or type.
 * @example
 * ```ts
 * import { loadIdx } from 'ts-gan/node';
 * const { images, labels } = await loadIdx('train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz');
 * ```
 * @category Data
 */
export async function loadIdx(
  imagesFile: string,
  labelsFile?: string,
  options: LoadIdxOptions = {},
): Promise<IdxDataset> {
  const [images, labels] = await Promise.all([
    readIdxFile(imagesFile),
    labelsFile === undefined ? undefined : readIdxFile(labelsFile),
  ]);
  if (labels !== undefined) {
    if (labels.dtype !== 'uint8' || labels.shape.length !== 1) {
      throw new DataError(
        `loadIdx: ${labelsFile} must hold uint8 labels of shape [n] (an idx1 file), got ${labels.dtype} [${labels.shape.join(', ')}].`,
      );
    }
    if (labels.shape[0] !== images.shape[0]) {
      throw new DataError(
        `loadIdx: ${imagesFile} holds ${images.shape[0]} images but ${labelsFile} holds ${labels.shape[0]} labels.`,
      );
    }
  }
  const tensor = idxImagesToTensor(images, {
    source: imagesFile,
    ...(options.limit === undefined ? {} : { limit: options.limit }),
  });
  if (labels === undefined) return { images: tensor, classNames: [] };
  const kept = Int32Array.from((labels.data as Uint8Array).subarray(0, tensor.shape[0]));
  // Over every label, so that `limit` does not change the number of classes a conditional GAN gets.
  const largest = (labels.data as Uint8Array).reduce((a, b) => Math.max(a, b), 0);
  return { images: tensor, labels: kept, classNames: Array.from({ length: largest + 1 }, (_, i) => String(i)) };
}
