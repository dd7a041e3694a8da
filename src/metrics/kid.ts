/**
 * Kernel Inception Distance (Bińkowski et al., 2018, "Demystifying MMD GANs"): the unbiased
 * squared maximum mean discrepancy between two feature samples under the cubic polynomial kernel,
 * averaged over random subsets, with its standard error.
 *
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { ShapeError } from '../errors.js';
import { SeededRandom } from '../random.js';
import { knownKeys, positiveInteger } from '../util/validate.js';
import { type MatrixLike, toSampleMatrix } from './matrix.js';

/**
 * Options of {@link kernelInceptionDistance}.
 * @category Metrics
 */
export interface KidOptions {
  /** Number of random subsets. Default 50. */
  subsets?: number;
  /**
   * Samples drawn (without replacement) from each side per subset. Default min(1000, both counts),
   * halved when that takes every sample of both sides: every subset would then be the same, and the
   * standard error a false 0.
   */
  subsetSize?: number;
  /** Seed of the subset draws. Default 0. */
  seed?: number;
}

/**
 * KID with its uncertainty over subsets.
 * @category Metrics
 */
export interface KidResult {
  /** Mean unbiased MMD^2 over the subsets. Near 0 (and possibly slightly negative) for equal distributions. */
  mean: number;
  /** Standard deviation of the subset estimates. */
  std: number;
  /** Standard error of the mean: std / sqrt(subsets). */
  standardError: number;
  /** Subsets used. */
  subsets: number;
  /** Samples per side in each subset. */
  subsetSize: number;
}

const KID_KEYS = ['subsets', 'subsetSize', 'seed'] as const;
const DEFAULT_SUBSETS = 50;
const DEFAULT_SUBSET_SIZE = 1000;

/**
 * Kernel Inception Distance between two feature samples. With the kernel
 * k(x, y) = (x.y / d + 1)^3 and m samples per side, each subset gives the unbiased estimate
 *
 *   MMD^2 = sum_{i!=j} k(x_i, x_j) / (m(m-1)) + sum_{i!=j} k(y_i, y_j) / (m(m-1)) - 2 sum_{i,j} k(x_i, y_j) / m^2
 *
 * Kernel matrices are computed on the active tfjs backend (three m x m products per subset) and
 * summed on the host in float64; every tensor is released before returning.
 *
 * @param a - features of one sample, `[n1, d]`.
 * @param b - features of the other, `[n2, d]`.
 * @param options - subsets, subset size, seed.
 * @returns mean, standard deviation and standard error over subsets.
 * @throws {@link index!ShapeError | ShapeError} for different feature dimensions or fewer than 2 samples.
 * @throws {@link index!ConfigError | ConfigError} for an invalid option.
 * @example
 * ```ts
 * const { mean, standardError } = await kernelInceptionDistance(fakeFeatures, realFeatures, { subsets: 100 });
 * ```
 * @category Metrics
 */
