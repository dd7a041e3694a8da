/**
 * Tiny Dense-only networks and data for fast tests (mimicry's ExampleGen/ExampleDis).
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { GAN, type GANConfig, presets, Trainer, type TrainerOptions } from 'ts-gan';

export const LATENT = 4;
export const SHAPE = [2, 2, 1] as const;

export function tinyGenerator(
  { latentDim, dataShape }: { latentDim: number; dataShape: readonly number[] },
  batchNorm = true,
) {
  const size = dataShape.reduce((a, b) => a * b, 1);
  const layers: tfl.layers.Layer[] = [tfl.layers.dense({ units: 8, inputShape: [latentDim] })];
  if (batchNorm) layers.push(tfl.layers.batchNormalization({ momentum: 0.8 }));
  layers.push(tfl.layers.leakyReLU({ alpha: 0.2 }));
  layers.push(tfl.layers.dense({ units: size, activation: 'tanh' }));
  layers.push(tfl.layers.reshape({ targetShape: [...dataShape] }));
  return tfl.sequential({ layers });
}

export function tinyDiscriminator({ dataShape }: { dataShape: readonly number[] }, batchNorm = false) {
  const layers: tfl.layers.Layer[] = [
    tfl.layers.flatten({ inputShape: [...dataShape] }),
    tfl.layers.dense({ units: 8 }),
  ];
  if (batchNorm) layers.push(tfl.layers.batchNormalization({ momentum: 0.8 }));
  layers.push(tfl.layers.leakyReLU({ alpha: 0.2 }));
  layers.push(tfl.layers.dense({ units: 1 }));
  return tfl.sequential({ layers });
}

export function tinyGan(overrides: Partial<GANConfig> = {}): GAN {
  return new GAN({
    latentDim: LATENT,
    dataShape: SHAPE,
    buildGenerator: (ctx) => tinyGenerator(ctx),
    buildDiscriminator: (ctx) => tinyDiscriminator(ctx),
    seed: 1,
    ...overrides,
  });
}

/** 16 samples in [-1, 1] of shape [2, 2, 1]: a fixed pattern plus a little structured variation. */
export function tinyData(n = 16): tf.Tensor4D {
  const values = new Float32Array(n * 4);
  for (let i = 0; i < n; i++) {
    const t = (i / n) * 2 - 1;
    values.set([0.8, -0.8, 0.5 * t, -0.5 * t], i * 4);
  }
  return tf.tensor4d(values, [n, 2, 2, 1]);
}

/** Every weight of a model, BatchNorm moving statistics included, as plain arrays. */
export function snapshot(model: tfl.LayersModel): Float32Array[] {
  return model.weights.map((w) => w.read().dataSync() as Float32Array);
}

/**
 * Trains `gan` on `data` for `steps` and returns every weight of both networks as plain arrays;
 * disposes the trainer, the GAN and the data. For bit-identity tests of backend fixes.
 */
export async function trainedWeights(
  gan: GAN,
  data: tf.Tensor,
  options: TrainerOptions,
  steps: number,
): Promise<number[][]> {
  const trainer = new Trainer(gan, options);
  await trainer.fit(data, { steps });
  const weights = [...snapshot(gan.generator), ...snapshot(gan.discriminator)].map((w) => Array.from(w));
  trainer.dispose();
  gan.dispose();
  data.dispose();
  return weights;
}

/**
 * Six Trainer steps of a small BatchNorm MLP GAN (the seed preset, narrow) on 40 seeded 4x4
 * samples uniform in [-range, range]; returns the trained weights.
 */
export function narrowMlpRun(range: number): Promise<number[][]> {
  const gan = new GAN({
    ...presets.mlp({ generatorUnits: [16, 32], discriminatorUnits: [24, 12] }),
    latentDim: 8,
    dataShape: [4, 4, 1],
    seed: 2,
  });
  const data = tf.randomUniform([40, 4, 4, 1], -range, range, 'float32', 6);
  return trainedWeights(gan, data, { batchSize: 8, seed: 3, logEvery: 5 }, 6);
}
