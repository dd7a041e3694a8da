/**
 * DiffAugment on this backend: the augmentations' kernels (batched matMul, means, masks) and their
 * gradients run inside a training step, leak-free.
 */
import * as tf from '@tensorflow/tfjs-core';
import { diffAugment, Trainer } from 'ts-gan';
import { expect, test } from 'vitest';
import { tinyGan } from '../test-shared/fixtures';

test('diffAugment is seeded, zero-filled by translation and cutout, the identity at probability 0', async () => {
  const before = tf.memory().numTensors;
  const x = tf.fill([4, 8, 8, 3], 0.5);
  const [ta, tb, tsame] = [
    diffAugment(x, { policy: ['translation', 'cutout'] }, 1),
    diffAugment(x, { policy: ['translation', 'cutout'] }, 1),
    diffAugment(x, { probability: 0 }, 2),
  ];
  const [a, b] = [await ta.data(), await tb.data()];
  expect(Array.from(a)).toEqual(Array.from(b));
  // A constant image stays 0.5 where it is kept and becomes 0 where it is shifted out or cut.
  for (const v of a) expect(v === 0 || Math.abs(v - 0.5) < 1e-6).toBe(true);
  expect(Array.from(a).filter((v) => v === 0).length).toBeGreaterThan(0);
  expect(Array.from(await tsame.data())).toEqual(Array.from(await x.data()));
  tf.dispose([x, ta, tb, tsame]);
  expect(tf.memory().numTensors).toBe(before);
});

test('a trainer with augment trains on images and leaks nothing', async () => {
  const before = tf.memory().numTensors;
  const gan = tinyGan({ dataShape: [8, 8, 3] });
  const trainer = new Trainer(gan, { batchSize: 4, augment: {} });
  const data = tf.randomUniform([16, 8, 8, 3], -1, 1, 'float32', 1);
  const history = await trainer.fit(data, { steps: 2 });
  for (const v of history.values.dLoss ?? []) expect(Number.isFinite(v)).toBe(true);
  const warm = tf.memory().numTensors;
  await trainer.fit(data, { steps: 2 });
  expect(tf.memory().numTensors).toBe(warm);
  data.dispose();
  trainer.dispose();
  gan.dispose();
  expect(tf.memory().numTensors).toBe(before);
});
