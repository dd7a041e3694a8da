import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { ConfigError, GAN, GanError, ShapeError, StateError } from 'ts-gan';
import { describe, expect, test } from 'vitest';
import { LATENT, SHAPE, snapshot, tinyDiscriminator, tinyGan, tinyGenerator } from '../../test-shared/fixtures';

function values(t: tf.Tensor): Float32Array {
  const v = t.dataSync() as Float32Array;
  t.dispose();
  return v;
}

describe('GAN construction', () => {
  test('exposes the two networks and the config', () => {
    const gan = tinyGan();
    expect(gan.generator.outputs[0]?.shape).toEqual([null, 2, 2, 1]);
    expect(gan.discriminator.outputs[0]?.shape).toEqual([null, 1]);
    expect(gan.latentDim).toBe(LATENT);
    expect(gan.dataShape).toEqual(SHAPE);
    expect(gan.loss.name).toBe('non-saturating');
    gan.dispose();
  });

  test('accepts networks already built', () => {
    const generator = tinyGenerator({ latentDim: LATENT, dataShape: SHAPE });
    const discriminator = tinyDiscriminator({ dataShape: SHAPE });
    const gan = new GAN({ latentDim: LATENT, dataShape: SHAPE, generator, discriminator });
    expect(gan.generator).toBe(generator);
    gan.dispose();
  });

  test('the same seed gives bit-identical initial weights; another seed does not', () => {
    const a = tinyGan({ seed: 7 });
    const b = tinyGan({ seed: 7 });
    const c = tinyGan({ seed: 8 });
    expect(snapshot(a.generator)).toEqual(snapshot(b.generator));
    expect(snapshot(a.discriminator)).toEqual(snapshot(b.discriminator));
    expect(snapshot(a.generator)).not.toEqual(snapshot(c.generator));
    for (const g of [a, b, c]) g.dispose();
  });

  test('restores Math.random after the factories run, even when one throws', () => {
    const original = Math.random;
    tinyGan().dispose();
    expect(Math.random).toBe(original);
    expect(() =>
      tinyGan({
        buildDiscriminator: () => {
          throw new Error('boom');
        },
      }),
    ).toThrowError(/buildDiscriminator threw: boom/);
    expect(Math.random).toBe(original);
  });
});

describe('GAN configuration errors', () => {
  const wrongGeneratorOutput = () => tfl.sequential({ layers: [tfl.layers.dense({ units: 3, inputShape: [LATENT] })] });

  const cases: [string, () => unknown, new (...args: never[]) => GanError, RegExp][] = [
    [
      'generator output shape',
      () => tinyGan({ buildGenerator: wrongGeneratorOutput }),
      ShapeError,
      /GAN: buildGenerator output must have shape \[batch, 2, 2, 1\], got \[batch, 3\]\./,
    ],
    [
      'generator input shape',
      () => tinyGan({ buildGenerator: (ctx) => tinyGenerator({ ...ctx, latentDim: 5 }) }),
      ShapeError,
      /buildGenerator input must have shape \[batch, 4\], got \[batch, 5\]/,
    ],
    [
      'discriminator output shape',
      () =>
        tinyGan({
          buildDiscriminator: ({ dataShape }) =>
            tfl.sequential({
              layers: [tfl.layers.flatten({ inputShape: [...dataShape] }), tfl.layers.dense({ units: 2 })],
            }),
        }),
      ShapeError,
      /GAN: buildDiscriminator output must have shape \[batch, 1\], got \[batch, 2\]\./,
    ],
    ['latentDim 0', () => tinyGan({ latentDim: 0 }), ConfigError, /GAN: latentDim must be a positive integer, got 0\./],
    ['latentDim 2.5', () => tinyGan({ latentDim: 2.5 }), ConfigError, /latentDim must be a positive integer, got 2\.5/],
    [
      'dataShape',
      () => tinyGan({ dataShape: [2, 0] }),
      ConfigError,
      /dataShape must be a non-empty array of positive integers, got \[2, 0\]/,
    ],
    ['unknown loss', () => tinyGan({ loss: 'wasserstien' as never }), ConfigError, /Did you mean "wasserstein"/],
    ['unknown option', () => tinyGan({ latentdim: 3 } as never), ConfigError, /unknown option "latentdim"/],
    [
      'factory returns nothing',
      () => tinyGan({ buildGenerator: (() => undefined) as never }),
      ConfigError,
      /buildGenerator must return a tfjs-layers LayersModel, got undefined/,
    ],
    ['no factory', () => tinyGan({ buildGenerator: undefined }), ConfigError, /buildGenerator must be a function/],
    ['seed', () => tinyGan({ seed: 0.5 }), ConfigError, /seed must be an integer, got 0\.5/],
  ];

  test.each(cases)('%s: typed error that says what to fix, nothing leaked', (_name, make, type, message) => {
    const before = tf.memory().numTensors;
    expect(make).toThrowError(type);
    expect(make).toThrowError(message);
    expect(tf.memory().numTensors).toBe(before);
  });

  test('a model and a factory for the same network is refused', () => {
    const generator = tinyGenerator({ latentDim: LATENT, dataShape: SHAPE });
    expect(() => tinyGan({ generator })).toThrowError(/give either generator or buildGenerator, not both/);
    generator.dispose();
  });

  test('errors carry stable codes', () => {
    try {
      tinyGan({ latentDim: -1 });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(GanError);
      expect((err as GanError).code).toBe('ERR_GAN_CONFIG');
    }
  });
});

