/**
 * Host-side matrices of per-sample values (features, class probabilities) and their Gaussian
 * statistics. Metrics read these, not tensors, so that the numbers are computed once, in float64.
 *
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { ShapeError } from '../errors.js';

/**
 * A row-major matrix of `rows` samples by `cols` values, on the host.
 * @category Metrics
 */
export interface SampleMatrix {
  /** `rows * cols` values, row-major. */
  readonly data: Float32Array | Float64Array;
  /** Number of samples. */
  readonly rows: number;
  /** Values per sample (feature dimension, or number of classes). */
  readonly cols: number;
}

/**
 * Anything the metrics accept as a matrix of samples: a {@link SampleMatrix}, a 2-D tensor (read
 * back, not disposed) or an array of equal-length rows.
 * @category Metrics
 */
export type MatrixLike = SampleMatrix | tf.Tensor | readonly (readonly number[])[];

/**
 * Mean and covariance of a set of feature vectors: the Gaussian that the Fréchet distance compares.
 * @category Metrics
 */
export interface GaussianStatistics {
  /** Number of samples the statistics were computed from. */
  readonly count: number;
  /** Mean, length `dim`. */
  readonly mean: Float64Array;
  /** Covariance, `dim * dim` row-major, with the unbiased (n - 1) normalization. */
  readonly covariance: Float64Array;
  /** Feature dimension. */
  readonly dim: number;
}

/**
 * Turns a 2-D tensor or an array of rows into a {@link SampleMatrix}. A tensor is read back and
 * left for the caller to dispose.
 *
 * @param values - `[rows, cols]` tensor, or rows of equal length.
 * @param where - the calling function, for error messages.
 * @returns the matrix (a copy).
 * @throws {@link index!ShapeError | ShapeError} for a tensor that is not 2-D, or ragged rows.
 * @category Metrics
 */
export function toSampleMatrix(values: MatrixLike, where = 'toSampleMatrix'): SampleMatrix {
  if (values instanceof tf.Tensor) {
    if (values.rank !== 2)
      throw new ShapeError(
        `${where}: expected a 2-D tensor [samples, values], got shape [${values.shape.join(', ')}].`,
      );
    return {
      data: values.dataSync() as Float32Array,
      rows: values.shape[0] as number,
      cols: values.shape[1] as number,
    };
  }
  if (Array.isArray(values)) {
    const rows = values.length;
    const cols = rows === 0 ? 0 : (values[0] as readonly number[]).length;
    const data = new Float64Array(rows * cols);
    values.forEach((row: readonly number[], i: number) => {
      if (row.length !== cols) throw new ShapeError(`${where}: row ${i} has ${row.length} values, row 0 has ${cols}.`);
      data.set(row, i * cols);
    });
    return { data, rows, cols };
  }
  const m = values as SampleMatrix;
  if (m.data.length !== m.rows * m.cols) {
    throw new ShapeError(`${where}: data holds ${m.data.length} values, expected rows * cols = ${m.rows * m.cols}.`);
  }
  return m;
}

/**
 * Mean and unbiased covariance of the rows of a matrix, accumulated in float64.
 *
 * @param features - at least two samples.
 * @returns the Gaussian statistics.
 * @throws {@link index!ShapeError | ShapeError} with fewer than two samples.
 * @example
 * ```ts
 * const stats = featureStatistics(await extractFeatures(model, images));
 * ```
 * @category Metrics
 */
export function featureStatistics(features: MatrixLike): GaussianStatistics {
  const { data, rows: n, cols: d } = toSampleMatrix(features, 'featureStatistics');
  if (n < 2) throw new ShapeError(`featureStatistics: need at least 2 samples for a covariance, got ${n}.`);
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] = (mean[j] as number) + (data[i * d + j] as number);
  for (let j = 0; j < d; j++) mean[j] = (mean[j] as number) / n;
  const cov = new Float64Array(d * d);
  const c = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) c[j] = (data[i * d + j] as number) - (mean[j] as number);
    for (let a = 0; a < d; a++) {
      const ca = c[a] as number;
      if (ca === 0) continue;
      const row = a * d;
      for (let b = a; b < d; b++) cov[row + b] = (cov[row + b] as number) + ca * (c[b] as number);
    }
  }
  for (let a = 0; a < d; a++) {
    for (let b = a; b < d; b++) {
      const v = (cov[a * d + b] as number) / (n - 1);
      cov[a * d + b] = v;
      cov[b * d + a] = v;
    }
  }
  return { count: n, mean, covariance: cov, dim: d };
}
