/**
 * Training set-ups for the checkpoint tests, shared by the test process and the child processes
 * that resume from a checkpoint. Each builds the same GAN and trainer in any process (seeded).
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { GAN, type NetworkContext, Trainer, type TrainerOptions } from 'ts-gan';
import { maxAbsDiffAll } from '../../test-shared/compare';
import { tinyData } from '../../test-shared/fixtures';
import { mixture, toyDiscriminator, toyGenerator } from './family';

/** A generator with BatchNorm (moving statistics must survive a checkpoint). */
export function bnGenerator({ latentDim, dataShape }: NetworkContext): tfl.LayersModel {
  const size = dataShape.reduce((a, b) => a * b, 1);
  return tfl.sequential({
    layers: [
      tfl.layers.dense({ units: 8, inputShape: [latentDim] }),
      tfl.layers.batchNormalization({ momentum: 0.8 }),
      tfl.layers.leakyReLU({ alpha: 0.2 }),
      tfl.layers.dense({ units: size, activation: 'tanh' }),
      tfl.layers.reshape({ targetShape: [...dataShape] }),
    ],
  });
}

/** A discriminator with dropout (its masks come from the trainer's random stream). */
export function dropoutDiscriminator({ dataShape }: NetworkContext): tfl.LayersModel {
  return tfl.sequential({
    layers: [
      tfl.layers.flatten({ inputShape: [...dataShape] }),
      tfl.layers.dense({ units: 8 }),
      tfl.layers.leakyReLU({ alpha: 0.2 }),
      tfl.layers.dropout({ rate: 0.3 }),
      tfl.layers.dense({ units: 1 }),
    ],
  });
}

export const SCENARIOS = ['adam', 'rmsprop-momentum', 'adamax-adadelta', 'acgan'] as const;
export type Scenario = (typeof SCENARIOS)[number];

/**
 * - adam: the trainer's default Adam for both networks, two D updates per step, warm-up that
 *   spans the save point, label smoothing.
 * - rmsprop-momentum: RMSProp with momentum for G (not centered: tfjs computes sqrt(ms - mg^2 - eps), NaN for small gradients), Nesterov momentum SGD for D,
 *   least-squares loss, a moving average of G and annealed instance noise.
 * - adamax-adadelta: the two tfjs optimizers without getWeights/setWeights support or with it.
 * - acgan: a conditional GAN (ACGAN: the discriminator predicts the class) on labelled 2-D data.
 */
export function buildScenario(scenario: Scenario): Trainer {
  if (scenario === 'acgan') {
    const acgan = new GAN({
      latentDim: 4,
      dataShape: [2],
      buildGenerator: toyGenerator,
      buildDiscriminator: toyDiscriminator,
      numClasses: 4,
      conditioning: 'auxiliary',
      auxiliaryWeight: 0.5,
      seed: 11,
    });
    return new Trainer(acgan, { batchSize: 8 });
  }
  const gan = new GAN({
    latentDim: 4,
    dataShape: [2, 2, 1],
    buildGenerator: bnGenerator,
    buildDiscriminator: dropoutDiscriminator,
    loss: scenario === 'rmsprop-momentum' ? 'least-squares' : 'non-saturating',
    seed: 7,
  });
  const options: TrainerOptions = { batchSize: 4, logEvery: 2 };
  if (scenario === 'adam') Object.assign(options, { discriminatorSteps: 2, warmupSteps: 4, labelSmoothing: 0.1 });
  if (scenario === 'rmsprop-momentum') {
    Object.assign(options, {
      generatorOptimizer: tf.train.rmsprop(1e-3, 0.9, 0.5, 1e-7),
      discriminatorOptimizer: tf.train.momentum(0.01, 0.9, true),
      ema: { decay: 0.9 },
      instanceNoise: { std: 0.1, annealSteps: 10 },
    });
  }
  if (scenario === 'adamax-adadelta') {
    Object.assign(options, {
      generatorOptimizer: tf.train.adamax(2e-3),
      discriminatorOptimizer: tf.train.adadelta(1),
    });
  }
  return new Trainer(gan, options);
}

/** The dataset of a scenario; `dispose` frees it. */
export function scenarioData(scenario: Scenario): { data: Parameters<Trainer['fit']>[0]; dispose: () => void } {
  if (scenario === 'acgan') {
    const { x, labels } = mixture(32, 5);
    return { data: { x, labels }, dispose: () => tf.dispose([x, labels]) };
  }
  const x = tinyData(16);
  return { data: x, dispose: () => x.dispose() };
}

/**
 * Every number that decides the next step and that training changes: all weights of both
 * networks (BatchNorm statistics included), the moving average, the step and the random state.
 * Weights are base64 of their float32 bytes, so equal strings mean bit-identical values.
 */
export interface TrainerFingerprint {
  step: number;
  randomState: number[];
  generator: string[];
  discriminator: string[];
  ema: string[];
}

export function fingerprint(trainer: Trainer): TrainerFingerprint {
  const bytes = (t: tf.Tensor) => Buffer.from((t.dataSync() as Float32Array).buffer).toString('base64');
  return {
    step: trainer.step,
    randomState: [...trainer.getRandomState()],
    generator: trainer.gan.generator.weights.map((w) => bytes(w.read())),
    discriminator: trainer.gan.discriminator.weights.map((w) => bytes(w.read())),
    ema: trainer.ema ? trainer.ema.variables.map(bytes) : [],
  };
}

/** Largest absolute difference between two fingerprints' weights. */
export function maxAbsDifference(a: TrainerFingerprint, b: TrainerFingerprint): number {
  const decode = (s: string) => new Float32Array(new Uint8Array(Buffer.from(s, 'base64')).buffer);
  let max = 0;
  for (const key of ['generator', 'discriminator', 'ema'] as const) {
    max = Math.max(max, maxAbsDiffAll(a[key].map(decode), b[key].map(decode)));
  }
  return max;
}
