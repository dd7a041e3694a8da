import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import fc from 'fast-check';
import {
  type Callback,
  ConfigError,
  discriminatorUpdate,
  generatorUpdate,
  NonFiniteLossError,
  SeededRandom,
  ShapeError,
  StateError,
  Trainer,
} from 'ts-gan';
import { describe, expect, test } from 'vitest';
import { snapshot, tinyData, tinyDiscriminator, tinyGan, tinyGenerator } from '../../test-shared/fixtures';

/** A GAN with BatchNorm in both networks, so the freeze test covers moving statistics. */
function batchNormGan() {
  return tinyGan({
    buildGenerator: (ctx) => tinyGenerator(ctx, true),
    buildDiscriminator: (ctx) => tinyDiscriminator(ctx, true),
  });
}

function changed(before: Float32Array[], after: Float32Array[]): boolean[] {
  return before.map((b, i) => b.some((v, j) => v !== (after[i] as Float32Array)[j]));
}

describe('freezing', () => {
  test('a discriminator update leaves every generator weight bit-identical, BatchNorm statistics included', () => {
    const gan = batchNormGan();
    const optimizer = tf.train.adam(0.01);
    const real = tinyData(8);
    const g0 = snapshot(gan.generator);
    const d0 = snapshot(gan.discriminator);
    tf.tidy(() => {
      discriminatorUpdate(gan, optimizer, real, new SeededRandom(1));
    });
    expect(changed(g0, snapshot(gan.generator)).some(Boolean)).toBe(false);
    // The update did something: every discriminator weight moved, BatchNorm statistics too.
    expect(changed(d0, snapshot(gan.discriminator)).every(Boolean)).toBe(true);
    tf.dispose(real);
    optimizer.dispose();
    gan.dispose();
  });

  test('a generator update leaves every discriminator weight bit-identical, BatchNorm statistics included', () => {
    const gan = batchNormGan();
    const optimizer = tf.train.adam(0.01);
    const g0 = snapshot(gan.generator);
    const d0 = snapshot(gan.discriminator);
    tf.tidy(() => {
      generatorUpdate(gan, optimizer, 8, new SeededRandom(1));
    });
    expect(changed(d0, snapshot(gan.discriminator)).some(Boolean)).toBe(false);
    expect(changed(g0, snapshot(gan.generator)).every(Boolean)).toBe(true);
    optimizer.dispose();
    gan.dispose();
  });

  test('warm-up steps train the discriminator only', async () => {
    const gan = batchNormGan();
    const trainer = new Trainer(gan, { batchSize: 4, warmupSteps: 2 });
    const data = tinyData();
    const g0 = snapshot(gan.generator);
    const history = await trainer.fit(data, { steps: 2 });
    expect(changed(g0, snapshot(gan.generator)).some(Boolean)).toBe(false);
    expect(Number.isFinite(history.values.gLoss?.[1])).toBe(true);
    expect(trainer.generatorOptimizer.iterations).toBe(0);
    await trainer.fit(data, { steps: 1 });
    expect(trainer.generatorOptimizer.iterations).toBe(1);
    data.dispose();
    trainer.dispose();
    gan.dispose();
  });
});

describe('update counts', () => {
  test('discriminatorSteps = k makes exactly k discriminator updates per generator update', async () => {
    const data = tinyData();
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 3 }), async (k, steps) => {
        const gan = tinyGan();
        const trainer = new Trainer(gan, { batchSize: 2, discriminatorSteps: k });
        await trainer.fit(data, { steps });
        const ok =
          trainer.discriminatorOptimizer.iterations === k * steps &&
          trainer.generatorOptimizer.iterations === steps &&
          trainer.step === steps;
        trainer.dispose();
        gan.dispose();
        return ok;
      }),
      { numRuns: 8 },
    );
    data.dispose();
  });
});

