/**
 * The MNIST judge that ships in ts-gan/metrics: its accuracy and the shipped test-set statistics
 * (recomputed from the shipped weights on wasm, which runs convolutions fast), what real digits
 * score, agreement between the cpu and wasm backends, leaks and errors.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { ShapeError, StateError } from 'ts-gan';
import {
  evaluateMnist,
  featureStatistics,
  frechetDistance,
  JUDGE_FEATURE_DIM,
  type MetricsSelfCheck,
  MnistJudge,
  metricsSelfCheck,
  mnistTestFeatureSample,
  mnistTestStatistics,
} from 'ts-gan/metrics';
import { loadMnist } from 'ts-gan/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let test: Awaited<ReturnType<typeof loadMnist>>;

beforeAll(async () => {
  test = await loadMnist({ split: 'test' });
});

afterAll(async () => {
  test?.images.dispose();
  await tf.setBackend('cpu');
});

async function onBackend<T>(name: string, fn: () => Promise<T>): Promise<T> {
  const ok = await tf.setBackend(name);
  expect(ok && tf.getBackend()).toBe(name);
  try {
    return await fn();
  } finally {
    await tf.setBackend('cpu');
  }
}

describe('MnistJudge on the 10,000 test digits (wasm)', () => {
  it('classifies at least 99% correctly, and the shipped statistics are those of its features', async () => {
    await onBackend('wasm', async () => {
      const judge = MnistJudge.load();
      const { features, probabilities } = await judge.run(test.images, { batchSize: 500 });
      judge.dispose();
      let correct = 0;
      for (let i = 0; i < probabilities.rows; i++) {
        const row = Array.from(probabilities.data.subarray(i * 10, i * 10 + 10));
        if (row.indexOf(Math.max(...row)) === test.labels[i]) correct++;
      }
      const accuracy = correct / probabilities.rows;
      expect(accuracy).toBeGreaterThanOrEqual(0.99);
      expect(Math.abs(accuracy - MnistJudge.testAccuracy)).toBeLessThan(5e-4);

      const shipped = mnistTestStatistics();
      const recomputed = featureStatistics(features);
      expect(recomputed.count).toBe(shipped.count);
      const scale = Math.max(...Array.from(shipped.covariance).map(Math.abs));
      shipped.covariance.forEach((v, i) => {
        expect(Math.abs(v - (recomputed.covariance[i] as number))).toBeLessThan(1e-4 * scale);
      });
      // The real test set against its own statistics: the floor of the Fréchet distance.
      expect(frechetDistance(recomputed, shipped)).toBeLessThan(1e-3);
      // The shipped KID sample is every 10th test digit's features, in float16.
      const sample = mnistTestFeatureSample();
      expect(sample.rows).toBe(1000);
      for (const i of [0, 1, 500, 999]) {
        for (let j = 0; j < JUDGE_FEATURE_DIM; j++) {
          const want = features.data[i * 10 * JUDGE_FEATURE_DIM + j] as number;
          expect(Math.abs((sample.data[i * JUDGE_FEATURE_DIM + j] as number) - want)).toBeLessThanOrEqual(
            Math.abs(want) * 1e-3 + 1e-4,
          );
        }
      }
    });
  });
});

describe('metrics of real digits (cpu)', () => {
  it('read as "perfect": high classifier score, even classes, confident, few duplicates, small distances', async () => {
    const real = tf.slice(test.images, 0, 500);
    const m = await evaluateMnist(real, { kid: { subsets: 3 } });
    real.dispose();
    expect(m.count).toBe(500);
    expect(m.classifierScore).toBeGreaterThan(9);
    expect(m.classifierScore).toBeLessThanOrEqual(10);
    expect(m.histogramKl).toBeLessThan(0.02);
    expect(m.confidentShare).toBeGreaterThan(0.9);
    expect(m.duplicateShare).toBeLessThan(0.01);
    // 500 real digits against the 10,000: only the sampling noise of 500 samples (noise reads ~300).
    expect(m.frechetDistance).toBeLessThan(8);
    expect(Math.abs(m.kid.mean)).toBeLessThan(15);
    expect(m.classHistogram.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
  });

  it('noise reads far from real digits', async () => {
    const noise = tf.randomUniform([200, 28, 28, 1], -1, 1, 'float32', 5);
    const m = await evaluateMnist(noise, { kid: { subsets: 5 } });
    noise.dispose();
    expect(m.frechetDistance).toBeGreaterThan(100);
    expect(m.kid.mean).toBeGreaterThan(100);
    expect(m.classifierScore).toBeLessThan(2);
  });

  it('pixelRange maps [0, 1] images onto the same outputs as [-1, 1]', async () => {
    const judge = MnistJudge.load();
    const x = tf.slice(test.images, 0, 20);
    const unit = tf.div(tf.add(x, 1), 2);
    const a = await judge.run(x);
    const b = await judge.run(unit, { pixelRange: [0, 1] });
    const flat = await judge.run(tf.tidy(() => tf.reshape(x, [20, 784])));
    a.probabilities.data.forEach((v, i) => {
      expect(Math.abs(v - (b.probabilities.data[i] as number))).toBeLessThan(1e-5);
      expect(Math.abs(v - (flat.probabilities.data[i] as number))).toBeLessThan(1e-6);
    });
    tf.dispose([x, unit]);
    judge.dispose();
  });

  it('leaks nothing, refuses wrong shapes and use after dispose', async () => {
    const judge = MnistJudge.load();
    const x = tf.slice(test.images, 0, 30);
    await evaluateMnist(x, { judge, kid: { subsets: 2 } });
    const before = tf.memory().numTensors;
    await judge.run(x, { batchSize: 7 });
    await evaluateMnist(x, { judge, kid: { subsets: 2 } });
    expect(tf.memory().numTensors).toBe(before);
    const wrong = tf.zeros([3, 27, 27, 1]);
    await expect(judge.run(wrong)).rejects.toThrow(ShapeError);
    expect(tf.memory().numTensors).toBe(before + 1);
    wrong.dispose();
    judge.dispose();
    await expect(judge.run(x)).rejects.toThrow(StateError);
    x.dispose();
    // Loading a judge and disposing it leaves nothing behind either.
    const count = tf.memory().numTensors;
    MnistJudge.load().dispose();
    expect(tf.memory().numTensors).toBe(count);
  });
});

describe('cpu and wasm agree', () => {
  it('on metricsSelfCheck and on the metrics of 500 real digits', async () => {
    const real = tf.slice(test.images, 1000, 500);
    const values = await real.data();
    real.dispose();
    const run = async () => {
      const x = tf.tensor4d(values, [500, 28, 28, 1]);
      const m = await evaluateMnist(x, { kid: { subsets: 5 } });
      x.dispose();
      return { check: await metricsSelfCheck(), metrics: m };
    };
    const cpu = await run();
    const wasm = await onBackend('wasm', run);
    expect(cpu.check.backend).toBe('cpu');
    expect(wasm.check.backend).toBe('wasm');
    const close = (a: number, b: number, what: string) => {
      expect(Math.abs(a - b), what).toBeLessThanOrEqual(1e-3 * Math.max(1, Math.abs(a)));
    };
    for (const key of Object.keys(cpu.check) as (keyof MetricsSelfCheck)[]) {
      if (key !== 'backend') close(cpu.check[key] as number, wasm.check[key] as number, key);
    }
    close(cpu.metrics.classifierScore, wasm.metrics.classifierScore, 'classifierScore');
    close(cpu.metrics.frechetDistance, wasm.metrics.frechetDistance, 'frechetDistance');
    close(cpu.metrics.kid.mean, wasm.metrics.kid.mean, 'kid');
    expect(wasm.metrics.classHistogram).toEqual(cpu.metrics.classHistogram);
  });
});
