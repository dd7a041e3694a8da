/**
 * The general metrics of ts-gan/metrics against values computed independently: scipy/numpy
 * (the script below), closed forms, and properties that hold for all inputs.
 *
 * Reference values: /usr/bin/python3 with numpy and scipy 1.17 ran
 *
 *   d = 6
 *   def mat(a, b):
 *       B = np.array([[np.sin(a*i + b*j + 0.3) for j in range(d+2)] for i in range(d)])
 *       return B @ B.T / (d+2) + 0.05*np.eye(d)
 *   mu1 = [cos(0.7 i)], mu2 = [0.5 sin(1.3 i)], S1 = mat(1.1, 0.37), S2 = mat(0.45, 1.9)
 *   fid = |mu1-mu2|^2 + tr S1 + tr S2 - 2 tr(scipy.linalg.sqrtm(S1 @ S2).real)       -> 5.163968038778166
 *   B3[i][j] = sin(0.9 i + 2.1 j) (6x3), S3 = B3 B3^T / 3 (rank 3); fid(mu1,S1,mu2,S3) -> 3.009952209331537
 *   X[i][j] = sin(0.3 i + 0.7 j), Y[i][j] = cos(0.5 i + 0.2 j) + 0.1 (20x4), k = (a.b/4 + 1)^3,
 *   unbiased MMD^2 over all 20 -> 0.10747169549673652; np.cov(X.T)[0,1] -> 0.42752856371853254;
 *   X.mean(0)[2] -> -0.042258593357698195
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import fc from 'fast-check';
import { ConfigError, ShapeError } from 'ts-gan';
import {
  classHistogram,
  classifierScore,
  confidentShare,
  duplicateShare,
  extractFeatures,
  featureStatistics,
  frechetDistance,
  type GaussianStatistics,
  kernelInceptionDistance,
  klFromUniform,
  type SampleMatrix,
} from 'ts-gan/metrics';
import { describe, expect, it } from 'vitest';
import {
  decodeFloat16,
  decodeFloat64,
  encodeFloat16,
  encodeFloat64,
  fromHalfBits,
  toHalfBits,
} from '../../src/metrics/encoding.js';

const D = 6;
function mat(a: number, b: number): Float64Array {
  const B = Array.from({ length: D }, (_, i) => Array.from({ length: D + 2 }, (_, j) => Math.sin(a * i + b * j + 0.3)));
  const out = new Float64Array(D * D);
  for (let i = 0; i < D; i++) {
    for (let j = 0; j < D; j++) {
      let s = 0;
      for (let k = 0; k < D + 2; k++) s += (B[i]?.[k] as number) * (B[j]?.[k] as number);
      out[i * D + j] = s / (D + 2) + (i === j ? 0.05 : 0);
    }
  }
  return out;
}
const stats = (mean: number[], covariance: Float64Array): GaussianStatistics => ({
  count: 100,
  mean: Float64Array.from(mean),
  covariance,
  dim: mean.length,
});
const mu1 = Array.from({ length: D }, (_, i) => Math.cos(0.7 * i));
const mu2 = Array.from({ length: D }, (_, i) => 0.5 * Math.sin(1.3 * i));

function sinMatrix(rows: number, cols: number, f: (i: number, j: number) => number): SampleMatrix {
  const data = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) data[i * cols + j] = f(i, j);
  return { data, rows, cols };
}
const X = sinMatrix(20, 4, (i, j) => Math.sin(0.3 * i + 0.7 * j));
const Y = sinMatrix(20, 4, (i, j) => Math.cos(0.5 * i + 0.2 * j) + 0.1);

describe('frechetDistance', () => {
  it('matches scipy.linalg.sqrtm on full-rank covariances', () => {
    const got = frechetDistance(stats(mu1, mat(1.1, 0.37)), stats(mu2, mat(0.45, 1.9)));
    expect(Math.abs(got - 5.163968038778166)).toBeLessThan(1e-9);
  });

  it('matches scipy on a rank-deficient covariance', () => {
    const B3 = Array.from({ length: D }, (_, i) => Array.from({ length: 3 }, (_, j) => Math.sin(0.9 * i + 2.1 * j)));
    const s3 = new Float64Array(D * D);
    for (let i = 0; i < D; i++) {
      for (let j = 0; j < D; j++) {
        s3[i * D + j] = (B3[i] as number[]).reduce((s, v, k) => s + v * ((B3[j] as number[])[k] as number), 0) / 3;
      }
    }
    const got = frechetDistance(stats(mu1, mat(1.1, 0.37)), stats(mu2, s3));
    // scipy warns that S1 S3 is singular; its result and ours agree to 1e-6.
    expect(Math.abs(got - 3.009952209331537)).toBeLessThan(1e-6);
  });

  it('equals the closed form for diagonal covariances: |mu1-mu2|^2 + sum (sqrt a - sqrt b)^2', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            fc.double({ min: -3, max: 3, noNaN: true }),
            fc.double({ min: -3, max: 3, noNaN: true }),
            fc.double({ min: 0, max: 4, noNaN: true }),
            fc.double({ min: 0, max: 4, noNaN: true }),
          ),
          { minLength: 1, maxLength: 7 },
        ),
        (dims) => {
          const d = dims.length;
          const c1 = new Float64Array(d * d);
          const c2 = new Float64Array(d * d);
          let expected = 0;
          dims.forEach(([m1, m2, v1, v2], i) => {
            c1[i * d + i] = v1;
            c2[i * d + i] = v2;
            expected += (m1 - m2) ** 2 + (Math.sqrt(v1) - Math.sqrt(v2)) ** 2;
          });
          const got = frechetDistance(
            stats(
              dims.map((t) => t[0]),
              c1,
            ),
            stats(
              dims.map((t) => t[1]),
              c2,
            ),
          );
          expect(Math.abs(got - expected)).toBeLessThan(1e-8 * (1 + expected));
        },
      ),
      { numRuns: 60, seed: 8 },
    );
  });

  it('is 0 for identical statistics and symmetric', () => {
    const a = stats(mu1, mat(1.1, 0.37));
    const b = stats(mu2, mat(0.45, 1.9));
    expect(frechetDistance(a, a)).toBeLessThan(1e-9);
    expect(Math.abs(frechetDistance(a, b) - frechetDistance(b, a))).toBeLessThan(1e-9);
  });

  it('accepts feature matrices and refuses different dimensions', () => {
    expect(frechetDistance(X, X)).toBeLessThan(1e-9);
    const x3 = sinMatrix(10, 3, (i, j) => i + j * j);
    expect(() => frechetDistance(X, x3)).toThrow(ShapeError);
  });
});

describe('featureStatistics', () => {
  it('matches numpy mean and unbiased covariance', () => {
    const s = featureStatistics(X);
    expect(Math.abs((s.mean[2] as number) - -0.042258593357698195)).toBeLessThan(1e-12);
    expect(Math.abs((s.covariance[1] as number) - 0.42752856371853254)).toBeLessThan(1e-12);
    expect(s.covariance[1]).toBe(s.covariance[4]);
  });

  it('refuses fewer than two samples', () => {
    expect(() => featureStatistics({ data: new Float32Array(3), rows: 1, cols: 3 })).toThrow(ShapeError);
  });
});

describe('kernelInceptionDistance', () => {
  it('matches numpy on a single subset holding every sample', async () => {
    const r = await kernelInceptionDistance(X, Y, { subsets: 1, subsetSize: 20 });
    expect(Math.abs(r.mean - 0.10747169549673652)).toBeLessThan(1e-4);
    expect(r.std).toBe(0);
    expect(r.subsetSize).toBe(20);
  });

  it('is near zero for two samples of one distribution, and larger for shifted ones', async () => {
    const rng = (seed: number) => tf.tidy(() => tf.randomNormal([400, 8], 0, 1, 'float32', seed));
    const [a, b] = [rng(1), rng(2)];
    const shifted = tf.add(rng(3), 0.5);
    const same = await kernelInceptionDistance(a as tf.Tensor2D, b as tf.Tensor2D, { subsets: 10, subsetSize: 200 });
    const diff = await kernelInceptionDistance(a as tf.Tensor2D, shifted as tf.Tensor2D, {
      subsets: 10,
      subsetSize: 200,
    });
    tf.dispose([a, b, shifted]);
    expect(Math.abs(same.mean)).toBeLessThan(4 * same.standardError + 0.01);
    expect(diff.mean).toBeGreaterThan(same.mean + 10 * diff.standardError);
    expect(diff.standardError).toBeCloseTo(diff.std / Math.sqrt(10), 12);
  });

  it('by default draws subsets that differ, so the standard error is not a false 0', async () => {
    // 20 samples a side: every subset of 20 would be the same, so the default halves it.
    const halved = await kernelInceptionDistance(X, Y, { subsets: 5 });
    expect(halved.subsetSize).toBe(10);
    expect(halved.standardError).toBeGreaterThan(0);
    // Unequal sides keep the smaller count: the larger side's draws still differ.
    const longer = sinMatrix(40, 4, (i, j) => Math.sin(0.3 * i + 0.7 * j));
    const kept = await kernelInceptionDistance(longer, Y, { subsets: 5 });
    expect(kept.subsetSize).toBe(20);
    expect(kept.standardError).toBeGreaterThan(0);
  });

  it('is repeatable for a seed and leaves no tensors', async () => {
    const warm = await kernelInceptionDistance(X, Y, { subsets: 3, subsetSize: 10, seed: 4 });
    const before = tf.memory().numTensors;
    const again = await kernelInceptionDistance(X, Y, { subsets: 3, subsetSize: 10, seed: 4 });
    expect(tf.memory().numTensors).toBe(before);
    expect(again).toEqual(warm);
  });

  it('validates its arguments', async () => {
    await expect(kernelInceptionDistance(X, Y, { subsetSize: 21 })).rejects.toThrow(ShapeError);
    await expect(kernelInceptionDistance(X, Y, { subsets: 0 })).rejects.toThrow(ConfigError);
    await expect(kernelInceptionDistance(X, Y, { subset: 3 } as never)).rejects.toThrow(/subsets/);
    await expect(
      kernelInceptionDistance(
        X,
        sinMatrix(20, 3, () => 1),
      ),
    ).rejects.toThrow(ShapeError);
  });
});

const oneHot = (labels: number[], k = 10): SampleMatrix => {
  const data = new Float32Array(labels.length * k);
  labels.forEach((l, i) => {
    data[i * k + l] = 1;
  });
  return { data, rows: labels.length, cols: k };
};

describe('classifier metrics', () => {
  it('classifierScore: K for confident, evenly spread classes; 1 for one class or for uniform rows', () => {
    expect(classifierScore(oneHot(Array.from({ length: 100 }, (_, i) => i % 10)))).toBeCloseTo(10, 10);
    expect(classifierScore(oneHot(Array.from({ length: 100 }, (_, i) => i % 4)))).toBeCloseTo(4, 10);
    expect(classifierScore(oneHot(Array(50).fill(3)))).toBeCloseTo(1, 10);
    expect(classifierScore({ data: new Float32Array(30).fill(0.1), rows: 3, cols: 10 })).toBeCloseTo(1, 6);
  });

  it('classifierScore equals exp(mean KL) by hand for two soft rows', () => {
    const p = [
      [0.7, 0.2, 0.1],
      [0.1, 0.3, 0.6],
    ];
    const m = [0.4, 0.25, 0.35];
    const kl = (r: number[]) => r.reduce((s, v, c) => s + v * Math.log(v / (m[c] as number)), 0);
    const expected = Math.exp((kl(p[0] as number[]) + kl(p[1] as number[])) / 2);
    expect(Math.abs(classifierScore(p as never) - expected)).toBeLessThan(1e-12);
  });

  it('classifierScore never exceeds the number of classes nor falls below 1', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.double({ min: 0.001, max: 1, noNaN: true }), { minLength: 5, maxLength: 5 }), {
          minLength: 2,
          maxLength: 30,
        }),
        (rows) => {
          const probs = rows.map((r) => {
            const s = r.reduce((a, b) => a + b, 0);
            return r.map((v) => v / s);
          });
          const score = classifierScore(probs);
          expect(score).toBeGreaterThanOrEqual(1 - 1e-9);
          expect(score).toBeLessThanOrEqual(5 + 1e-9);
        },
      ),
      { numRuns: 100, seed: 8 },
    );
  });

  it('classifierScore splits average the per-split scores', () => {
    const labels = [...Array.from({ length: 10 }, (_, i) => i), ...Array(10).fill(0)];
    expect(classifierScore(oneHot(labels), { splits: 2 })).toBeCloseTo((10 + 1) / 2, 10);
    expect(() => classifierScore(oneHot([1]), { splits: 2 })).toThrow(ShapeError);
  });

  it('classHistogram and klFromUniform: 0 for even classes, log K for one class', () => {
    const even = classHistogram(oneHot(Array.from({ length: 40 }, (_, i) => i % 10)));
    expect(Array.from(even)).toEqual(Array(10).fill(0.1));
    expect(klFromUniform(even)).toBeCloseTo(0, 12);
    const one = classHistogram(oneHot(Array(7).fill(2)));
    expect(one[2]).toBe(1);
    expect(klFromUniform(one)).toBeCloseTo(Math.log(10), 12);
    expect(klFromUniform([0.5, 0.5, 0, 0])).toBeCloseTo(Math.log(2), 12);
    expect(() => klFromUniform([0.5, 0.2])).toThrow(ConfigError);
  });

  it('confidentShare counts rows whose top probability reaches the threshold', () => {
    const p = [
      [0.95, 0.05],
      [0.6, 0.4],
      [0.1, 0.9],
    ];
    expect(confidentShare(p as never, 0.9)).toBeCloseTo(2 / 3, 12);
    expect(confidentShare(p as never, 0.5)).toBe(1);
    expect(() => confidentShare(p as never, 1.5)).toThrow(ConfigError);
  });
});

describe('duplicateShare', () => {
  it('is 1 for copies of one vector, 0 for orthogonal vectors, and counts partial copies', () => {
    const copies = sinMatrix(10, 4, (_, j) => j + 1);
    expect(duplicateShare(copies)).toBe(1);
    const orthogonal = sinMatrix(4, 4, (i, j) => (i === j ? 1 : 0));
    expect(duplicateShare(orthogonal)).toBe(0);
    // Rows 0 and 1 identical, rows 2..5 orthogonal to everything.
    const mixed = sinMatrix(6, 6, (i, j) => (i < 2 ? (j === 0 ? 1 : 0) : i === j ? 1 : 0));
    expect(duplicateShare(mixed)).toBeCloseTo(2 / 6, 12);
    // All-zero features (a dead generator) are duplicates of each other.
    expect(duplicateShare(sinMatrix(5, 3, () => 0))).toBe(1);
  });

  it('leaves no tensors', () => {
    duplicateShare(X);
    const before = tf.memory().numTensors;
    duplicateShare(X, { threshold: 0.5, maxSamples: 10 });
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('extractFeatures', () => {
  it('runs a model in batches, equals one big forward pass, and leaks nothing', async () => {
    const model = tfl.sequential({
      layers: [tfl.layers.dense({ inputShape: [5], units: 3, kernelInitializer: 'ones' })],
    });
    const images = tf.tidy(() => tf.div(tf.reshape(tf.range(0, 35 * 5), [35, 5]), 100));
    await extractFeatures(model, images, { batchSize: 8 });
    const before = tf.memory().numTensors;
    const feats = await extractFeatures(model, images, { batchSize: 8 });
    const fromFn = await extractFeatures((x) => tf.mul(model.predict(x) as tf.Tensor, 2), images, { batchSize: 7 });
    expect(tf.memory().numTensors).toBe(before);
    const direct = tf.tidy(() => (model.predict(images) as tf.Tensor).dataSync());
    expect(feats.rows).toBe(35);
    expect(feats.cols).toBe(3);
    feats.data.forEach((v, i) => {
      expect(Math.abs(v - (direct[i] as number))).toBeLessThan(1e-5);
      expect(Math.abs((fromFn.data[i] as number) - 2 * (direct[i] as number))).toBeLessThan(1e-5);
    });
    await expect(extractFeatures(model, images, { output: 1 })).rejects.toThrow(ConfigError);
    const cube = tf.zeros([2, 2, 2]);
    await expect(extractFeatures((x) => x, cube)).rejects.toThrow(ShapeError);
    cube.dispose();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([images]);
    model.dispose();
  });
});

describe('float16 and float64 encodings', () => {
  it('round-trips float64 exactly and float16 to its precision', () => {
    const values = [0, -0.5, 1, 65504, 1e-5, -2.71, 6e-8, 123.456];
    expect(Array.from(decodeFloat64(encodeFloat64(values)))).toEqual(values);
    const halves = decodeFloat16(encodeFloat16(values));
    values.forEach((v, i) => {
      expect(Math.abs((halves[i] as number) - v)).toBeLessThanOrEqual(Math.abs(v) * 2 ** -11 + 2 ** -24);
    });
    // Round half to even at the 11th significant bit: 1 + 2^-11 lies between 1 and 1 + 2^-10.
    expect(fromHalfBits(toHalfBits(1 + 2 ** -11))).toBe(1);
    expect(fromHalfBits(toHalfBits(1 + 3 * 2 ** -11))).toBe(1 + 2 * 2 ** -10);
    expect(fromHalfBits(toHalfBits(1e6))).toBe(Number.POSITIVE_INFINITY);
  });
});
