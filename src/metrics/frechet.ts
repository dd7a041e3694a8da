/**
 * The Fréchet distance between two Gaussians: the "F" of FID (Heusel et al., 2017, "GANs Trained
 * by a Two Time-Scale Update Rule Converge to a Local Nash Equilibrium").
 *
 * @packageDocumentation
 */
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import { ShapeError } from '../errors.js';
import { featureStatistics, type GaussianStatistics, type MatrixLike } from './matrix.js';

/**
 * Fréchet (2-Wasserstein) distance between N(mu1, S1) and N(mu2, S2):
 *
 *   d^2 = |mu1 - mu2|^2 + tr(S1) + tr(S2) - 2 tr((S1^(1/2) S2 S1^(1/2))^(1/2))
 *
 * The last trace equals tr((S1 S2)^(1/2)) (the two matrices are similar), but the symmetric form
 * has a real, non-negative spectrum, so it is computed by one symmetric eigendecomposition per
 * square root (ml-matrix), with round-off negatives clipped to zero. Like the FID of the papers
 * this returns d^2, not d.
 *
 * @param a - statistics of one sample (for example generated digits' judge features).
 * @param b - statistics of the other (for example the real test set's).
 * @returns d^2 >= 0; 0 for identical statistics.
 * @throws {@link index!ShapeError | ShapeError} when the dimensions differ or the arrays do not fit `dim`.
 * @example
 * ```ts
 * const fid = frechetDistance(featureStatistics(fakeFeatures), featureStatistics(realFeatures));
 * ```
 * @category Metrics
 */
export function frechetDistance(a: GaussianStatistics | MatrixLike, b: GaussianStatistics | MatrixLike): number {
  const s1 = asStatistics(a);
  const s2 = asStatistics(b);
  if (s1.dim !== s2.dim) throw new ShapeError(`frechetDistance: feature dimensions differ, ${s1.dim} and ${s2.dim}.`);
  const d = s1.dim;
  let meanTerm = 0;
  for (let i = 0; i < d; i++) meanTerm += ((s1.mean[i] as number) - (s2.mean[i] as number)) ** 2;
  const c1 = toMatrix(s1.covariance, d);
  const c2 = toMatrix(s2.covariance, d);
  const root1 = symmetricSqrt(c1);
  const inner = root1.mmul(c2).mmul(root1);
  const cross = sqrtEigenvalues(symmetrize(inner)).reduce((sum, v) => sum + v, 0);
  const distance = meanTerm + c1.trace() + c2.trace() - 2 * cross;
  // Round-off can leave a tiny negative where the statistics coincide.
  return Math.max(0, distance);
}

function asStatistics(s: GaussianStatistics | MatrixLike): GaussianStatistics {
  if (!Array.isArray(s) && 'covariance' in s) {
    if (s.mean.length !== s.dim || s.covariance.length !== s.dim * s.dim) {
      throw new ShapeError(
        `frechetDistance: statistics of dimension ${s.dim} need a mean of ${s.dim} and a covariance of ${s.dim * s.dim} values, got ${s.mean.length} and ${s.covariance.length}.`,
      );
    }
    return s;
  }
  return featureStatistics(s);
}

function toMatrix(values: Float64Array, d: number): Matrix {
  const m = new Matrix(d, d);
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) m.set(i, j, values[i * d + j] as number);
  return m;
}

function symmetrize(m: Matrix): Matrix {
  return m.add(m.transpose()).mul(0.5);
}

/** The principal square root of a symmetric positive semi-definite matrix: V diag(sqrt(max(l, 0))) V^T. */
function symmetricSqrt(m: Matrix): Matrix {
  const evd = new EigenvalueDecomposition(symmetrize(m), { assumeSymmetric: true });
  const v = evd.eigenvectorMatrix;
  const roots = evd.realEigenvalues.map((l) => Math.sqrt(Math.max(l, 0)));
  const scaled = v.clone();
  for (let j = 0; j < roots.length; j++)
    for (let i = 0; i < scaled.rows; i++) scaled.set(i, j, scaled.get(i, j) * (roots[j] as number));
  return scaled.mmul(v.transpose());
}

function sqrtEigenvalues(m: Matrix): number[] {
  const evd = new EigenvalueDecomposition(m, { assumeSymmetric: true });
  return evd.realEigenvalues.map((l) => Math.sqrt(Math.max(l, 0)));
}
