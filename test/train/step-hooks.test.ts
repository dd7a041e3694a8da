/**
 * The step and its hooks: the built-in step is an ordinary StepFunction, regularizers are hooks a
 * step runs (once, whoever calls them), lazy penalties run every k-th step, the option table is
 * the one source of the option keys, and an unconditional GAN trains through the identity conditioning.
 */
import * as tf from '@tensorflow/tfjs-core';
import {
  ConfigError,
  type DiscriminatorPenalty,
  discriminatorUpdate,
  generatorUpdate,
  type InputTransform,
  instanceNoiseTransform,
  SeededRandom,
  type StepFunction,
  standardStep,
  Trainer,
} from 'ts-gan';
import { describe, expect, test } from 'vitest';
import { relativisticStep } from '../../examples/custom-step/relativistic-step';
import { IDENTITY_CONDITIONING } from '../../src/conditional/step-conditioning';
import { REGULARIZERS } from '../../src/regularizers/registry';
import {
  EXPECTABLE_OPTION_KEYS,
  LOAD_OPTION_KEYS,
  optionKeys,
  TRAINER_OPTION_KEYS,
  TRAINER_OPTIONS,
} from '../../src/train/trainer-options';
import { snapshot, tinyData, tinyGan } from '../support/fixtures';

async function train(options: ConstructorParameters<typeof Trainer>[1], steps: number, loss?: 'wasserstein') {
  const gan = tinyGan({ seed: 5, ...(loss && { loss }) });
  const trainer = new Trainer(gan, { batchSize: 4, seed: 3, now: () => 0, ...options });
  const data = tinyData();
  const history = await trainer.fit(data, { steps });
  const weights = [...snapshot(gan.generator), ...snapshot(gan.discriminator)];
  const emaUpdates = trainer.ema?.updates;
  data.dispose();
  trainer.dispose();
  gan.dispose();
  return { weights, history, emaUpdates };
}

describe('the built-in step is a StepFunction', () => {
  test('passing standardStep as the step option trains bit-identically to the default', async () => {
    const options = { discriminatorSteps: 2, r1: { gamma: 1 }, ema: { decay: 0.9 }, warmupSteps: 1 };
    const byDefault = await train(options, 4);
    const explicit = await train({ ...options, step: standardStep }, 4);
    expect(explicit.weights).toEqual(byDefault.weights);
    expect(explicit.history.values).toEqual(byDefault.history.values);
    expect(tf.memory().numTensors).toBe(0);
  });
});

describe('after-update hooks run once per call, or once after a step that never calls them', () => {
  test('a step that calls afterGeneratorUpdate twice averages twice; one that never calls it, once', async () => {
    const twice: StepFunction = (ctx) => {
      const out = relativisticStep(ctx);
      ctx.afterGeneratorUpdate();
      ctx.afterGeneratorUpdate();
      return out;
    };
    expect((await train({ step: twice, ema: { decay: 0.9 } }, 3)).emaUpdates).toBe(6);
    expect((await train({ step: relativisticStep, ema: { decay: 0.9 } }, 3)).emaUpdates).toBe(3);
    // Not during warm-up, unless the step calls it.
    expect((await train({ step: relativisticStep, ema: { decay: 0.9 }, warmupSteps: 2 }, 3)).emaUpdates).toBe(1);
  });

  test('weight clipping runs where the step calls it: between its updates', async () => {
    let clippedBetween = true;
    const step: StepFunction = (ctx) => {
      const out = relativisticStep(ctx);
      ctx.afterDiscriminatorUpdate();
      for (const v of ctx.discriminatorVariables) {
        if ((tf.max(tf.abs(v)).dataSync()[0] as number) > 0.01) clippedBetween = false;
      }
      return out;
    };
    await train({ step, weightClip: 0.01 }, 2, 'wasserstein');
    expect(clippedBetween).toBe(true);
    expect(tf.memory().numTensors).toBe(0);
  });
});

