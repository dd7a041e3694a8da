/**
 * Training data with labels, for conditional GANs: `{ x, labels }` in memory (batches gathered by
 * the same seeded indices), or an (async) iterable of `{ x, labels }` batches. Plain data (a
 * tensor, or batches of tensors) goes through the unlabelled source unchanged.
 *
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { type BatchSource, createBatchSource, type TrainingData } from '../data/batches.js';
import { DataError } from '../errors.js';
import type { GAN } from '../gan.js';
import type { SeededRandom } from '../random.js';
import { assertBatchShape } from '../util/shapes.js';
import { show } from '../util/validate.js';
import type { Conditioning } from './conditioning.js';

/**
 * Samples with their class labels.
 * @category Data
 */
export interface LabelledData {
  /** Samples `[N, ...dataShape]`. Not disposed by the trainer. */
  x: tf.Tensor;
  /** Class indices `[N]` in [0, numClasses): a tensor (not disposed by the trainer) or an array. */
  labels: tf.Tensor1D | readonly number[] | Int32Array;
}

/**
 * One batch with its labels; an iterable's batches are disposed by the trainer once used.
 * @category Data
 */
export interface LabelledBatch {
  /** Samples `[b, ...dataShape]`. */
  x: tf.Tensor;
  /** Class indices `[b]`. */
  labels: tf.Tensor1D;
}

/**
 * Labelled training data for {@link Trainer.fit}.
 * @category Data
 */
export type LabelledTrainingData = LabelledData | Iterable<LabelledBatch> | AsyncIterable<LabelledBatch>;

/** A batch the training step consumes; the caller owns (and disposes) both tensors. */
export interface StepBatch {
  x: tf.Tensor;
  labels: tf.Tensor1D | undefined;
}

/** Batches with optional labels. */
export interface StepBatchSource {
  next(): Promise<StepBatch | null>;
  close(): Promise<void>;
}

/**
 * Wraps any training data as a source of {@link StepBatch}es. GANs that do not use labels (unconditional
 * ones, InfoGAN) ignore them; GANs conditioned on labels refuse data without them.
 * @throws {@link DataError} or {@link ShapeError} before any step, for data that does not fit.
 */
export function createStepSource(
  data: TrainingData | LabelledTrainingData,
  gan: GAN,
  batchSize: number,
  rng: SeededRandom,
): StepBatchSource {
  const cond = gan.conditioning;
  const useLabels = cond?.needsLabels === true;
  if (isLabelledData(data)) {
    return labelledTensorSource(data, gan, cond, useLabels, batchSize, rng);
  }
  const d = data as Partial<AsyncIterable<unknown> & Iterable<unknown>> | null;
  const isIterable = d !== null && typeof d === 'object' && !(d instanceof tf.Tensor);
  if (isIterable && (typeof d[Symbol.asyncIterator] === 'function' || typeof d[Symbol.iterator] === 'function')) {
    const iterator =
      typeof d[Symbol.asyncIterator] === 'function'
        ? (d[Symbol.asyncIterator] as () => AsyncIterator<unknown>).call(d)
        : (d[Symbol.iterator] as () => Iterator<unknown>).call(d);
    return iteratorSource(iterator, gan, cond, useLabels);
  }
  if (useLabels) throw needsLabels();
  return plain(createBatchSource(data as TrainingData, gan.dataShape, batchSize, rng));
}

/** Whether `data` is `{ x, labels }` in memory (not an iterable of batches). */
export function isLabelledData(data: unknown): data is LabelledData {
  return data !== null && typeof data === 'object' && !(data instanceof tf.Tensor) && 'x' in data && 'labels' in data;
}

function needsLabels(): DataError {
  return new DataError(
    'Trainer.fit: this GAN is conditioned on labels (numClasses); give { x, labels } or batches of { x, labels }.',
  );
}

function plain(source: BatchSource): StepBatchSource {
  return {
    async next() {
      const x = await source.next();
      return x === null ? null : { x, labels: undefined };
    },
    close: () => source.close(),
  };
}

function labelledTensorSource(
  data: LabelledData,
  gan: GAN,
  cond: Conditioning | undefined,
  useLabels: boolean,
  batchSize: number,
  rng: SeededRandom,
): StepBatchSource {
  assertBatchShape('Trainer.fit', 'data.x', data.x, gan.dataShape);
  if (data.x.isDisposed) throw new DataError('Trainer.fit: data.x has been disposed.');
  const n = data.x.shape[0] as number;
  if (!useLabels) return plain(createBatchSource(data.x, gan.dataShape, batchSize, rng));
  const given =
    data.labels instanceof tf.Tensor ? data.labels : tf.tensor1d(Array.from(data.labels as ArrayLike<number>));
  let labels: tf.Tensor1D;
  try {
    labels = tf.cast((cond as Conditioning).checkLabels('Trainer.fit', given, n), 'int32') as tf.Tensor1D;
  } finally {
    if (given !== data.labels) given.dispose();
  }
  return {
    async next() {
      // One draw of indices, as for unlabelled data, shared by the samples and their labels.
      return tf.tidy(() => {
        const idx = tf.tensor1d(rng.integers(batchSize, n), 'int32');
        return { x: tf.gather(data.x, idx), labels: tf.gather(labels, idx) as tf.Tensor1D };
      });
    },
    async close() {
      labels.dispose();
    },
  };
}

function iteratorSource(
  iterator: Iterator<unknown> | AsyncIterator<unknown>,
  gan: GAN,
  cond: Conditioning | undefined,
  useLabels: boolean,
): StepBatchSource {
  let done = false;
  return {
    async next() {
      if (done) return null;
      const result = await iterator.next();
      if (result.done) {
        done = true;
        return null;
      }
      const item = result.value as unknown;
      const x = item instanceof tf.Tensor ? item : (item as Partial<LabelledBatch> | null)?.x;
      const labels = item instanceof tf.Tensor ? undefined : (item as Partial<LabelledBatch> | null)?.labels;
      try {
        if (!(x instanceof tf.Tensor)) {
          throw new DataError(`Trainer.fit: each batch must be a tensor or { x, labels }, got ${show(item)}.`);
        }
        assertBatchShape('Trainer.fit', 'each batch', x, gan.dataShape);
        if (!useLabels) {
          if (labels instanceof tf.Tensor) labels.dispose();
          return { x, labels: undefined };
        }
        if (labels === undefined) throw needsLabels();
        const checked = (cond as Conditioning).checkLabels('Trainer.fit', labels, x.shape[0] as number);
        if (checked.dtype === 'int32') return { x, labels: checked };
        const cast = tf.cast(checked, 'int32') as tf.Tensor1D;
        checked.dispose();
        return { x, labels: cast };
      } catch (err) {
        if (x instanceof tf.Tensor) x.dispose();
        if (labels instanceof tf.Tensor) labels.dispose();
        throw err;
      }
    },
    async close() {
      if (!done) {
        done = true;
        await iterator.return?.();
      }
    },
  };
}
