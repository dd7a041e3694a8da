/**
 * The library in a real browser, on the backend this vitest instance was given: construct a GAN,
 * train a few steps, sample, and release every tensor.
 */
import * as tf from '@tensorflow/tfjs-core';
import { GAN, r1Penalty, r2Penalty, StateError, Trainer, type TrainerOptions } from 'ts-gan';
import { afterEach, expect, inject, test } from 'vitest';
import { LATENT, SHAPE, tinyData, tinyGan } from '../test-shared/fixtures';

afterEach(() => {
  // Every test must leave tfjs where the setup put it (a test that switched backends restores it).
  expect(tf.getBackend()).toBe(inject('backend'));
});

test('a GAN trains a few steps and samples finite values in the generator range', async () => {
  const before = tf.memory().numTensors;
  const gan = tinyGan();
  const trainer = new Trainer(gan, { batchSize: 4 });
  const data = tinyData();
  const history = await trainer.fit(data, { steps: 3 });
  expect(history.steps).toEqual([1, 2, 3]);
  for (const key of ['dLoss', 'gLoss', 'dReal', 'dFake']) {
    const column = history.values[key] ?? [];
    expect(column).toHaveLength(3);
    for (const v of column) expect(Number.isFinite(v), `${key} = ${v}`).toBe(true);
  }
  // D(x) and D(G(z)) are means of sigmoids.
  for (const v of [...(history.values.dReal ?? []), ...(history.values.dFake ?? [])]) {
    expect(v).toBeGreaterThan(0);
    expect(v).toBeLessThan(1);
  }

  const samples = gan.sample(5, { seed: 3 });
  expect(samples.shape).toEqual([5, ...SHAPE]);
  const values = await samples.data();
  for (const v of values) {
    expect(Number.isFinite(v)).toBe(true);
    expect(Math.abs(v)).toBeLessThanOrEqual(1); // tanh output
  }
  // The same seed gives the same noise, so the same samples.
  const again = gan.sample(5, { seed: 3 });
  expect(Array.from(await again.data())).toEqual(Array.from(values));

  samples.dispose();
  again.dispose();
  data.dispose();
  trainer.dispose();
  gan.dispose();
  expect(tf.memory().numTensors).toBe(before);
  expect(() => gan.sample(1)).toThrow(StateError);
});

test('training, sampling and discriminating leak no tensors after warm-up', async () => {
  const gan = tinyGan({ seed: 7 });
  const trainer = new Trainer(gan, { batchSize: 4, logEvery: 2 });
  const data = tinyData();
  // Warm-up: Adam creates its moment variables on the first update.
  await trainer.fit(data, { steps: 1 });
  const warm = tf.memory().numTensors;
  const warmBuffers = tf.memory().numDataBuffers;

  await trainer.fit(data, { steps: 3 });
  expect(tf.memory().numTensors).toBe(warm);
  // The backend's own storage too: a kernel that leaks its scratch buffers shows here, not in numTensors.
  expect(tf.memory().numDataBuffers).toBe(warmBuffers);

  const z = tf.zeros([2, LATENT]);
  const generated = gan.generate(z);
  const logits = gan.discriminate(generated);
  expect(logits.shape).toEqual([2, 1]);
  tf.dispose([z, generated, logits, gan.sample(2)]);
  expect(tf.memory().numTensors).toBe(warm);
  expect(tf.memory().numDataBuffers).toBe(warmBuffers);
  expect(trainer.step).toBe(4);

  data.dispose();
  trainer.dispose();
  gan.dispose();
});

test('a GAN built from ready models takes ownership and disposes them', () => {
  const before = tf.memory().numTensors;
  const donor = tinyGan({ seed: 2 });
  const gan = new GAN({
    latentDim: LATENT,
    dataShape: SHAPE,
    generator: donor.generator,
    discriminator: donor.discriminator,
  });
  const s = gan.sample(1);
  expect(s.shape).toEqual([1, ...SHAPE]);
  s.dispose();
  gan.dispose();
  expect(tf.memory().numTensors).toBe(before);
});

test('R1, R2 and WGAN-GP differentiate twice through LeakyReLU, sharing the forward pass, without leaks', async () => {
  const run = async (options: TrainerOptions) => {
    const gan = tinyGan({ seed: 5 });
    const trainer = new Trainer(gan, { batchSize: 4, ...options });
    const data = tinyData();
    await trainer.fit(data, { steps: 1 });
    const warm = tf.memory().numTensors;
    const history = await trainer.fit(data, { steps: 3 });
    const leaked = tf.memory().numTensors - warm;
    data.dispose();
    trainer.dispose();
    gan.dispose();
    return { history, leaked };
  };
  const shared = await run({ r1: { gamma: 1 }, r2: { gamma: 0.5 } });
  // The same penalties without inputGradientOf run the discriminator a second time.
  const { compute: r1 } = r1Penalty({ gamma: 1 });
  const { compute: r2 } = r2Penalty({ gamma: 0.5 });
  const twice = await run({
    penalties: [
      { name: 'r1', compute: r1 },
      { name: 'r2', compute: r2 },
    ],
  });
  for (const key of ['r1', 'r2', 'dLoss']) {
    const a = shared.history.values[key] ?? [];
    expect(a).toHaveLength(3);
    for (const [i, v] of a.entries()) {
      expect(Number.isFinite(v), `${key} = ${v}`).toBe(true);
      expect(v).toBeCloseTo((twice.history.values[key] ?? [])[i] as number, 3);
    }
  }
  expect((shared.history.values.r1 ?? []).some((v) => v > 0)).toBe(true);
  const gp = await run({ gradientPenalty: { weight: 10 } });
  expect(gp.history.values.gradientPenalty?.every((v) => Number.isFinite(v) && v >= 0)).toBe(true);
  expect([shared.leaked, twice.leaked, gp.leaked]).toEqual([0, 0, 0]);
});
