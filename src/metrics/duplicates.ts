/**
 * Near-duplicate detection: the share of samples that have an almost identical neighbour, a direct
 * symptom of mode collapse that the class histogram misses when a GAN collapses onto a few images
 * of every class.
 *
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { knownKeys, numberInRange, positiveInteger } from '../util/validate.js';
import { type MatrixLike, toSampleMatrix } from './matrix.js';

/**
 * Options of {@link duplicateShare}.
 * @category Metrics
 */
export interface DuplicateOptions {
  /** Cosine similarity of feature vectors at or above which two samples count as near-duplicates. Default 0.999. */
  threshold?: number;
  /** Look at the first `maxSamples` samples only (the cost grows with its square). Default 2000. */
  maxSamples?: number;
}

/**
 * Default similarity threshold: 0.1% of the real MNIST test digits have a neighbour this close in
 * the judge's feature space (20% at 0.99: many real 1s look alike). See docs/evaluation.md.
 */
export const DEFAULT_DUPLICATE_THRESHOLD = 0.999;
const DEFAULT_MAX_SAMPLES = 2000;
/** Feature vectors shorter than this are treated as all-zero (and as duplicates of each other). */
const EPS = 1e-12;

/**
 * The share of samples whose nearest other sample, by cosine similarity of their feature vectors,
 * is at least `threshold`. All-zero feature vectors count as identical to each other.
 *
 * @param features - `[n, dim]` features (for example the MNIST judge's).
 * @param options - threshold, maxSamples.
 * @returns a fraction in [0, 1] (0 for fewer than two samples).
 * @category Metrics
 */
export function duplicateShare(features: MatrixLike, options: DuplicateOptions = {}): number {
  knownKeys('duplicateShare', options, ['threshold', 'maxSamples']);
  const threshold = numberInRange(
    'duplicateShare',
    'threshold',
    options.threshold ?? DEFAULT_DUPLICATE_THRESHOLD,
    -1,
    1,
    true,
  );
  const maxSamples = positiveInteger('duplicateShare', 'maxSamples', options.maxSamples ?? DEFAULT_MAX_SAMPLES);
  const f = toSampleMatrix(features, 'duplicateShare');
  const n = Math.min(f.rows, maxSamples);
  if (n < 2) return 0;
  const best = tf.tidy(() => {
    const x = tf.tensor2d(Float32Array.from(f.data.subarray(0, n * f.cols)), [n, f.cols]);
    const norms = tf.sqrt(tf.sum(tf.square(x), 1, true));
    const zero = tf.less(norms, EPS);
    const unit = tf.div(x, tf.maximum(norms, EPS));
    let sim = tf.matMul(unit, unit, false, true);
    // Two all-zero vectors are the same image as far as the features can tell.
    const bothZero = tf.logicalAnd(zero, tf.transpose(zero));
    sim = tf.where(bothZero, tf.onesLike(sim), sim);
    // Exclude each sample's similarity to itself.
    const self = tf.cast(tf.eye(n), 'bool');
    sim = tf.where(self, tf.fill([n, n], -2), sim);
    return tf.max(sim, 1);
  });
  const values = best.dataSync();
  best.dispose();
  let count = 0;
  for (let i = 0; i < n; i++) if ((values[i] as number) >= threshold) count++;
  return count / n;
}
