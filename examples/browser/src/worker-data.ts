/**
 * What the training worker trains on: the MNIST digits and their labels (served by the demo), or
 * the person's own pictures, which the page decoded and sent as a Float32Array.
 */
import * as tf from '@tensorflow/tfjs-core';
import { idxImagesToTensor } from 'ts-gan';
import type { DataKind, OwnData } from './protocol';
import { fetchIdx } from './worker-env';

/** Served next to the page by the demo itself (see vite.config.ts). */
const MNIST_URL = new URL(/* @vite-ignore */ '../mnist/train-images-10k-idx3-ubyte.gz', import.meta.url).href;
const MNIST_LABELS_URL = new URL(/* @vite-ignore */ '../mnist/train-labels-10k-idx1-ubyte.gz', import.meta.url).href;

/** The training data of a run; the worker owns `images` for its lifetime. */
export interface TrainingData {
  kind: DataKind;
  /** `[n, height, width, channels]` in [-1, 1]. */
  images: tf.Tensor4D;
  /** The digit of each image (the digits only: own pictures have no labels). */
  labels?: Int32Array;
  /** Whether the run uses DiffAugment (own pictures, when the page says so). */
  augment: boolean;
}

/** The person's pictures when given (`own`), else the first 10,000 MNIST digits and their labels. */
export async function loadTrainingData(own: OwnData | undefined): Promise<TrainingData> {
  if (own) {
    const [n, height, width, channels] = own.shape;
    if (n < 1 || own.pixels.length !== n * height * width * channels) {
      throw new Error(`the page sent ${own.pixels.length} values for pictures of shape ${own.shape.join('x')}`);
    }
    return { kind: 'own', images: tf.tensor4d(own.pixels, own.shape), augment: own.augment };
  }
  const [idx, labelIdx] = await Promise.all([
    fetchIdx(MNIST_URL, 'the MNIST digits'),
    fetchIdx(MNIST_LABELS_URL, 'the MNIST labels'),
  ]);
  if (labelIdx.shape[0] !== idx.shape[0]) {
    throw new Error(`the MNIST subset has ${idx.shape[0]} digits but ${labelIdx.shape[0]} labels`);
  }
  return { kind: 'mnist', images: idxImagesToTensor(idx), labels: Int32Array.from(labelIdx.data), augment: false };
}
