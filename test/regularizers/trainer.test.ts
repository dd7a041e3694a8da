import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import {
  ConfigError,
  type DiscriminatorPenalty,
  discriminatorUpdate,
  GAN,
  generatorUpdate,
  r1Penalty,
  r2Penalty,
  SeededRandom,
  type StepFunction,
  Trainer,
} from 'ts-gan';
import { describe, expect, test } from 'vitest';
import { snapshot, tinyData, tinyGan, tinyGenerator } from '../../test-shared/fixtures';
import { toyGan } from '../support/family';

function wganGan(seed = 1) {
  return tinyGan({ loss: 'wasserstein', seed, buildGenerator: (ctx) => tinyGenerator(ctx, false) });
}

describe('regularizer options of the Trainer', () => {
  test('WGAN-GP trains a LeakyReLU critic and logs the penalty; reruns are bit-identical', async () => {
    const run = async () => {
      const gan = wganGan();
      const trainer = new Trainer(gan, { batchSize: 4, discriminatorSteps: 2, gradientPenalty: { weight: 10 } });
      const data = tinyData();
      const history = await trainer.fit(data, { steps: 4 });
      const weights = snapshot(gan.discriminator);
      data.dispose();
      trainer.dispose();
      gan.dispose();
      return { history, weights };
    };
    const a = await run();
    const b = await run();
    const gp = a.history.values.gradientPenalty as number[];
    expect(gp).toHaveLength(4);
    expect(gp.every((v) => Number.isFinite(v) && v >= 0)).toBe(true);
    expect(b.weights).toEqual(a.weights);
    expect(tf.memory().numTensors).toBe(0);
  });

  test('WGAN-GP trains through conv layers (cpu)', async () => {
    const gan = new GAN({
      latentDim: 4,
      dataShape: [4, 4, 1],
      loss: 'wasserstein',
      buildGenerator: ({ latentDim }) =>
        tfl.sequential({
          layers: [
            tfl.layers.dense({ inputShape: [latentDim], units: 2 * 2 * 4 }),
            tfl.layers.reshape({ targetShape: [2, 2, 4] }),
            tfl.layers.conv2dTranspose({ filters: 1, kernelSize: 3, strides: 2, padding: 'same', activation: 'tanh' }),
          ],
        }),
      buildDiscriminator: ({ dataShape }) =>
        tfl.sequential({
          layers: [
            tfl.layers.conv2d({ inputShape: [...dataShape], filters: 4, kernelSize: 3, strides: 2, padding: 'same' }),
            tfl.layers.leakyReLU({ alpha: 0.2 }),
            tfl.layers.flatten(),
            tfl.layers.dense({ units: 1 }),
          ],
        }),
    });
    const trainer = new Trainer(gan, { batchSize: 4, gradientPenalty: {} });
    const data = tf.randomUniform([8, 4, 4, 1], -1, 1, 'float32', 1);
    const d0 = snapshot(gan.discriminator);
    const history = await trainer.fit(data, { steps: 2 });
    expect(history.values.gradientPenalty?.every(Number.isFinite)).toBe(true);
    expect(snapshot(gan.discriminator)[0]).not.toEqual(d0[0]);
    data.dispose();
    trainer.dispose();
    gan.dispose();
  });

  test('R1 and R2 compose with the non-saturating loss and are logged under their names', async () => {
    const gan = tinyGan();
    const trainer = new Trainer(gan, { batchSize: 4, r1: { gamma: 1 }, r2: { gamma: 0.5 } });
    const data = tinyData();
    const history = await trainer.fit(data, { steps: 2 });
    expect(Object.keys(history.values)).toEqual(expect.arrayContaining(['r1', 'r2', 'dLoss']));
    data.dispose();
    trainer.dispose();
    gan.dispose();
  });

  test.each([
    ['unconditional', {}],
    ['ACGAN (auxiliary head)', { numClasses: 2, conditioning: 'auxiliary' as const }],
  ])('R1 and R2 reuse the loss forward pass, %s: same loss, penalties and weights, no leak', (_, config) => {
    const labels = tf.tensor1d([0, 1, 1, 0], 'int32');
    const real = tf.tensor2d([0.5, -0.2, 0.9, 0.1, -0.4, 0.7, 0.3, 0.3], [4, 2]);
    // Without inputGradientOf, the penalties fall back to running the discriminator again.
    const separate = [r1Penalty({ gamma: 1 }), r2Penalty({ gamma: 0.5 })].map(({ name, compute }) => ({
      name,
      compute,
    }));
    const update = (penalties: readonly DiscriminatorPenalty[]) => {
      const numTensors = tf.memory().numTensors;
      const gan = toyGan(config);
      const optimizer = tf.train.adam(0.01);
      const values = tf.tidy(() => {
        const d = discriminatorUpdate(gan, optimizer, real, new SeededRandom(3), {
          penalties,
          withStats: true,
          ...(gan.conditioning ? { labels } : {}),
        });
        return [d.loss, d.penalties?.r1, d.penalties?.r2, d.dReal].map((t) => t?.dataSync()[0]);
      });
      const weights = snapshot(gan.discriminator);
      optimizer.dispose();
      gan.dispose();
      return { values, weights, leaked: tf.memory().numTensors - numTensors };
    };
    const shared = update([r1Penalty({ gamma: 1 }), r2Penalty({ gamma: 0.5 })]);
    const twice = update(separate);
    expect(shared.values.every((v) => v !== undefined && Number.isFinite(v))).toBe(true);
    expect(shared.values[1]).toBeGreaterThan(0);
    for (const [i, v] of shared.values.entries()) expect(v).toBeCloseTo(twice.values[i] as number, 5);
    for (const [i, w] of shared.weights.entries()) {
      for (const [j, x] of w.entries()) expect(x).toBeCloseTo((twice.weights[i] as Float32Array)[j] as number, 5);
    }
    expect(shared.leaked).toBe(0);
    expect(twice.leaked).toBe(0);
    labels.dispose();
    real.dispose();
  });

  test('a penalty that asks for the real input gradient gets the gradient of the loss forward pass', () => {
    const gan = tinyGan();
    const data = tinyData();
    const real = tf.slice(data, 0, 4);
    const optimizer = tf.train.sgd(0.1);
    let seen: number[] = [];
    let expected: number[] = [];
    const probe: DiscriminatorPenalty = {
      name: 'probe',
      inputGradientOf: 'real',
      compute: ({ inputGradients, critic, real: x }) => {
        seen = Array.from(inputGradients?.real?.dataSync() ?? []);
        expected = Array.from(
          tf
            .grad((input: tf.Tensor) => tf.sum(critic(input)))(x)
            .dataSync(),
        );
        return tf.scalar(0);
      },
    };
    tf.tidy(() => {
      discriminatorUpdate(gan, optimizer, real, new SeededRandom(3), { penalties: [probe] });
    });
    expect(seen).toHaveLength(real.size);
    for (const [i, v] of seen.entries()) expect(v).toBeCloseTo(expected[i] as number, 6);
    optimizer.dispose();
    tf.dispose([data, real]);
    gan.dispose();
  });

  test('weight clipping keeps every critic weight in [-c, c], and is refused with other losses', async () => {
    const gan = wganGan();
    const trainer = new Trainer(gan, { batchSize: 4, weightClip: 0.01, discriminatorSteps: 3 });
    const data = tinyData();
    await trainer.fit(data, { steps: 3 });
    for (const w of gan.discriminator.trainableWeights) {
      const v = w.read().dataSync();
      expect(v.every((x) => Math.abs(x) <= Math.fround(0.01))).toBe(true);
    }
    data.dispose();
    trainer.dispose();
    gan.dispose();

    const ns = tinyGan();
    expect(() => new Trainer(ns, { weightClip: 0.01 })).toThrow(/weightClip needs a Wasserstein loss/);
    const w = wganGan();
    expect(() => new Trainer(w, { weightClip: 0.01, gradientPenalty: {} })).toThrow(/not both/);
    expect(() => new Trainer(w, { gradientPenalty: { weight: 0 } })).toThrow(ConfigError);
    expect(() => new Trainer(w, { instanceNoise: { std: -1 } })).toThrow(/instanceNoise: std/);
    expect(() => new Trainer(w, { ema: { decay: 2 } })).toThrow(/ema: decay/);
    expect(
      () => new Trainer(w, { r1: { gamma: 1 }, penalties: [{ name: 'r1', compute: () => tf.scalar(0) }] }),
    ).toThrow(/two penalties are named "r1"/);
    const sideways = { name: 'mine', inputGradientOf: 'both', compute: () => tf.scalar(0) };
    expect(() => new Trainer(w, { penalties: [sideways as unknown as DiscriminatorPenalty] })).toThrow(
      /penalties\[0\]\.inputGradientOf must be "real", "fake" or left out, got "both"/,
    );
    ns.dispose();
    w.dispose();
    expect(tf.memory().numTensors).toBe(0);
  });

  test('instance noise changes the trajectory, repeatably, and annealed to zero it changes nothing more', async () => {
    const run = async (options: object) => {
      const gan = tinyGan();
      const trainer = new Trainer(gan, { batchSize: 4, ...options });
      const data = tinyData();
      await trainer.fit(data, { steps: 3 });
      const w = snapshot(gan.generator);
      data.dispose();
      trainer.dispose();
      gan.dispose();
      return w;
    };
    const plain = await run({});
    const noisy = await run({ instanceNoise: { std: 0.3 } });
    expect(await run({ instanceNoise: { std: 0.3 } })).toEqual(noisy);
    expect(noisy).not.toEqual(plain);
  });

  test('EMA: updated once per generator update, samples with averaged weights, no leak', async () => {
    const gan = tinyGan();
    const trainer = new Trainer(gan, { batchSize: 4, ema: { decay: 0.5 }, warmupSteps: 1 });
    const data = tinyData();
    await trainer.fit(data, { steps: 3 });
    expect(trainer.ema?.updates).toBe(2);
    const before = tf.memory().numTensors;
    const raw = gan.sample(2, { seed: 1 });
    const averaged = trainer.ema!.withAveragedWeights(() => gan.sample(2, { seed: 1 }));
    expect(Array.from(averaged.dataSync())).not.toEqual(Array.from(raw.dataSync()));
    const rawAgain = gan.sample(2, { seed: 1 });
    expect(Array.from(rawAgain.dataSync())).toEqual(Array.from(raw.dataSync()));
    tf.dispose([raw, averaged, rawAgain]);
    expect(tf.memory().numTensors).toBe(before);
    await trainer.fit(data, { steps: 2 });
    const afterWarm = tf.memory().numTensors;
    await trainer.fit(data, { steps: 2 });
    expect(tf.memory().numTensors).toBe(afterWarm);
    data.dispose();
    trainer.dispose();
    gan.dispose();
    expect(tf.memory().numTensors).toBe(0);
  });

  test('no leak with every regularizer on', async () => {
    const gan = wganGan();
    const trainer = new Trainer(gan, {
      batchSize: 4,
      gradientPenalty: {},
      r1: { gamma: 1 },
      instanceNoise: { std: 0.1, annealSteps: 3 },
      ema: {},
      logEvery: 2,
    });
    const data = tinyData();
    await trainer.fit(data, { steps: 2 });
    const n = tf.memory().numTensors;
    await trainer.fit(data, { steps: 3 });
    expect(tf.memory().numTensors).toBe(n);
    data.dispose();
    trainer.dispose();
    gan.dispose();
    expect(tf.memory().numTensors).toBe(0);
  });
});