describe('lazy regularization', () => {
  test('a penalty with every: 2 runs on even steps only', async () => {
    const lazy = await train({ r1: { gamma: 10, every: 2 } }, 4);
    // Logged under its name on the steps it ran (History fills the rest with its own gaps).
    expect(lazy.history.values.r1?.filter((v) => Number.isFinite(v))).toHaveLength(2);
    // Step 1 does not run it: one step equals one step without it.
    expect((await train({ r1: { gamma: 10, every: 2 } }, 1)).weights).toEqual((await train({}, 1)).weights);
    // Step 2 does.
    expect((await train({ r1: { gamma: 10, every: 2 } }, 2)).weights).not.toEqual((await train({}, 2)).weights);
    // every: 1 is every step.
    expect((await train({ r1: { gamma: 10, every: 1 } }, 3)).weights).toEqual(
      (await train({ r1: { gamma: 10 } }, 3)).weights,
    );
  });

  test('custom penalties take every too, and a bad every is refused', () => {
    const gan = tinyGan();
    const bad: DiscriminatorPenalty = { name: 'p', every: 0, compute: () => tf.scalar(0) };
    expect(() => new Trainer(gan, { penalties: [bad] })).toThrow(ConfigError);
    expect(() => new Trainer(gan, { r2: { gamma: 1, every: 1.5 } })).toThrow(/every/);
    expect(() => new Trainer(gan, { gradientPenalty: { every: -1 } })).toThrow(/every/);
    gan.dispose();
  });
});

describe('input transforms', () => {
  test('instanceNoiseTransform as inputTransforms equals instanceNoiseStd, bit for bit, and leaks nothing', () => {
    const update = (options: { instanceNoiseStd?: number; inputTransforms?: InputTransform[] }) => {
      const gan = tinyGan({ seed: 5 });
      const optimizer = tf.train.sgd(0.1);
      const real = tinyData(4);
      const before = tf.memory().numTensors;
      const loss = tf.tidy(() => {
        const d = discriminatorUpdate(gan, optimizer, real, new SeededRandom(3), options);
        return tf.add(generatorUpdate(gan, optimizer, 4, new SeededRandom(4), { ...options, real }), d.loss);
      });
      const value = loss.dataSync()[0];
      loss.dispose();
      const leaked = tf.memory().numTensors - before;
      const weights = snapshot(gan.discriminator);
      real.dispose();
      optimizer.dispose();
      gan.dispose();
      return { value, weights, leaked };
    };
    const byStd = update({ instanceNoiseStd: 0.1 });
    const byTransform = update({ inputTransforms: [instanceNoiseTransform(0.1)] });
    const none = update({});
    expect(byTransform.value).toBe(byStd.value);
    expect(byTransform.weights).toEqual(byStd.weights);
    expect(byTransform.value).not.toBe(none.value);
    expect(byTransform.leaked).toBe(0);
  });
});

describe('one option table', () => {
  test('every option is declared once with how a checkpoint keeps it, regularizers included', () => {
    expect([...TRAINER_OPTION_KEYS].sort()).toEqual(Object.keys(TRAINER_OPTIONS).sort());
    for (const r of REGULARIZERS) {
      expect(TRAINER_OPTION_KEYS).toContain(r.option);
      expect(TRAINER_OPTIONS[r.option as keyof typeof TRAINER_OPTIONS].keep).toBe(r.checkpoint);
    }
    expect(optionKeys('field').sort()).toEqual([
      'batchSize',
      'discriminatorSteps',
      'labelSmoothing',
      'logEvery',
      'warmupSteps',
    ]);
    expect(optionKeys('code').sort()).toEqual(['penalties', 'step']);
    expect(optionKeys('json').sort()).toEqual(
      ['augment', 'ema', 'frozenNetworkMode', 'gradientPenalty', 'instanceNoise', 'r1', 'r2', 'weightClip'].sort(),
    );
    expect([...LOAD_OPTION_KEYS].sort()).toEqual(
      [
        'callbacks',
        'discriminatorOptimizer',
        'generatorOptimizer',
        'logEvery',
        'now',
        'penalties',
        'step',
        'terminateOnNaN',
      ].sort(),
    );
    expect(EXPECTABLE_OPTION_KEYS).toEqual(['batchSize', 'discriminatorSteps']);
  });
});

describe('the identity conditioning', () => {
  test('draws nothing from the stream and calls the networks on their data input alone', () => {
    const gan = tinyGan();
    const rng = new SeededRandom(7);
    const before = JSON.stringify(rng.getState());
    const drawn = IDENTITY_CONDITIONING.draw(4, rng);
    expect(JSON.stringify(rng.getState())).toBe(before);
    expect(drawn).toEqual({ input: undefined, labels: undefined });
    const z = tf.ones([4, 4]);
    const x = IDENTITY_CONDITIONING.generate(gan.generator, z, drawn, false);
    const direct = gan.generator.apply(z, { training: false }) as tf.Tensor;
    expect(x.dataSync()).toEqual(direct.dataSync());
    const d = IDENTITY_CONDITIONING.discriminate(gan.discriminator, x, drawn, false);
    expect(d.aux).toBeUndefined();
    expect(IDENTITY_CONDITIONING.discriminatorAuxLoss(undefined, undefined, undefined, drawn)).toBeUndefined();
    tf.dispose([z, x, direct, d.logits]);
    gan.dispose();
  });
});
