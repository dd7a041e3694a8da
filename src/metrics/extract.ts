/**
 * Runs a feature extractor over many images in batches and collects its outputs on the host, so
 * that 10,000 samples never sit on the device at once.
 *
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { ConfigError, ShapeError } from '../errors.js';
import { knownKeys, nonNegativeInteger, positiveInteger } from '../util/validate.js';
import type { SampleMatrix } from './matrix.js';

/**
 * Images produced batch by batch: by a generator, or read from storage.
 * @category Metrics
 */
export interface ImageSource {
  /** Total number of images. */
  readonly count: number;
  /**
   * Returns images `start .. start + size - 1` as one tensor `[size, ...]`. The caller (the metric)
   * disposes it.
   */
  batch(start: number, size: number): tf.Tensor;
}

/**
 * A feature extractor: a tfjs-layers model (its `output` index selects among several outputs), or a
 * function from a batch of images to a `[batch, dim]` tensor. Functions run inside `tf.tidy`.
 * @category Metrics
 */
export type FeatureExtractor = LayersModel | ((images: tf.Tensor) => tf.Tensor);

/**
 * Options of {@link extractFeatures}.
 * @category Metrics
 */
export interface ExtractOptions {
  /** Images per forward pass. Default 250. */
  batchSize?: number;
  /** For a model with several outputs, which one holds the features. Default 0. */
  output?: number;
}

const DEFAULT_BATCH = 250;

/**
 * Wraps a tensor of images (kept by its owner) as an {@link ImageSource}.
 * @param images - `[n, ...]`.
 * @category Metrics
 */
export function tensorSource(images: tf.Tensor): ImageSource {
  if (images.rank < 1) throw new ShapeError('tensorSource: images must have a batch dimension, got a scalar.');
  return {
    count: images.shape[0] as number,
    batch: (start, size) => tf.slice(images, start, size),
  };
}

/**
 * Runs `fn` over every batch of `source` and concatenates each of its outputs on the host.
 * Internal building block of the metrics: every tensor it creates is released.
 *
 * @returns one matrix per output of `fn`.
 */
export async function collectOutputs(
  source: ImageSource,
  batchSize: number,
  fn: (images: tf.Tensor) => tf.Tensor[],
  where: string,
): Promise<SampleMatrix[]> {
  const n = source.count;
  const chunks: (Float32Array | undefined)[][] = [];
  const cols: number[] = [];
  for (let start = 0; start < n; start += batchSize) {
    const size = Math.min(batchSize, n - start);
    const outputs = tf.tidy(() => {
      const images = source.batch(start, size);
      if (images.shape[0] !== size) {
        throw new ShapeError(`${where}: the image source gave ${images.shape[0]} images for a batch of ${size}.`);
      }
      return fn(images);
    });
    try {
      const data = await Promise.all(outputs.map((t) => t.data() as Promise<Float32Array>));
      outputs.forEach((t, k) => {
        if (t.rank !== 2 || t.shape[0] !== size) {
          throw new ShapeError(
            `${where}: output ${k} must be [batch, dim] = [${size}, dim], got [${t.shape.join(', ')}].`,
          );
        }
        cols[k] = t.shape[1] as number;
        const list = chunks[k] ?? [];
        list.push(data[k]);
        chunks[k] = list;
      });
    } finally {
      tf.dispose(outputs);
    }
  }
  return cols.map((c, k) => {
    const out = new Float32Array(n * c);
    let offset = 0;
    for (const chunk of chunks[k] ?? []) {
      if (chunk) out.set(chunk, offset);
      offset += chunk?.length ?? 0;
    }
    return { data: out, rows: n, cols: c };
  });
}

/**
 * Features of many images, computed in batches, on the host.
 *
 * @param extractor - a LayersModel (outputs `[batch, dim]`) or a function.
 * @param images - a tensor `[n, ...]` (not disposed) or an {@link ImageSource}.
 * @param options - batch size, output index.
 * @returns the features, `n x dim`.
 * @throws {@link index!ShapeError | ShapeError} when the extractor's output is not `[batch, dim]`.
 * @throws {@link index!ConfigError | ConfigError} for a bad option.
 * @example
 * ```ts
 * const features = await extractFeatures(myEncoder, realImages, { batchSize: 500 });
 * const stats = featureStatistics(features);
 * ```
 * @category Metrics
 */
export async function extractFeatures(
  extractor: FeatureExtractor,
  images: tf.Tensor | ImageSource,
  options: ExtractOptions = {},
): Promise<SampleMatrix> {
  knownKeys('extractFeatures', options, ['batchSize', 'output']);
  const batchSize = positiveInteger('extractFeatures', 'batchSize', options.batchSize ?? DEFAULT_BATCH);
  const output = nonNegativeInteger('extractFeatures', 'output', options.output ?? 0);
  const source = images instanceof tf.Tensor ? tensorSource(images) : images;
  const run = (x: tf.Tensor): tf.Tensor[] => {
    if (typeof extractor === 'function') return [extractor(x)];
    const out = extractor.predict(x);
    const list = Array.isArray(out) ? out : [out];
    const picked = list[output];
    if (!picked)
      throw new ConfigError(
        `extractFeatures: the model has ${list.length} output(s), output ${output} does not exist.`,
      );
    return [picked];
  };
  const [features] = await collectOutputs(source, batchSize, run, 'extractFeatures');
  return features ?? { data: new Float32Array(0), rows: 0, cols: 0 };
}