describe('determinism', () => {
  /** A discriminator with dropout, so the test also covers dropout masks (drawn from Math.random). */
  function dropoutDiscriminator({ dataShape }: { dataShape: readonly number[] }) {
    return tfl.sequential({
      layers: [
        tfl.layers.flatten({ inputShape: [...dataShape] }),
        tfl.layers.dense({ units: 8, activation: 'relu' }),
        tfl.layers.dropout({ rate: 0.3 }),
        tfl.layers.dense({ units: 1 }),
      ],
    });
  }

  async function train(seed: number) {
    const gan = tinyGan({ seed, buildDiscriminator: dropoutDiscriminator });
    const trainer = new Trainer(gan, { batchSize: 4, discriminatorSteps: 2 });
    const data = tinyData();
    await trainer.fit(data, { steps: 6 });
    const weights = [...snapshot(gan.generator), ...snapshot(gan.discriminator)];
    data.dispose();
    trainer.dispose();
    gan.dispose();
    return weights;
  }

  test('two runs with the same seed give bit-identical weights on cpu (dropout included); another seed differs', async () => {
    const a = await train(11);
    const b = await train(11);
    const c = await train(12);
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
  });
});

describe('fit', () => {
  test('logs numbers for each logged step; logEvery thins them; the last step is always logged', async () => {
    const gan = tinyGan();
    const trainer = new Trainer(gan, { batchSize: 4, logEvery: 3 });
    const data = tinyData();
    const seen: [number, string[]][] = [];
    const history = await trainer.fit(data, {
      steps: 7,
      callbacks: [{ onStepEnd: (step, logs) => void seen.push([step, Object.keys(logs)]) }],
    });
    expect(history.steps).toEqual([3, 6, 7]);
    expect(seen.map(([s]) => s)).toEqual([3, 6, 7]);
    expect(seen[0]?.[1].sort()).toEqual(['dFake', 'dLoss', 'dReal', 'gLoss', 'stepsPerSecond']);
    for (const key of ['dLoss', 'gLoss', 'dReal', 'dFake']) {
      for (const v of history.values[key] ?? []) expect(typeof v === 'number' && Number.isFinite(v)).toBe(true);
    }
    for (const v of history.values.dReal ?? []) expect(v > 0 && v < 1).toBe(true);
    data.dispose();
    trainer.dispose();
    gan.dispose();
  });

  test('callbacks run in order: begin, step begin/end, end; classes and plain objects alike', async () => {
    const gan = tinyGan();
    const events: string[] = [];
    class Recorder implements Callback {
      async onTrainBegin() {
        events.push('class:begin');
      }
      onTrainEnd() {
        events.push('class:end');
      }
    }
    const trainer = new Trainer(gan, {
      batchSize: 2,
      callbacks: [
        new Recorder(),
        {
          onTrainBegin: (info) => void events.push(`begin:${info.steps}:${info.initialStep}`),
          onStepBegin: async (step) => {
            await Promise.resolve();
            events.push(`stepBegin:${step}`);
          },
          onStepEnd: (step) => void events.push(`stepEnd:${step}`),
          onTrainEnd: (info) => void events.push(`end:${info.finalStep}:${info.reason}`),
        },
      ],
    });
    const data = tinyData();
    await trainer.fit(data, { steps: 2 });
    expect(events).toEqual([
      'class:begin',
      'begin:2:0',
      'stepBegin:1',
      'stepEnd:1',
      'stepBegin:2',
      'stepEnd:2',
      'class:end',
      'end:2:completed',
    ]);
    data.dispose();
    trainer.dispose();
    gan.dispose();
  });

  test('stop() from a callback ends the fit after the current step', async () => {
    const gan = tinyGan();
    const trainer = new Trainer(gan, { batchSize: 2 });
    const data = tinyData();
    let reason = '';
    const history = await trainer.fit(data, {
      steps: 100,
      callbacks: [
        {
          onStepEnd: (step) => (step === 3 ? trainer.stop() : undefined),
          onTrainEnd: (i) => {
            reason = i.reason;
          },
        },
      ],
    });
    expect(trainer.step).toBe(3);
    expect(history.steps.at(-1)).toBe(3);
    expect(reason).toBe('stopped');
    // A stopped trainer can fit again.
    await trainer.fit(data, { steps: 1 });
    expect(trainer.step).toBe(4);
    data.dispose();
    trainer.dispose();
    gan.dispose();
  });

  test('refuses a second fit while one runs', async () => {
    const gan = tinyGan();
    const trainer = new Trainer(gan, { batchSize: 2 });
    const data = tinyData();
    let second: Promise<unknown> | undefined;
    await trainer.fit(data, {
      steps: 1,
      callbacks: [
        {
          onTrainBegin: () => {
            second = trainer.fit(data, { steps: 1 });
          },
        },
      ],
    });
    await expect(second).rejects.toThrowError(StateError);
    await expect(second).rejects.toThrowError(/a fit is already running/);
    data.dispose();
    trainer.dispose();
    gan.dispose();
  });

  test('trains from sync and async iterables, disposing each batch, and ends when data runs out', async () => {
    const gan = tinyGan();
    const trainer = new Trainer(gan, { batchSize: 2 });
    function* batches(n: number) {
      for (let i = 0; i < n; i++) yield tf.tidy(() => tf.slice(tinyData(), [i, 0, 0, 0], [2, 2, 2, 1]));
    }
    async function* asyncBatches(n: number) {
      yield* batches(n);
    }
    await trainer.fit(batches(1), { steps: 1 }); // warm-up: optimizers create their slots
    const before = tf.memory().numTensors;
    let reason = '';
    await trainer.fit(batches(3), { steps: 3 });
    await trainer.fit(asyncBatches(2), {
      steps: 5,
      callbacks: [
        {
          onTrainEnd: (i) => {
            reason = i.reason;
          },
        },
      ],
    });
    expect(trainer.step).toBe(6);
    expect(reason).toBe('data-exhausted');
    expect(tf.memory().numTensors).toBe(before);
    trainer.dispose();
    gan.dispose();
  });

  test('a NaN loss stops training with the step and the loss named', async () => {
    const gan = tinyGan();
    const trainer = new Trainer(gan, { batchSize: 2 });
    const data = tf.fill([4, 2, 2, 1], Number.NaN);
    const run = trainer.fit(data, { steps: 5 });
    await expect(run).rejects.toThrowError(NonFiniteLossError);
    await expect(trainer.fit(data, { steps: 5 })).rejects.toThrowError(/Training stopped at step 2: dLoss is NaN/);
    expect(trainer.isTraining).toBe(false);
    data.dispose();
    trainer.dispose();
    gan.dispose();
  });
});

