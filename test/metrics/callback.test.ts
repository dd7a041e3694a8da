/**
 * EvaluationCallback and its collapse alarm, with the MNIST judge, on hand-built generators: a
 * collapsed one (every noise vector gives the same real digit) must trip the alarm and stop the
 * run; a healthy one (noise picks one of 500 real test digits) must not.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { ConfigError, GAN, Trainer } from 'ts-gan';
import { type CollapseEvent, EvaluationCallback, MnistJudge, mnistEvaluator } from 'ts-gan/metrics';
import { loadMnist } from 'ts-gan/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** Distinct real test digits a healthy generator picks from. */
const POOL = 500;
/** Sharpens softmax(z) into a one-hot choice of a digit. */
const PICK_SCALE = 60;
const PIXELS = 784;

let digits: tf.Tensor4D;
let pool: Float32Array;

beforeAll(async () => {
  const test = await loadMnist({ split: 'test', limit: POOL });
  digits = test.images;
  pool = digits.dataSync() as Float32Array;
});

afterAll(() => {
  digits?.dispose();
});

/** A "generator" that returns real digit `argmax(z)` of the pool (healthy) or always digit 0 (collapsed). */
function realDigitGenerator(collapsed: boolean): tfl.LayersModel {
  const latent = POOL;
  const pick = tfl.layers.dense({ inputShape: [latent], units: latent, activation: 'softmax', useBias: false });
  const draw = tfl.layers.dense({ units: PIXELS, useBias: collapsed });
  const model = tfl.sequential({ layers: [pick, draw, tfl.layers.reshape({ targetShape: [28, 28, 1] })] });
  const eye = tf.mul(tf.eye(latent), PICK_SCALE);
  const kernel = collapsed ? tf.zeros([latent, PIXELS]) : tf.tensor2d(pool, [POOL, PIXELS]);
  const weights = collapsed ? [eye, kernel, tf.tensor1d(pool.subarray(0, PIXELS))] : [eye, kernel];
  model.setWeights(weights);
  tf.dispose(weights);
  return model;
}

function ganOf(collapsed: boolean): GAN {
  const discriminator = tfl.sequential({
    layers: [tfl.layers.flatten({ inputShape: [28, 28, 1] }), tfl.layers.dense({ units: 1 })],
  });
  return new GAN({
    latentDim: POOL,
    dataShape: [28, 28, 1],
    generator: realDigitGenerator(collapsed),
    discriminator,
    seed: 3,
  });
}

/** A trainer that leaves the generator as built: plain SGD with learning rate 0. */
function trainerOf(gan: GAN, callbacks: EvaluationCallback[]): Trainer {
  return new Trainer(gan, { batchSize: 8, generatorOptimizer: tf.train.sgd(0), logEvery: 1, callbacks, seed: 1 });
}

describe('EvaluationCallback', () => {
  it('a collapsed generator trips the alarm, which reports and stops the run', async () => {
    const gan = ganOf(true);
    const events: CollapseEvent[] = [];
    const metricsSeen: number[] = [];
    const evaluation = new EvaluationCallback({
      every: 2,
      samples: 100,
      onMetrics: (step) => {
        metricsSeen.push(step);
      },
      collapse: { stop: true, onCollapse: (e) => void events.push(e) },
    });
    const trainer = trainerOf(gan, [evaluation]);
    await trainer.fit(digits, { steps: 20 });
    // Evaluated after step 2, the alarm asked to stop, and the trainer finished step 3 only.
    expect(trainer.step).toBe(3);
    expect(metricsSeen).toEqual([2, 3]);
    expect(events.length).toBeGreaterThanOrEqual(1);
    const first = events[0] as CollapseEvent;
    expect(first.step).toBe(2);
    expect(first.stopped).toBe(true);
    expect(first.reasons.map((r) => r.metric).sort()).toEqual(['duplicateShare', 'histogramKl']);
    expect(first.metrics.histogramKl).toBeCloseTo(Math.log(10), 3);
    expect(first.metrics.duplicateShare).toBe(1);
    expect(first.metrics.classifierScore).toBeLessThan(1.01);
    expect(evaluation.alarms[0]).toEqual(first);
    trainer.dispose();
    gan.dispose();
  });

  it('a healthy generator of real digits does not trip it, and its metrics read as real data', async () => {
    const gan = ganOf(false);
    const events: CollapseEvent[] = [];
    const evaluation = new EvaluationCallback({
      every: 2,
      samples: 100,
      atStart: true,
      collapse: { stop: true, onCollapse: (e) => void events.push(e) },
    });
    const trainer = trainerOf(gan, [evaluation]);
    await trainer.fit(digits, { steps: 4 });
    expect(trainer.step).toBe(4);
    expect(events).toEqual([]);
    expect(evaluation.records.map((r) => r.step)).toEqual([0, 2, 4]);
    for (const { metrics } of evaluation.records) {
      expect(metrics.histogramKl).toBeLessThan(0.2);
      expect(metrics.duplicateShare).toBeLessThan(0.5);
      expect(metrics.classifierScore).toBeGreaterThan(7);
      expect(metrics.confidentShare).toBeGreaterThan(0.85);
    }
    // Same noise every time, generator unchanged: the same numbers at every evaluation.
    expect(evaluation.records[2]?.metrics).toEqual(evaluation.records[0]?.metrics);
    trainer.dispose();
    gan.dispose();
  });

  it('leaks no tensors across a fit, with its own judge or a given evaluator', async () => {
    const gan = ganOf(false);
    const judge = MnistJudge.load();
    const own = new EvaluationCallback({ every: 1, samples: 20 });
    const given = new EvaluationCallback({ every: 1, samples: 20, evaluator: mnistEvaluator(judge) });
    const trainer = trainerOf(gan, [own, given]);
    await trainer.fit(digits, { steps: 2 });
    const before = tf.memory().numTensors;
    await trainer.fit(digits, { steps: 2 });
    expect(tf.memory().numTensors).toBe(before);
    expect(own.records.map((r) => r.step)).toEqual([1, 2, 3, 4]);
    expect(given.records.at(-1)?.metrics).toEqual(own.records.at(-1)?.metrics);
    judge.dispose();
    trainer.dispose();
    gan.dispose();
  });

  it('validates its options', () => {
    expect(() => new EvaluationCallback({ every: 0 })).toThrow(ConfigError);
    expect(() => new EvaluationCallback({ every: 5, samples: 1 })).toThrow(ConfigError);
    expect(() => new EvaluationCallback({ every: 5, colapse: {} } as never)).toThrow(/collapse/);
    expect(() => new EvaluationCallback({ every: 5, collapse: { maxHistogramKl: -1 } })).toThrow(ConfigError);
  });
});
