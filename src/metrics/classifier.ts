/**
 * Metrics on a classifier's class probabilities p(y|x): the classifier score (Inception Score),
 * the class histogram and its KL divergence from uniform, and the share of confident samples.
 *
 * @packageDocumentation
 */
import { ConfigError, ShapeError } from '../errors.js';
import { knownKeys, numberInRange, positiveInteger } from '../util/validate.js';
import { type MatrixLike, type SampleMatrix, toSampleMatrix } from './matrix.js';

/** Probabilities below this count as zero in p log p (0 log 0 = 0). */
const TINY = 1e-12;

/**
 * Options of {@link classifierScore}.
 * @category Metrics
 */
export interface ClassifierScoreOptions {
  /** Split the samples into this many equal parts and average their scores, as the Inception Score papers do. Default 1. */
  splits?: number;
}

/**
 * The classifier score (the Inception Score of Salimans et al., 2016, with any classifier):
 *
 *   exp( mean_x KL( p(y|x) || p(y) ) ),  p(y) = mean_x p(y|x)
 *
 * It is high when each sample is classified confidently and the classes are used evenly: between 1
 * and the number of classes (10 for MNIST).
 *
 * @param probabilities - rows of class probabilities `[n, classes]`, each summing to 1.
 * @param options - `splits` (default 1).
 * @returns the score (the mean over splits).
 * @throws {@link index!ShapeError | ShapeError} when a split would be empty; {@link index!ConfigError | ConfigError} for a bad option.
 * @example
 * ```ts
 * const is = classifierScore(judgeOutputs.probabilities); // 1 .. 10 for MNIST
 * ```
 * @category Metrics
 */
export function classifierScore(probabilities: MatrixLike, options: ClassifierScoreOptions = {}): number {
  knownKeys('classifierScore', options, ['splits']);
  const p = toSampleMatrix(probabilities, 'classifierScore');
  const splits = positiveInteger('classifierScore', 'splits', options.splits ?? 1);
  if (p.rows < splits) throw new ShapeError(`classifierScore: ${p.rows} samples cannot fill ${splits} splits.`);
  let total = 0;
  for (let s = 0; s < splits; s++) {
    const start = Math.floor((s * p.rows) / splits);
    const end = Math.floor(((s + 1) * p.rows) / splits);
    total += Math.exp(meanKlFromMarginal(p, start, end));
  }
  return total / splits;
}

function meanKlFromMarginal(p: SampleMatrix, start: number, end: number): number {
  const k = p.cols;
  const marginal = new Float64Array(k);
  for (let i = start; i < end; i++)
    for (let c = 0; c < k; c++) marginal[c] = (marginal[c] as number) + (p.data[i * k + c] as number);
  const n = end - start;
  for (let c = 0; c < k; c++) marginal[c] = (marginal[c] as number) / n;
  let kl = 0;
  for (let i = start; i < end; i++) {
    for (let c = 0; c < k; c++) {
      const q = p.data[i * k + c] as number;
      if (q > TINY) kl += q * (Math.log(q) - Math.log(marginal[c] as number));
    }
  }
  return kl / n;
}

/**
 * The share of samples the classifier assigns to each class (by the most probable class).
 *
 * @param probabilities - rows of class probabilities (or logits: only the arg max is used).
 * @returns fractions per class, summing to 1.
 * @category Metrics
 */
export function classHistogram(probabilities: MatrixLike): Float64Array {
  const p = toSampleMatrix(probabilities, 'classHistogram');
  const hist = new Float64Array(p.cols);
  if (p.rows === 0) return hist;
  for (let i = 0; i < p.rows; i++) {
    let best = 0;
    for (let c = 1; c < p.cols; c++)
      if ((p.data[i * p.cols + c] as number) > (p.data[i * p.cols + best] as number)) best = c;
    hist[best] = (hist[best] as number) + 1;
  }
  for (let c = 0; c < p.cols; c++) hist[c] = (hist[c] as number) / p.rows;
  return hist;
}

/**
 * KL divergence of a histogram from the uniform distribution, in nats: sum_c h_c log(h_c K).
 * 0 when every class is equally frequent; log K (2.303 for 10 classes) when one class takes all.
 *
 * @param histogram - non-negative fractions summing to 1 (see {@link classHistogram}).
 * @returns the divergence >= 0.
 * @throws {@link index!ConfigError | ConfigError} for negative entries or a sum far from 1.
 * @category Metrics
 */
export function klFromUniform(histogram: ArrayLike<number>): number {
  const k = histogram.length;
  let sum = 0;
  let kl = 0;
  for (let c = 0; c < k; c++) {
    const h = histogram[c] as number;
    if (!(h >= 0)) throw new ConfigError(`klFromUniform: histogram entries must be >= 0, got ${h} at ${c}.`);
    sum += h;
    if (h > TINY) kl += h * Math.log(h * k);
  }
  if (Math.abs(sum - 1) > 1e-6) throw new ConfigError(`klFromUniform: histogram must sum to 1, got ${sum}.`);
  return Math.max(0, kl);
}

/**
 * The share of samples whose most probable class has probability at least `threshold`.
 *
 * @param probabilities - rows of class probabilities.
 * @param threshold - in (0, 1]; default 0.9.
 * @returns a fraction in [0, 1].
 * @category Metrics
 */
export function confidentShare(probabilities: MatrixLike, threshold = 0.9): number {
  numberInRange('confidentShare', 'threshold', threshold, 0, 1, true);
  const p = toSampleMatrix(probabilities, 'confidentShare');
  if (p.rows === 0) return 0;
  let count = 0;
  for (let i = 0; i < p.rows; i++) {
    let best = 0;
    for (let c = 0; c < p.cols; c++) best = Math.max(best, p.data[i * p.cols + c] as number);
    if (best >= threshold) count++;
  }
  return count / p.rows;
}
