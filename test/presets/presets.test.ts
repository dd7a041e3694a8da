import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { ConfigError, GAN, presets, Trainer } from 'ts-gan';
import { describe, expect, test } from 'vitest';

function layerSummary(model: tfl.LayersModel): string[] {
  return model.layers.map((layer) => {
    const c = layer.getConfig() as { units?: number; alpha?: number; momentum?: number; activation?: string };
    const name = layer.getClassName();
    if (name === 'Dense') return `Dense(${c.units}, ${c.activation})`;
    if (name === 'LeakyReLU') return `LeakyReLU(${c.alpha?.toFixed(2)})`;
    if (name === 'BatchNormalization') return `BatchNorm(${c.momentum})`;
    return name;
  });
}

describe('presets.mlp', () => {
  test('builds the seed document network, with Keras-GAN parameter counts', () => {
    const gan = new GAN({ ...presets.mlp(), latentDim: 100, dataShape: [28, 28, 1], seed: 3 });
    expect(layerSummary(gan.generator)).toEqual([
      'Dense(256, linear)',
      'LeakyReLU(0.20)',
      'BatchNorm(0.8)',
      'Dense(512, linear)',
      'LeakyReLU(0.20)',
      'BatchNorm(0.8)',
      'Dense(1024, linear)',
      'LeakyReLU(0.20)',
      'BatchNorm(0.8)',
      'Dense(784, tanh)',
      'Reshape',
    ]);
    expect(layerSummary(gan.discriminator)).toEqual([
      'Flatten',
      'Dense(512, linear)',
      'LeakyReLU(0.20)',
      'Dense(256, linear)',
      'LeakyReLU(0.20)',
      'Dense(1, linear)',
    ]);
    // Keras-GAN gan.py's model.summary(): generator 1,493,520 parameters, discriminator 533,505.
    expect(gan.generator.countParams()).toBe(1_493_520);
    expect(gan.discriminator.countParams()).toBe(533_505);
    gan.dispose();
  });

  test('hidden sizes, momentum and slope are options', () => {
    const preset = presets.mlp({
      generatorUnits: [8],
      discriminatorUnits: [6, 5],
      batchNormMomentum: 0.9,
      leakyAlpha: 0.1,
    });
    const gan = new GAN({ ...preset, latentDim: 3, dataShape: [2, 3, 1] });
    expect(layerSummary(gan.generator)).toEqual([
      'Dense(8, linear)',
      'LeakyReLU(0.10)',
      'BatchNorm(0.9)',
      'Dense(6, tanh)',
      'Reshape',
    ]);
    expect(layerSummary(gan.discriminator)).toEqual([
      'Flatten',
      'Dense(6, linear)',
      'LeakyReLU(0.10)',
      'Dense(5, linear)',
      'LeakyReLU(0.10)',
      'Dense(1, linear)',
    ]);
    gan.dispose();
    const linear = new GAN({
      ...presets.mlp({ generatorUnits: [], discriminatorUnits: [] }),
      latentDim: 2,
      dataShape: [4],
    });
    expect(layerSummary(linear.generator)).toEqual(['Dense(4, tanh)', 'Reshape']);
    linear.dispose();
  });

  test('invalid options are ConfigErrors naming the option', () => {
    expect(() => presets.mlp({ generatorUnits: [256, 0] })).toThrow(
      /presets\.mlp: generatorUnits\[1\] must be a positive integer, got 0/,
    );
    expect(() => presets.mlp({ discriminatorUnits: 5 as unknown as number[] })).toThrow(ConfigError);
    expect(() => presets.mlp({ batchNormMomentum: 1 })).toThrow(/batchNormMomentum must be a number in \[0, 1\)/);
    expect(() => presets.mlp({ hidden: [3] } as never)).toThrow(/unknown option "hidden"/);
  });

  test('the same seed gives the same weights; a small preset GAN trains without leaking', async () => {
    const config = {
      ...presets.mlp({ generatorUnits: [16], discriminatorUnits: [8] }),
      latentDim: 4,
      dataShape: [3, 3, 1],
    };
    const a = new GAN({ ...config, seed: 9 });
    const b = new GAN({ ...config, seed: 9 });
    expect(a.generator.getWeights()[0]?.dataSync()).toEqual(b.generator.getWeights()[0]?.dataSync());
    b.dispose();
    const data = tf.randomUniform([20, 3, 3, 1], -1, 1);
    const trainer = new Trainer(a, { batchSize: 4 });
    await trainer.fit(data, { steps: 1 });
    const warm = tf.memory().numTensors;
    await trainer.fit(data, { steps: 3 });
    expect(tf.memory().numTensors).toBe(warm);
    trainer.dispose();
    a.dispose();
    data.dispose();
  });
});