describe('custom steps', () => {
  /** The built-in step written by hand with the public building blocks. */
  const handWritten: StepFunction = (ctx) => {
    let d: ReturnType<typeof discriminatorUpdate> | undefined;
    ctx.reals.forEach((real, k) => {
      const last = k === ctx.reals.length - 1;
      d = discriminatorUpdate(ctx.gan, ctx.discriminatorOptimizer, real, ctx.rng, {
        realLabel: ctx.realLabel,
        withStats: ctx.logged && last,
        varList: ctx.discriminatorVariables,
      });
    });
    const gLoss = generatorUpdate(ctx.gan, ctx.generatorOptimizer, ctx.batchSize, ctx.rng, {
      real: ctx.real,
      varList: ctx.generatorVariables,
    });
    return { dLoss: d!.loss, gLoss, dReal: d!.dReal, dFake: d!.dFake, twice: tf.mul(gLoss, 2) as tf.Scalar };
  };

  test('a hand-written copy of the built-in step gives bit-identical weights, and extras are logged', async () => {
    const run = async (step?: StepFunction) => {
      const gan = tinyGan({ seed: 5 });
      const trainer = new Trainer(gan, { batchSize: 4, discriminatorSteps: 2, labelSmoothing: 0.1, step });
      const data = tinyData();
      const history = await trainer.fit(data, { steps: 4 });
      const w = [...snapshot(gan.generator), ...snapshot(gan.discriminator)];
      data.dispose();
      trainer.dispose();
      gan.dispose();
      return { w, history };
    };
    const builtIn = await run();
    const custom = await run(handWritten);
    expect(custom.w).toEqual(builtIn.w);
    expect(custom.history.values.dLoss).toEqual(builtIn.history.values.dLoss);
    const twice = custom.history.values.twice as number[];
    for (const [i, g] of (custom.history.values.gLoss as number[]).entries()) expect(twice[i]).toBeCloseTo(2 * g, 5);
    expect(tf.memory().numTensors).toBe(0);
  });

  test('the context carries the step number, flags and options', async () => {
    const seen: { step: number; logged: boolean; warmup: boolean; noise: number; penalties: string[] }[] = [];
    const gan = tinyGan();
    const trainer = new Trainer(gan, {
      batchSize: 4,
      logEvery: 2,
      warmupSteps: 1,
      r1: { gamma: 1 },
      instanceNoise: { std: 0.2, annealSteps: 2 },
      step: (ctx) => {
        seen.push({
          step: ctx.step,
          logged: ctx.logged,
          warmup: ctx.warmup,
          noise: ctx.instanceNoiseStd,
          penalties: ctx.penalties.map((p) => p.name),
        });
        return { dLoss: tf.scalar(1), gLoss: tf.scalar(2) };
      },
    });
    const data = tinyData();
    const history = await trainer.fit(data, { steps: 3 });
    expect(seen.map((s) => [s.step, s.logged, s.warmup, s.noise])).toEqual([
      [1, false, true, 0.2],
      [2, true, false, 0.1],
      [3, true, false, 0],
    ]);
    expect(seen[0]?.penalties).toEqual(['r1']);
    expect(history.values.dReal?.every(Number.isNaN)).toBe(true);
    data.dispose();
    trainer.dispose();
    gan.dispose();
  });

  test('a step that returns the wrong thing is refused with a clear error, and nothing leaks', async () => {
    const gan = tinyGan();
    const data = tinyData();
    const bad = new Trainer(gan, { batchSize: 4, step: () => ({ dLoss: tf.scalar(1) }) as never });
    await expect(bad.fit(data, { steps: 1 })).rejects.toThrow(
      /must return an object with scalar tensors dLoss and gLoss/,
    );
    bad.dispose();
    expect(() => new Trainer(gan, { step: 3 as never })).toThrow(/step must be a function/);
    data.dispose();
    gan.dispose();
    expect(tf.memory().numTensors).toBe(0);
  });
});
