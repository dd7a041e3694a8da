/**
 * The Fashion-MNIST judge of ts-gan/metrics: its accuracy and shipped test-set statistics
 * (recomputed on wasm from the shipped weights), what real Fashion-MNIST images score against
 * them and what digits and noise score, leaks. Reads Debian's dataset-fashion-mnist files.
 */
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { StateError } from 'ts-gan';
import {
  evaluateFashion,
  evaluateMnist,
  FASHION_CLASSES,
  FashionJudge,
  fashionTestFeatureSample,
  fashionTestStatistics,
  featureStatistics,
  frechetDistance,
  JUDGE_FEATURE_DIM,
  MnistJudge,
  mnistTestStatistics,
  type SampleMatrix,
} from 'ts-gan/metrics';
import { loadIdx, loadMnist } from 'ts-gan/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** Where Debian's dataset-fashion-mnist package installs the files. */
const FASHION_DIR = '/usr/share/datasets/fashion-mnist';

let test: Awaited<ReturnType<typeof loadIdx>>;

beforeAll(async () => {
  test = await loadIdx(join(FASHION_DIR, 't10k-images-idx3-ubyte.gz'), join(FASHION_DIR, 't10k-labels-idx1-ubyte.gz'));
});

afterAll(async () => {
  test?.images.dispose();
  await tf.setBackend('cpu');
});

function accuracy(probabilities: SampleMatrix, labels: ArrayLike<number>): number {
  let correct = 0;
  for (let i = 0; i < probabilities.rows; i++) {
    const row = Array.from(probabilities.data.subarray(i * 10, i * 10 + 10));
    if (row.indexOf(Math.max(...row)) === labels[i]) correct++;
  }
  return correct / probabilities.rows;
}

describe('FashionJudge on the 10,000 Fashion-MNIST test images (wasm)', () => {
  it('classifies them with the accuracy it ships, and the shipped statistics are those of its features', async () => {
    expect(await tf.setBackend('wasm')).toBe(true);
    try {
      const judge = FashionJudge.load();
      expect(judge).toBeInstanceOf(MnistJudge);
      const { features, probabilities } = await judge.run(test.images, { batchSize: 500 });
      judge.dispose();
      const acc = accuracy(probabilities, test.labels as Int32Array);
      expect(acc).toBeGreaterThanOrEqual(0.85);
      expect(Math.abs(acc - FashionJudge.testAccuracy)).toBeLessThan(5e-4);
      // The MNIST judge's accuracy is its own, not the Fashion judge's.
      expect(MnistJudge.testAccuracy).not.toBe(FashionJudge.testAccuracy);

      const shipped = fashionTestStatistics();
      const recomputed = featureStatistics(features);
      expect(recomputed.count).toBe(10_000);
      const scale = Math.max(...Array.from(shipped.covariance).map(Math.abs));
      shipped.covariance.forEach((v, i) => {
        expect(Math.abs(v - (recomputed.covariance[i] as number))).toBeLessThan(1e-4 * scale);
      });
      expect(frechetDistance(recomputed, shipped)).toBeLessThan(1e-3);
      const sample = fashionTestFeatureSample();
      expect(sample.rows).toBe(1000);
      for (const i of [0, 1, 500, 999]) {
        for (let j = 0; j < JUDGE_FEATURE_DIM; j++) {
          const want = features.data[i * 10 * JUDGE_FEATURE_DIM + j] as number;
          expect(Math.abs((sample.data[i * JUDGE_FEATURE_DIM + j] as number) - want)).toBeLessThanOrEqual(
            Math.abs(want) * 1e-3 + 1e-4,
          );
        }
      }
    } finally {
      await tf.setBackend('cpu');
    }
  });
});

describe('metrics of Fashion-MNIST images (cpu)', () => {
  it('real test images: high accuracy on a subset, a small Fréchet distance, even classes', async () => {
    const real = tf.slice(test.images, 0, 500);
    const judge = FashionJudge.load();
    const { probabilities } = await judge.run(real);
    expect(accuracy(probabilities, test.labels as Int32Array)).toBeGreaterThanOrEqual(0.8);
    const m = await evaluateFashion(real, { judge, kid: { subsets: 3 } });
    judge.dispose();
    real.dispose();
    expect(m.count).toBe(500);
    expect(m.classHistogram).toHaveLength(FASHION_CLASSES.length);
    expect(m.histogramKl).toBeLessThan(0.05);
    // 500 real images against the 10,000: only the sampling noise of 500 samples.
    expect(m.frechetDistance).toBeLessThan(10);
    expect(Math.abs(m.kid.mean)).toBeLessThan(20);
  });

  it('digits and noise read far from Fashion-MNIST; digits read near MNIST with the MNIST judge', async () => {
    const digits = await loadMnist({ split: 'test', limit: 500 });
    const asFashion = await evaluateFashion(digits.images, { kid: { subsets: 3 } });
    const asDigits = await evaluateMnist(digits.images, { kid: { subsets: 3 } });
    digits.images.dispose();
    expect(asDigits.frechetDistance).toBeLessThan(10);
    expect(asFashion.frechetDistance).toBeGreaterThan(10 * asDigits.frechetDistance);
    const noise = tf.randomUniform([200, 28, 28, 1], -1, 1, 'float32', 5);
    const m = await evaluateFashion(noise, { kid: { subsets: 3 } });
    noise.dispose();
    expect(m.frechetDistance).toBeGreaterThan(50);
    // Each judge keeps its own reference.
    expect(fashionTestStatistics().mean).not.toEqual(mnistTestStatistics().mean);
  });

  it('leaks no tensor: load, run, evaluateFashion, dispose; a disposed judge refuses to run', async () => {
    const x = tf.slice(test.images, 0, 20);
    const once = async () => {
      const judge = FashionJudge.load();
      await judge.run(x);
      await evaluateFashion(x, { judge, kid: { subsets: 2 } });
      judge.dispose();
      await evaluateFashion(x, { kid: { subsets: 2 } });
    };
    await once();
    const before = tf.memory().numTensors;
    await once();
    expect(tf.memory().numTensors).toBe(before);
    const judge = FashionJudge.load();
    judge.dispose();
    await expect(judge.run(x)).rejects.toThrow(StateError);
    x.dispose();
  });
});
