/**
 * Checkpoints written by an earlier version of the library still load: a trainer checkpoint and a
 * GAN save, committed under test/fixtures/old-checkpoint/, with what they held (step, options,
 * the sha256 of every weight, and the weights two more steps give) recorded when they were written.
 * `WRITE_OLD_CHECKPOINT=1 npx vitest run test/io/old-checkpoint.test.ts` rewrites them (only do
 * that for a deliberate format change).
 */
import { createHash } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { GAN, Trainer } from 'ts-gan';
import 'ts-gan/node';
import { describe, expect, test } from 'vitest';
import { tinyData, tinyGan } from '../support/fixtures';

const DIR = fileURLToPath(new URL('../fixtures/old-checkpoint/', import.meta.url));
const WRITE = process.env.WRITE_OLD_CHECKPOINT === '1';

interface Recorded {
  step: number;
  options: Record<string, unknown>;
  trainerWeights: string[];
  afterTwoMoreSteps: string[];
  ganWeights: string[];
}

const hash = (t: tf.Tensor) =>
  createHash('sha256')
    .update(new Uint8Array((t.dataSync() as Float32Array).buffer))
    .digest('hex');
const hashes = (m: tfl.LayersModel) => m.weights.map((w) => hash(w.read()));
function trainerWeights(trainer: Trainer): string[] {
  return [
    ...hashes(trainer.gan.generator),
    ...hashes(trainer.gan.discriminator),
    ...(trainer.ema?.variables ?? []).map(hash),
  ];
}

/** The options a checkpoint keeps, as the trainer reports them. */
function optionsOf(trainer: Trainer): Record<string, unknown> {
  return {
    batchSize: trainer.batchSize,
    discriminatorSteps: trainer.discriminatorSteps,
    labelSmoothing: trainer.labelSmoothing,
    warmupSteps: trainer.warmupSteps,
    logEvery: trainer.logEvery,
    frozenNetworkMode: trainer.frozenNetworkMode,
    penalties: trainer.regularizers.penalties.map((p) => p.name),
    weightClip: trainer.regularizers.weightClip ?? null,
    instanceNoiseStdAt3: trainer.regularizers.instanceNoise?.stdAt(3) ?? null,
    emaDecay: trainer.ema?.decay ?? null,
    emaUpdates: trainer.ema?.updates ?? null,
  };
}

async function twoMoreSteps(trainer: Trainer): Promise<string[]> {
  const data = tinyData(16);
  await trainer.fit(data, { steps: 2 });
  data.dispose();
  return trainerWeights(trainer);
}

describe('checkpoints written before still load', () => {
  // Defined only when rewriting, so that a normal run neither writes nor skips.
  if (WRITE)
    test('writes the fixture', async () => {
      rmSync(DIR, { recursive: true, force: true });
      const gan = tinyGan();
      const trainer = new Trainer(gan, {
        batchSize: 4,
        seed: 3,
        discriminatorSteps: 2,
        labelSmoothing: 0.1,
        logEvery: 2,
        r1: { gamma: 1 },
        instanceNoise: { std: 0.1, annealSteps: 10 },
        ema: { decay: 0.9 },
      });
      const data = tinyData(16);
      await trainer.fit(data, { steps: 3 });
      data.dispose();
      await trainer.save(`file://${DIR}trainer`);
      await gan.save(`file://${DIR}gan`);
      const recorded: Recorded = {
        step: trainer.step,
        options: optionsOf(trainer),
        trainerWeights: trainerWeights(trainer),
        ganWeights: [...hashes(gan.generator), ...hashes(gan.discriminator)],
        afterTwoMoreSteps: await twoMoreSteps(trainer),
      };
      writeFileSync(`${DIR}recorded.json`, `${JSON.stringify(recorded, null, 1)}\n`);
      trainer.dispose();
      gan.dispose();
    });

  test('a trainer checkpoint: step, options, weights, and the next steps', async () => {
    const recorded: Recorded = JSON.parse(readFileSync(`${DIR}recorded.json`, 'utf8'));
    const before = tf.memory().numTensors;
    const trainer = await Trainer.load(`file://${DIR}trainer`, { expect: { batchSize: 4, discriminatorSteps: 2 } });
    expect(trainer.step).toBe(recorded.step);
    expect(optionsOf(trainer)).toEqual(recorded.options);
    expect(trainerWeights(trainer)).toEqual(recorded.trainerWeights);
    expect(await twoMoreSteps(trainer)).toEqual(recorded.afterTwoMoreSteps);
    trainer.dispose();
    trainer.gan.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  test('a GAN save: its weights', async () => {
    const recorded: Recorded = JSON.parse(readFileSync(`${DIR}recorded.json`, 'utf8'));
    const gan = await GAN.load(`file://${DIR}gan`);
    expect([...hashes(gan.generator), ...hashes(gan.discriminator)]).toEqual(recorded.ganWeights);
    gan.dispose();
  });
});
