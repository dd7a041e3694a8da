/**
 * The divergence alarm: it stops a run whose losses explode while staying finite (Adam at a
 * learning rate of 1e3), names the step and the loss, and stays quiet on healthy runs of every
 * built-in loss, the Wasserstein critic's unbounded one included.
 */
import * as tf from '@tensorflow/tfjs-core';
import {
  ConfigError,
  DivergenceAlarm,
  DivergenceError,
  type DivergenceEvent,
  LOSS_NAMES,
  type StepLogs,
  Trainer,
  type TrainerOptions,
} from 'ts-gan';
import { describe, expect, test } from 'vitest';
import { blob, toyGan } from '../support/family';

/** Adam at 1e3: the run whose generator loss reached 1e16 and still exited 0. */
const EXPLODING: TrainerOptions = { batchSize: 16, generatorLearningRate: 1e3, discriminatorLearningRate: 1e3 };

const logs = (gLoss: number, dLoss = 1): StepLogs => ({ dLoss, gLoss, dReal: 0.5, dFake: 0.5, stepsPerSecond: 1 });

describe('DivergenceAlarm', () => {
  test('without it, a run at learning rate 1e3 trains to the end with losses far past any healthy value', async () => {
    const gan = toyGan();
    const data = blob(64);
    const trainer = new Trainer(gan, EXPLODING);
    const history = await trainer.fit(data, { steps: 40 });
    const worst = Math.max(
      ...(history.values.gLoss ?? []).map(Math.abs),
      ...(history.values.dLoss ?? []).map(Math.abs),
    );
    expect(worst).toBeGreaterThan(1e6);
    trainer.dispose();
    gan.dispose();
    data.dispose();
  });

  test('stops that run with a DivergenceError naming the step and the loss, and leaks nothing', async () => {
    const gan = toyGan();
    const data = blob(64);
    const before = tf.memory().numTensors;
    const events: DivergenceEvent[] = [];
    const trainer = new Trainer(gan, {
      ...EXPLODING,
      callbacks: [new DivergenceAlarm({ onDivergence: (e) => void events.push(e) })],
    });
    const err = await trainer.fit(data, { steps: 40 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DivergenceError);
    const e = err as DivergenceError;
    expect(e.code).toBe('ERR_GAN_DIVERGED');
    expect(e.step).toBe(trainer.step);
    expect(e.step).toBeLessThan(40);
    expect(e.message).toMatch(new RegExp(`^Training diverged at step ${e.step}: ${e.loss} is \\S+ \\(\\|${e.loss}\\|`));
    expect(Math.abs(e.value)).toBeGreaterThan(1e3);
    expect(events).toEqual([
      { step: e.step, loss: e.loss, value: e.value, reason: expect.any(String), message: e.message },
    ]);
    trainer.dispose();
    expect(tf.memory().numTensors).toBe(before);
    gan.dispose();
    data.dispose();
  });

  test('report mode calls onDivergence once and lets the run finish', async () => {
    const alarm = new DivergenceAlarm({ action: 'report' });
    const gan = toyGan();
    const data = blob(64);
    const trainer = new Trainer(gan, { ...EXPLODING, callbacks: [alarm] });
    await trainer.fit(data, { steps: 40 });
    expect(trainer.step).toBe(40);
    expect(alarm.event?.step).toBeLessThan(40);
    trainer.dispose();
    gan.dispose();
    data.dispose();
  });

  test('the rule: an absolute limit, and growth over the recent median above a floor', async () => {
    const alarm = new DivergenceAlarm({ action: 'report' });
    alarm.onTrainBegin({} as never);
    // A slow drift (the Wasserstein critic's) never fires the relative rule.
    for (let step = 1; step <= 200; step++) await alarm.onStepEnd(step, logs(-step * 50));
    expect(alarm.event).toBeUndefined();
    // A jump of more than 100x the recent median, above 1e3, does.
    await alarm.onStepEnd(201, logs(-2e6 + 1));
    expect(alarm.event?.reason).toBe('|gLoss| above 1000000');
    alarm.onTrainBegin({} as never);
    for (let step = 1; step <= 30; step++) await alarm.onStepEnd(step, logs(2));
    await alarm.onStepEnd(31, logs(900)); // 450x, but below the floor: a bad step, not divergence
    expect(alarm.event).toBeUndefined();
    await alarm.onStepEnd(32, logs(5000));
    expect(alarm.event).toMatchObject({ step: 32, loss: 'gLoss', value: 5000 });
    expect(alarm.event?.reason).toBe('|gLoss| above 1000 and 100 times its recent median 2');
    // NaN is TerminateOnNaN's.
    alarm.onTrainBegin({} as never);
    await alarm.onStepEnd(1, logs(Number.NaN));
    expect(alarm.event).toBeUndefined();
  });

  test('refuses bad options', () => {
    expect(() => new DivergenceAlarm({ action: 'halt' as never })).toThrowError(ConfigError);
    expect(() => new DivergenceAlarm({ absoluteLimit: 0 })).toThrowError(/absoluteLimit must be/);
    expect(() => new DivergenceAlarm({ window: 1.5 })).toThrowError(/window must be a positive integer/);
  });

  test.each(LOSS_NAMES)('stays quiet on a healthy run with the %s loss', async (loss) => {
    const gan = toyGan({ loss });
    const data = blob(256);
    const options: TrainerOptions =
      loss === 'wasserstein'
        ? { batchSize: 32, gradientPenalty: { weight: 10 }, discriminatorSteps: 2, adamBetas: [0.5, 0.9] }
        : { batchSize: 32 };
    const trainer = new Trainer(gan, { ...options, callbacks: [new DivergenceAlarm()] });
    const history = await trainer.fit(data, { steps: 200 });
    expect(history.steps).toHaveLength(200);
    trainer.dispose();
    gan.dispose();
    data.dispose();
  });
});
