/**
 * Checkpoints in browser storage (IndexedDB) on this instance's backend: a trainer saved after N
 * steps, loaded and trained N more, ends where 2N steps in one go end; a GAN saved for deployment
 * samples the same digits after loading; nothing leaks.
 */
import * as tf from '@tensorflow/tfjs-core';
import { CheckpointError, GAN, Trainer } from 'ts-gan';
import { expect, inject, test } from 'vitest';
import { maxAbsDiffAll } from '../test-shared/compare';
import { tinyData, tinyGan } from '../test-shared/fixtures';

const N = 2;

async function allWeights(gan: GAN): Promise<Float32Array[]> {
  return Promise.all(
    [...gan.generator.weights, ...gan.discriminator.weights].map(async (w) => (await w.read().data()) as Float32Array),
  );
}

/** Largest difference of two lists of weights, which must have the same sizes. */
function maxAbsDiff(a: Float32Array[], b: Float32Array[]): number {
  expect(a.map((w) => w.length)).toEqual(b.map((w) => w.length));
  return maxAbsDiffAll(a, b);
}

test('a trainer saved to IndexedDB and loaded continues exactly', async () => {
  const url = `indexeddb://ts-gan-test-trainer-${inject('backend')}`;
  const before = tf.memory().numTensors;
  const data = tinyData();

  // 2N steps in one go.
  const straightGan = tinyGan({ seed: 21 });
  const straight = new Trainer(straightGan, { batchSize: 4 });
  const straightHistory = await straight.fit(data, { steps: 2 * N });
  const expected = await allWeights(straightGan);
  straight.dispose();
  straightGan.dispose();

  // N steps, save, load, N more.
  const firstGan = tinyGan({ seed: 21 });
  const first = new Trainer(firstGan, { batchSize: 4 });
  await first.fit(data, { steps: N });
  await first.save(url);
  first.dispose();
  firstGan.dispose();

  const resumed = await Trainer.load(url, { expect: { dataShape: [2, 2, 1], batchSize: 4 } });
  expect(resumed.step).toBe(N);
  const resumedHistory = await resumed.fit(data, { steps: N });
  expect(resumedHistory.steps).toEqual([N + 1, 2 * N]);
  // The same backend runs the same kernels in the same order: the runs agree to the last bit
  // wherever the backend is deterministic; allow float32 rounding for GPU reductions.
  expect(maxAbsDiff(await allWeights(resumed.gan), expected)).toBeLessThanOrEqual(1e-6);
  expect(resumedHistory.values.gLoss?.[N - 1]).toBeCloseTo(straightHistory.values.gLoss?.[2 * N - 1] as number, 5);

  resumed.dispose();
  resumed.gan.dispose();
  data.dispose();
  expect(tf.memory().numTensors).toBe(before);
});

test('a GAN saved to IndexedDB loads and samples the same values; a missing one is a CheckpointError', async () => {
  const url = `indexeddb://ts-gan-test-gan-${inject('backend')}`;
  const before = tf.memory().numTensors;
  const gan = tinyGan({ seed: 4 });
  const trainer = new Trainer(gan, { batchSize: 4 });
  const data = tinyData();
  await trainer.fit(data, { steps: 2 });
  await gan.save(url);
  const original = gan.sample(6, { seed: 9 });
  const expected = await original.data();

  const loaded = await GAN.load(url);
  expect(loaded.latentDim).toBe(gan.latentDim);
  expect(loaded.dataShape).toEqual(gan.dataShape);
  const again = loaded.sample(6, { seed: 9 });
  const actual = await again.data();
  let diff = 0;
  for (let i = 0; i < expected.length; i++)
    diff = Math.max(diff, Math.abs((actual[i] as number) - (expected[i] as number)));
  expect(diff).toBeLessThanOrEqual(1e-6);

  tf.dispose([original, again, data]);
  trainer.dispose();
  gan.dispose();
  loaded.dispose();
  expect(tf.memory().numTensors).toBe(before);

  await expect(GAN.load(`indexeddb://ts-gan-test-never-saved-${inject('backend')}`)).rejects.toThrow(CheckpointError);
  expect(tf.memory().numTensors).toBe(before);
});

test('a trainer checkpoint written on Node loads over http and continues as it did on Node', async () => {
  const fixture = inject('nodeCheckpoint');
  const url = `${location.origin}${fixture.path}`;
  const before = tf.memory().numTensors;

  const gan = await GAN.load(url);
  const sample = gan.sample(4, { seed: 1 });
  expect(
    maxAbsDiff([(await sample.data()) as Float32Array], [Float32Array.from(fixture.sampleAtSave)]),
  ).toBeLessThanOrEqual(1e-5);
  tf.dispose(sample);
  gan.dispose();

  const trainer = await Trainer.load(url, { expect: { dataShape: [2, 2, 1], batchSize: 4 } });
  expect(trainer.step).toBe(fixture.steps);
  const data = tinyData();
  await trainer.fit(data, { steps: fixture.steps });
  // Other backends than cpu round differently: the parity test's weight tolerance (same network).
  const diff = maxAbsDiff(
    await allWeights(trainer.gan),
    fixture.weightsAfter.map((w) => Float32Array.from(w)),
  );
  expect(diff).toBeLessThanOrEqual(5e-6);
  data.dispose();
  trainer.dispose();
  trainer.gan.dispose();
  expect(tf.memory().numTensors).toBe(before);
});
