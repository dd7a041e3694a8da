/**
 * Every option that shapes a step survives a checkpoint: a resumed run must not silently train
 * differently (the complaint behind stylegan3 #61).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { Trainer } from 'ts-gan';
import 'ts-gan/node';
import { afterAll, expect, test } from 'vitest';
import { tinyData, tinyDiscriminator, tinyGan } from '../../test-shared/fixtures';

const root = mkdtempSync(path.join(tmpdir(), 'ts-gan-options-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Disposes both trainers with their GANs and the data, then checks that nothing leaked. */
function releaseAll(trainer: Trainer, loaded: Trainer, data: tf.Tensor): void {
  for (const t of [loaded, trainer]) {
    t.dispose();
    t.gan.dispose();
  }
  data.dispose();
  expect(tf.memory().numTensors).toBe(0);
}

test('frozenNetworkMode, label smoothing, warm-up and n_critic are restored by Trainer.load', async () => {
  const gan = tinyGan({ buildDiscriminator: (ctx) => tinyDiscriminator(ctx, true) });
  const trainer = new Trainer(gan, {
    batchSize: 4,
    frozenNetworkMode: 'training',
    labelSmoothing: 0.1,
    warmupSteps: 1,
    discriminatorSteps: 2,
  });
  const data = tinyData();
  await trainer.fit(data, { steps: 2 });
  const dir = path.join(root, 'ckpt');
  await trainer.save(dir);
  const loaded = await Trainer.load(dir);
  expect(loaded.frozenNetworkMode).toBe('training');
  expect(loaded.labelSmoothing).toBe(0.1);
  expect(loaded.warmupSteps).toBe(1);
  expect(loaded.discriminatorSteps).toBe(2);
  expect(loaded.step).toBe(2);
  releaseAll(trainer, loaded, data);
});

test('adamBetas reach both default Adams and survive Trainer.load, in their optimizers', async () => {
  const gan = tinyGan();
  const trainer = new Trainer(gan, { batchSize: 4, adamBetas: [0, 0.99] });
  const betas = (t: Trainer) =>
    [t.generatorOptimizer, t.discriminatorOptimizer].map((o) => {
      const c = o.getConfig() as { beta1: number; beta2: number };
      return [c.beta1, c.beta2];
    });
  expect(betas(trainer)).toEqual([
    [0, 0.99],
    [0, 0.99],
  ]);
  const data = tinyData();
  await trainer.fit(data, { steps: 1 });
  const dir = path.join(root, 'betas');
  await trainer.save(dir);
  const loaded = await Trainer.load(dir);
  expect(betas(loaded)).toEqual([
    [0, 0.99],
    [0, 0.99],
  ]);
  releaseAll(trainer, loaded, data);
});