export async function kernelInceptionDistance(
  a: MatrixLike,
  b: MatrixLike,
  options: KidOptions = {},
): Promise<KidResult> {
  knownKeys('kernelInceptionDistance', options, KID_KEYS);
  const x = toSampleMatrix(a, 'kernelInceptionDistance');
  const y = toSampleMatrix(b, 'kernelInceptionDistance');
  if (x.cols !== y.cols)
    throw new ShapeError(`kernelInceptionDistance: feature dimensions differ, ${x.cols} and ${y.cols}.`);
  if (x.rows < 2 || y.rows < 2) {
    throw new ShapeError(`kernelInceptionDistance: need at least 2 samples on each side, got ${x.rows} and ${y.rows}.`);
  }
  const subsets = positiveInteger('kernelInceptionDistance', 'subsets', options.subsets ?? DEFAULT_SUBSETS);
  const m = positiveInteger(
    'kernelInceptionDistance',
    'subsetSize',
    options.subsetSize ?? defaultSubsetSize(x.rows, y.rows),
  );
  if (m < 2 || m > x.rows || m > y.rows) {
    throw new ShapeError(
      `kernelInceptionDistance: subsetSize must be between 2 and the smaller sample (${Math.min(x.rows, y.rows)}), got ${m}.`,
    );
  }
  const rng = new SeededRandom(options.seed ?? 0);
  const d = x.cols;
  const estimates: number[] = [];
  const xs = tf.tensor2d(Float32Array.from(x.data), [x.rows, d]);
  const ys = tf.tensor2d(Float32Array.from(y.data), [y.rows, d]);
  try {
    for (let s = 0; s < subsets; s++) {
      const ix = choose(rng, x.rows, m);
      const iy = choose(rng, y.rows, m);
      // Kernel values are computed on the device in float32, but summed on the host in float64:
      // MMD^2 is a small difference of three large sums, which float32 accumulation would swamp.
      const kernels = tf.tidy(() => {
        const sx = tf.gather(xs, tf.tensor1d(ix, 'int32'));
        const sy = tf.gather(ys, tf.tensor1d(iy, 'int32'));
        const kernel = (p: tf.Tensor2D, q: tf.Tensor2D) =>
          tf.pow(tf.add(tf.div(tf.matMul(p, q, false, true), d), 1), 3);
        return [kernel(sx, sx), kernel(sy, sy), kernel(sx, sy)];
      });
      let sums: [number, number, number, number, number];
      try {
        // An asynchronous read: dataSync returned zeros for these products on WebGPU (SwiftShader),
        // which the browser suite's metrics test caught.
        const [kxx, kyy, kxy] = (await Promise.all(kernels.map((k) => k.data()))) as [
          Float32Array,
          Float32Array,
          Float32Array,
        ];
        sums = [sum(kxx), diagonalSum(kxx, m), sum(kyy), diagonalSum(kyy, m), sum(kxy)];
      } finally {
        tf.dispose(kernels);
      }
      const [sxx, dxx, syy, dyy, sxy] = sums;
      const pairs = m * (m - 1);
      estimates.push(
        ((sxx as number) - (dxx as number)) / pairs +
          ((syy as number) - (dyy as number)) / pairs -
          (2 * (sxy as number)) / (m * m),
      );
    }
  } finally {
    tf.dispose([xs, ys]);
  }
  const mean = estimates.reduce((s, v) => s + v, 0) / subsets;
  const variance = subsets > 1 ? estimates.reduce((s, v) => s + (v - mean) ** 2, 0) / (subsets - 1) : 0;
  const std = Math.sqrt(variance);
  return { mean, std, standardError: std / Math.sqrt(subsets), subsets, subsetSize: m };
}

/** Float64 sum of all values. */
function sum(values: ArrayLike<number>): number {
  let total = 0;
  let compensation = 0;
  // Kahan summation: the three kernel sums cancel to a small MMD^2, so their rounding matters.
  for (let i = 0; i < values.length; i++) {
    const y = (values[i] as number) - compensation;
    const t = total + y;
    compensation = t - total - y;
    total = t;
  }
  return total;
}

function diagonalSum(values: ArrayLike<number>, m: number): number {
  let total = 0;
  for (let i = 0; i < m; i++) total += values[i * m + i] as number;
  return total;
}

/** m distinct indices of [0, n), by a partial Fisher-Yates shuffle. */
function choose(rng: SeededRandom, n: number, m: number): Int32Array {
  const idx = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < m; i++) {
    const j = i + Math.floor(rng.nextFloat() * (n - i));
    const t = idx[i] as number;
    idx[i] = idx[j] as number;
    idx[j] = t;
  }
  return idx.slice(0, m);
}

/** min(1000, n1, n2), halved when it would take every sample of both sides (subsets would not differ). */
function defaultSubsetSize(n1: number, n2: number): number {
  const m = Math.min(DEFAULT_SUBSET_SIZE, n1, n2);
  return m === n1 && m === n2 ? Math.max(2, Math.floor(m / 2)) : m;
}