describe('sampling', () => {
  test('sample(n) is [n, ...dataShape], in the tanh range, repeatable with a seed', () => {
    const gan = tinyGan();
    const a = gan.sample(5, { seed: 3 });
    expect(a.shape).toEqual([5, 2, 2, 1]);
    const av = values(a);
    expect(av.every((v) => v >= -1 && v <= 1)).toBe(true);
    expect(values(gan.sample(5, { seed: 3 }))).toEqual(av);
    expect(values(gan.sample(5, { seed: 4 }))).not.toEqual(av);
    gan.dispose();
  });

  test('sample without a seed advances the GAN own stream, the same way for the same GAN seed', () => {
    const a = tinyGan();
    const b = tinyGan();
    const a1 = values(a.sample(2));
    expect(values(a.sample(2))).not.toEqual(a1);
    expect(values(b.sample(2))).toEqual(a1);
    a.dispose();
    b.dispose();
  });

  test('generate(z) equals the generator in inference mode; bad z is a ShapeError', () => {
    const gan = tinyGan();
    const z = tf.randomNormal([3, LATENT], 0, 1, 'float32', 1);
    const direct = gan.generator.predict(z) as tf.Tensor;
    expect(values(gan.generate(z))).toEqual(values(direct));
    const bad = tf.zeros([3, LATENT + 1]);
    expect(() => gan.generate(bad)).toThrowError(
      /GAN.generate: z must be a tensor of shape \[batch, 4\], got a tensor of shape \[3, 5\]/,
    );
    expect(() => gan.discriminate(bad)).toThrowError(ShapeError);
    const logits = gan.discriminate(tf.zeros([3, 2, 2, 1]));
    expect(logits.shape).toEqual([3, 1]);
    tf.dispose([z, bad, logits]);
    gan.dispose();
  });

  test('bad n is a ConfigError', () => {
    const gan = tinyGan();
    expect(() => gan.sample(0)).toThrowError(/GAN.sample: n must be a positive integer, got 0/);
    gan.dispose();
  });
});

describe('GAN leaks and dispose', () => {
  test('sample, generate and discriminate leak nothing after a warm-up', () => {
    const gan = tinyGan();
    const z = tf.zeros([2, LATENT]);
    const x = tf.zeros([2, 2, 2, 1]);
    const run = () => {
      gan.sample(2).dispose();
      gan.sample(2, { seed: 1 }).dispose();
      gan.generate(z).dispose();
      gan.discriminate(x).dispose();
    };
    run();
    const before = tf.memory().numTensors;
    run();
    run();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([z, x]);
    gan.dispose();
  });

  test('dispose frees every tensor and variable; later calls are StateErrors; twice is fine', () => {
    const before = tf.memory().numTensors;
    const gan = tinyGan();
    gan.sample(2).dispose();
    gan.dispose();
    gan.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(gan.isDisposed).toBe(true);
    expect(() => gan.sample(1)).toThrowError(StateError);
    expect(() => gan.sample(1)).toThrowError(/GAN.sample: this GAN has been disposed/);
  });
});
