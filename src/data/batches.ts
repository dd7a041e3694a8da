/**
 * Real batches from an in-memory tensor: gathered on the device by seeded random indices, as the
 * Keras MLP GAN's `np.random.randint` does. (Iterables of batches, labelled or not, are read by
 * `conditional/labelled-data.ts`, which calls this for tensors.)
 *
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { DataError } from '../errors.js';
import type { SeededRandom } from '../random.js';
import { assertBatchShape } from '../util/shapes.js';

/**
 * Training data for {@link Trainer.fit}: a tensor `[N, ...dataShape]` (not disposed by the
 * trainer), or an iterable or async iterable of batch tensors `[b, ...dataShape]` (each disposed by
 * the trainer once used).
 * @category Data
 */
export type TrainingData = tf.Tensor | Iterable<tf.Tensor> | AsyncIterable<tf.Tensor>;

/** A stream of real batches. Batches it returns are owned by the caller. */
export interface BatchSource {
  /** @returns the next batch, or null when the data is exhausted. */
  next(): Promise<tf.Tensor | null>;
  /** Releases what the source holds (never the user's dataset tensor). */
  close(): Promise<void>;
}

/**
 * Checks a dataset tensor and wraps it as a {@link BatchSource}.
 * @throws {@link ShapeError} when the tensor does not match `dataShape`; {@link DataError} when
 *   `data` is disposed or not a tensor at all.
 */
export function createBatchSource(
  data: TrainingData,
  dataShape: readonly number[],
  batchSize: number,
  rng: SeededRandom,
): BatchSource {
  if (data instanceof tf.Tensor) {
    assertBatchShape('Trainer.fit', 'data', data, dataShape);
    if (data.isDisposed) throw new DataError('Trainer.fit: the data tensor has been disposed.');
    return tensorSource(data, batchSize, rng);
  }
  throw new DataError(
    'Trainer.fit: data must be a tensor [N, ...dataShape] or an (async) iterable of batch tensors, ' +
      `got ${data === null ? 'null' : typeof data}.`,
  );
}

function tensorSource(data: tf.Tensor, batchSize: number, rng: SeededRandom): BatchSource {
  const n = data.shape[0] as number;
  return {
    async next() {
      return tf.tidy(() => tf.gather(data, tf.tensor1d(rng.integers(batchSize, n), 'int32')));
    },
    async close() {},
  };
}
