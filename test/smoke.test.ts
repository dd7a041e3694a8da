import * as tf from '@tensorflow/tfjs-core';
import { Trainer } from 'ts-gan';
import { expect, test } from 'vitest';
import { tinyData, tinyGan } from './support/fixtures';

test('smoke: a tiny GAN trains and samples', async () => {
  const gan = tinyGan();
  const trainer = new Trainer(gan, { batchSize: 4 });
  const data = tinyData();
  const history = await trainer.fit(data, { steps: 5 });
  expect(history.steps).toEqual([1, 2, 3, 4, 5]);
  const s = gan.sample(3);
  expect(s.shape).toEqual([3, 2, 2, 1]);
  s.dispose();
  data.dispose();
  trainer.dispose();
  gan.dispose();
  expect(tf.memory().numTensors).toBe(0);
});