describe('leaks', () => {
  test('fit leaks no tensor after a warm-up fit, and dispose returns to the starting count', async () => {
    const start = tf.memory().numTensors;
    const gan = tinyGan();
    const trainer = new Trainer(gan, { batchSize: 4, discriminatorSteps: 2, labelSmoothing: 0.1, logEvery: 2 });
    const data = tinyData();
    await trainer.fit(data, { steps: 2 }); // optimizers create their slots here
    const warm = tf.memory().numTensors;
    await trainer.fit(data, { steps: 5 });
    expect(tf.memory().numTensors).toBe(warm);
    data.dispose();
    trainer.dispose();
    gan.dispose();
    expect(tf.memory().numTensors).toBe(start);
  });
});

describe('trainer errors', () => {
  const cases: [string, Record<string, unknown>, RegExp][] = [
    ['batch size 0', { batchSize: 0 }, /Trainer: batchSize must be a positive integer, got 0\./],
    ['discriminatorSteps', { discriminatorSteps: 1.5 }, /discriminatorSteps must be a positive integer, got 1\.5/],
    ['label smoothing range', { labelSmoothing: 0.7 }, /labelSmoothing must be a number in \[0, 0\.5\), got 0\.7/],
    ['warm-up', { warmupSteps: -1 }, /warmupSteps must be a non-negative integer, got -1/],
    ['logEvery', { logEvery: 0 }, /logEvery must be a positive integer/],
    ['learning rate', { generatorLearningRate: 0 }, /generatorLearningRate must be a positive number, got 0/],
    ['unknown option', { batchsize: 3 }, /Trainer: unknown option "batchsize"/],
    [
      'optimizer and rate',
      { generatorOptimizer: tf.train.sgd(0.1), generatorLearningRate: 0.1 },
      /give generatorOptimizer or generatorLearningRate, not both/,
    ],
    ['not an optimizer', { discriminatorOptimizer: {} }, /discriminatorOptimizer must be a tf.Optimizer/],
    ['adam betas shape', { adamBetas: [0.5] }, /adamBetas must be \[beta1, beta2\], got \[0\.5\]/],
    ['adam beta2 of 1', { adamBetas: [0, 1] }, /adamBetas\[1\] must be a number in \[0, 1\), got 1\./],
    [
      'adam betas beside an optimizer',
      { discriminatorOptimizer: tf.train.sgd(0.1), adamBetas: [0, 0.99] },
      /adamBetas sets the default Adams' betas, and discriminatorOptimizer was given/,
    ],
    // The generator's default Adam would be created before the discriminator option is read.
    [
      'bad second rate',
      { discriminatorLearningRate: -1 },
      /discriminatorLearningRate must be a positive number, got -1/,
    ],
  ];

  test.each(cases)('%s: ConfigError at construction, nothing leaked', (_n, options, message) => {
    const gan = tinyGan();
    const before = tf.memory().numTensors;
    expect(() => new Trainer(gan, options)).toThrowError(ConfigError);
    expect(() => new Trainer(gan, options)).toThrowError(message);
    expect(tf.memory().numTensors).toBe(before);
    gan.dispose();
  });

  test('label smoothing with a loss where it means nothing is refused', () => {
    const gan = tinyGan({ loss: 'hinge' });
    expect(() => new Trainer(gan, { labelSmoothing: 0.1 })).toThrowError(/not meaningful with the "hinge" loss/);
    gan.dispose();
  });

  test('one optimizer for both networks is refused', () => {
    const gan = tinyGan();
    const shared = tf.train.adam();
    expect(() => new Trainer(gan, { generatorOptimizer: shared, discriminatorOptimizer: shared })).toThrowError(
      /must be two different optimizers/,
    );
    shared.dispose();
    gan.dispose();
  });

  test('data whose shape does not match dataShape: ShapeError, nothing trained, nothing leaked', async () => {
    const gan = tinyGan();
    const trainer = new Trainer(gan, { batchSize: 2 });
    const bad = tf.zeros([8, 3, 3, 1]);
    const before = tf.memory().numTensors;
    const d0 = snapshot(gan.discriminator);
    await expect(trainer.fit(bad, { steps: 2 })).rejects.toThrowError(ShapeError);
    await expect(trainer.fit(bad, { steps: 2 })).rejects.toThrowError(
      /Trainer.fit: data must have shape \[batch, 2, 2, 1\] to match dataShape, got a tensor of shape \[8, 3, 3, 1\]/,
    );
    async function* badBatches() {
      yield tf.zeros([2, 4]);
    }
    await expect(trainer.fit(badBatches(), { steps: 2 })).rejects.toThrowError(/each batch must have shape/);
    expect(trainer.step).toBe(0);
    expect(snapshot(gan.discriminator)).toEqual(d0);
    expect(tf.memory().numTensors).toBe(before);
    await expect(trainer.fit(42 as never, { steps: 1 })).rejects.toThrowError(/data must be a tensor/);
    await expect(trainer.fit(bad, { steps: 0 })).rejects.toThrowError(/steps must be a positive integer, got 0/);
    bad.dispose();
    trainer.dispose();
    gan.dispose();
  });

  test('a disposed trainer or GAN refuses to fit', async () => {
    const gan = tinyGan();
    const trainer = new Trainer(gan);
    const data = tinyData();
    trainer.dispose();
    await expect(trainer.fit(data, { steps: 1 })).rejects.toThrowError(/this trainer has been disposed/);
    const other = new Trainer(gan);
    gan.dispose();
    await expect(other.fit(data, { steps: 1 })).rejects.toThrowError(/this GAN has been disposed/);
    other.dispose();
    data.dispose();
  });
});
