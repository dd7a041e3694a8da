/**
 * Cheap checks of training data that warn instead of refusing: values outside a tanh generator's
 * range, and a batch larger than the dataset.
 *
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import type { TrainingWarning, TrainingWarningCode } from '../callbacks/callback.js';

/** How far past [-1, 1] data may stray before the range warning: rounding, not a different scale. */
const RANGE_SLACK = 1e-3;

/** Remembers what a trainer has checked and warned about, so that each warning comes once. */
export class DataChecks {
  private readonly warned = new Set<TrainingWarningCode>();
  /** Dataset tensors already found in range: not scanned again by the next `fit`. */
  private readonly inRange = new WeakSet<tf.Tensor>();

  /**
   * Checks a dataset tensor (its min and max, one read-back) and its size against the batch size.
   * @param data - the dataset `[N, ...]`, or undefined for an iterable (checked batch by batch).
   * @returns the warnings not given before.
   */
  async dataset(data: tf.Tensor | undefined, batchSize: number, step: number): Promise<TrainingWarning[]> {
    if (data === undefined) return [];
    const warnings: TrainingWarning[] = [];
    const n = data.shape[0] as number;
    if (n < batchSize && !this.warned.has('WARN_GAN_BATCH_LARGER_THAN_DATA')) {
      this.warned.add('WARN_GAN_BATCH_LARGER_THAN_DATA');
      warnings.push({
        code: 'WARN_GAN_BATCH_LARGER_THAN_DATA',
        step,
        message:
          `Trainer.fit: batchSize ${batchSize} is larger than the dataset (${n} samples), so every batch repeats ` +
          `samples. Lower batchSize to at most ${n}, or give more data.`,
      });
    }
    if (!this.inRange.has(data)) {
      const range = await this.range(data, step, 'the data');
      if (range) warnings.push(range);
      else this.inRange.add(data);
    }
    return warnings;
  }

  /**
   * Checks an iterable's first batch of a `fit`.
   * @returns the warnings not given before.
   */
  async batch(batch: tf.Tensor, step: number): Promise<TrainingWarning[]> {
    const range = await this.range(batch, step, 'the first batch');
    return range ? [range] : [];
  }

  private async range(x: tf.Tensor, step: number, what: string): Promise<TrainingWarning | undefined> {
    if (this.warned.has('WARN_GAN_DATA_RANGE')) return undefined;
    const extremes = tf.tidy(() => tf.stack([tf.min(x), tf.max(x)]));
    const [min, max] = (await extremes.data()) as Float32Array;
    extremes.dispose();
    // NaN fails both comparisons, so test for the good range.
    if ((min as number) >= -1 - RANGE_SLACK && (max as number) <= 1 + RANGE_SLACK) return undefined;
    this.warned.add('WARN_GAN_DATA_RANGE');
    const show = (v: number) => String(Number(v.toPrecision(4)));
    return {
      code: 'WARN_GAN_DATA_RANGE',
      step,
      message:
        `Trainer.fit: ${what} lies in [${show(min as number)}, ${show(max as number)}], outside [-1, 1], the range of a ` +
        'tanh generator, which then cannot match it. Scale it into [-1, 1] (8-bit pixels: x / 127.5 - 1), ' +
        "or ignore this if the generator's output is not bounded.",
    };
  }
}
