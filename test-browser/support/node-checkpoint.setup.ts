/**
 * Global setup (runs in Node, once per browser instance): trains the tiny GAN on Node's cpu backend,
 * saves a trainer checkpoint with the Node file store, and keeps what Node computes next, so the
 * browser tests can check that a checkpoint written on Node loads in a browser (served over http by
 * the test server) and continues exactly.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { Trainer } from 'ts-gan';
import 'ts-gan/node';
import type { TestProject } from 'vitest/node';
import { tinyData } from '../../test-shared/fixtures';
import { parityGan } from './networks';

/** Steps before the save, and again after it. */
export const NODE_STEPS = 2;
export const NODE_SEED = 31;
export const NODE_BATCH = 4;

export default async function setup(project: TestProject): Promise<void> {
  await tf.setBackend('cpu');
  const relative = `test-output/browser-fixtures/${project.name}/node-checkpoint`;
  const dir = fileURLToPath(new URL(`../../${relative}`, import.meta.url));
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });

  const gan = parityGan(NODE_SEED);
  const trainer = new Trainer(gan, { batchSize: NODE_BATCH });
  const data = tinyData();
  await trainer.fit(data, { steps: NODE_STEPS });
  await trainer.save(dir);
  const sample = gan.sample(4, { seed: 1 });
  const sampleAtSave = Array.from(await sample.data());
  await trainer.fit(data, { steps: NODE_STEPS });
  const weightsAfter = await Promise.all(
    [...gan.generator.weights, ...gan.discriminator.weights].map(async (w) => Array.from(await w.read().data())),
  );
  tf.dispose([sample, data]);
  trainer.dispose();
  gan.dispose();

  project.provide('nodeCheckpoint', { path: `/${relative}`, steps: NODE_STEPS, sampleAtSave, weightsAfter });
}
