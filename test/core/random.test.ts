import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import fc from 'fast-check';
import { SeededRandom, Trainer, withSeededMathRandom } from 'ts-gan';
import { describe, expect, test } from 'vitest';
import { INIT_STREAM_OFFSET, SAMPLE_STREAM_OFFSET, TRAIN_STREAM_OFFSET } from '../../src/random';
import { LATENT, SHAPE, tinyDiscriminator, tinyGan, tinyGenerator } from '../../test-shared/fixtures';

describe('SeededRandom', () => {
  test('matches an independent xoshiro128** + splitmix32 implementation (Python, big integers)', () => {
    const rng = new SeededRandom(42);
    const first = Array.from({ length: 5 }, () => rng.nextUint32());
    expect(first).toEqual([2837322924, 544945897, 479756282, 3500138142, 339756180]);
  });

  test('a restored state continues the same stream', () => {
    fc.assert(
      fc.property(fc.integer(), fc.integer({ min: 0, max: 50 }), (seed, skip) => {
        const a = new SeededRandom(seed);
        for (let i = 0; i < skip; i++) a.nextUint32();
        const b = SeededRandom.fromState(a.getState());
        return Array.from({ length: 8 }, () => a.nextUint32() === b.nextUint32()).every(Boolean);
      }),
    );
  });

  test('normals have mean 0 and variance 1 within sampling error', () => {
    const n = 200_000;
    const z = new SeededRandom(3).normal(n);
    const mean = z.reduce((a, b) => a + b, 0) / n;
    const variance = z.reduce((a, b) => a + (b - mean) ** 2, 0) / n;
    // Standard errors: 1/sqrt(n) = 0.0022 for the mean, sqrt(2/n) = 0.0032 for the variance.
    expect(Math.abs(mean)).toBeLessThan(0.01);
    expect(Math.abs(variance - 1)).toBeLessThan(0.015);
  });

  test('integers stay in [0, max) and hit every value', () => {
    const xs = new SeededRandom(5).integers(10_000, 7);
    const counts = new Array(7).fill(0);
    for (const x of xs) counts[x]++;
    expect(counts.every((c) => c > 1200 && c < 1700)).toBe(true);
  });

  test('an odd normal count consumes the same stream as the next even count', () => {
    const a = new SeededRandom(9);
    const b = new SeededRandom(9);
    a.normal(3);
    b.normal(4);
    expect(a.nextUint32()).toBe(b.nextUint32());
  });

  test('refuses an invalid state', () => {
    expect(() => SeededRandom.fromState([0, 0, 0, 0])).toThrowError(/not all zero/);
    expect(() => SeededRandom.fromState([1, 2, 3] as never)).toThrowError(/four unsigned 32-bit integers/);
  });
});

test('withSeededMathRandom seeds Math.random and restores it', () => {
  const original = Math.random;
  const a = withSeededMathRandom(new SeededRandom(1), () => [Math.random(), Math.random()]);
  const b = withSeededMathRandom(new SeededRandom(1), () => [Math.random(), Math.random()]);
  expect(a).toEqual(b);
  expect(Math.random).toBe(original);
  expect(() =>
    withSeededMathRandom(new SeededRandom(1), () => {
      throw new Error('x');
    }),
  ).toThrowError('x');
  expect(Math.random).toBe(original);
});

describe('the streams a seed derives (their offsets are part of the checkpoint format)', () => {
  test('weights: the factories run on the seed itself', () => {
    expect(INIT_STREAM_OFFSET).toBe(0);
    const gan = tinyGan({ seed: 7 });
    const again = withSeededMathRandom(new SeededRandom(7 + INIT_STREAM_OFFSET), () => [
      tinyGenerator({ latentDim: LATENT, dataShape: SHAPE }),
      tinyDiscriminator({ dataShape: SHAPE }),
    ]);
    const weights = (models: tfl.LayersModel[]) => models.flatMap((m) => m.getWeights().map((w) => [...w.dataSync()]));
    expect(weights(again)).toEqual(weights([gan.generator, gan.discriminator]));
    for (const m of again) m.dispose();
    gan.dispose();
  });

  test('sampling: GAN.sample without a seed reads the stream at seed + 0x5eed', () => {
    expect(SAMPLE_STREAM_OFFSET).toBe(0x5eed);
    const gan = tinyGan({ seed: 7 });
    const own = gan.sample(3);
    const z = tf.tensor2d(new SeededRandom(7 + SAMPLE_STREAM_OFFSET).normal(3 * LATENT), [3, LATENT]);
    const expected = gan.generate(z);
    expect([...own.dataSync()]).toEqual([...expected.dataSync()]);
    tf.dispose([own, z, expected]);
    gan.dispose();
  });

  test('training: a Trainer without a seed starts at seed + 0x7a11', () => {
    expect(TRAIN_STREAM_OFFSET).toBe(0x7a11);
    const gan = tinyGan({ seed: 7 });
    const trainer = new Trainer(gan);
    expect(trainer.getRandomState()).toEqual(new SeededRandom(7 + TRAIN_STREAM_OFFSET).getState());
    trainer.dispose();
    gan.dispose();
  });
});
