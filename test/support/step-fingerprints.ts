/**
 * Short cpu runs of the trainer in every configuration that shapes a step, each reduced to a
 * fingerprint: the sha256 of every weight's float32 bytes (both networks, BatchNorm statistics
 * included, and the moving average when there is one) and every logged number. The committed
 * fixture test/fixtures/step-fingerprints.json holds the fingerprints of the code that wrote it;
 * test/train/step-fingerprints.test.ts recomputes them and compares exactly.
 */
import { createHash } from 'node:crypto';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import {
  type DiscriminatorPenalty,
  type GAN,
  type GanLoss,
  type StepFunction,
  Trainer,
  type TrainerOptions,
} from 'ts-gan';
import { relativisticStep } from '../../examples/custom-step/relativistic-step';
import { mixture, toyGan } from './family';
import { tinyData, tinyGan } from './fixtures';

export interface Fingerprint {
  /** sha256 of each weight of generator, discriminator and moving average, in order. */
  weights: string[];
  /** Every logged entry of every logged step, as `step key value` with the value's exact bits. */
  logs: string[];
}

interface Run {
  gan: () => GAN;
  data: () => { x: tf.Tensor; labels?: tf.Tensor1D };
  options: TrainerOptions;
  steps: number;
}

const tiny = () => ({ x: tinyData(16) });
const labelled = () => {
  const { x, labels } = mixture(32);
  return { x, labels };
};

/** A custom penalty: the mean squared real logit, weighted 0.5. */
const logitPenalty: DiscriminatorPenalty = {
  name: 'logitPenalty',
  compute: ({ realLogits }) => tf.mul(0.5, tf.mean(tf.square(realLogits))) as tf.Scalar,
};

/** A relativistic loss: the generator's loss needs the real logits. */
const relativistic: GanLoss = {
  name: 'relativistic',
  needsRealLogitsForGenerator: true,
  discriminatorLoss: (r, f) => tf.mean(tf.softplus(tf.neg(tf.sub(r, f)))) as tf.Scalar,
  generatorLoss: (f, r) => tf.mean(tf.softplus(tf.neg(tf.sub(f, r as tf.Tensor)))) as tf.Scalar,
};

/** The runs, by name. */
export const RUNS: Record<string, Run> = {
  plain: { gan: () => tinyGan(), data: tiny, options: { batchSize: 4, seed: 3 }, steps: 6 },
  discriminatorSteps2: {
    gan: () => tinyGan(),
    data: tiny,
    options: { batchSize: 4, seed: 3, discriminatorSteps: 2 },
    steps: 5,
  },
  logEvery3: { gan: () => tinyGan(), data: tiny, options: { batchSize: 4, seed: 3, logEvery: 3 }, steps: 7 },
  warmup: { gan: () => tinyGan(), data: tiny, options: { batchSize: 4, seed: 3, warmupSteps: 2 }, steps: 5 },
  frozenTraining: {
    gan: () => tinyGan(),
    data: tiny,
    options: { batchSize: 4, seed: 3, frozenNetworkMode: 'training' },
    steps: 5,
  },
  r1: { gan: () => tinyGan(), data: tiny, options: { batchSize: 4, seed: 3, r1: { gamma: 10 } }, steps: 5 },
  r2: { gan: () => tinyGan(), data: tiny, options: { batchSize: 4, seed: 3, r2: { gamma: 1 } }, steps: 5 },
  customPenalty: {
    gan: () => tinyGan(),
    data: tiny,
    options: { batchSize: 4, seed: 3, r1: { gamma: 1 }, penalties: [logitPenalty] },
    steps: 5,
  },
  wganClip: {
    gan: () => tinyGan({ loss: 'wasserstein' }),
    data: tiny,
    options: { batchSize: 4, seed: 3, weightClip: 0.05, discriminatorSteps: 2 },
    steps: 5,
  },
  wganGp: {
    gan: () => tinyGan({ loss: 'wasserstein' }),
    data: tiny,
    options: { batchSize: 4, seed: 3, gradientPenalty: { weight: 10 }, discriminatorSteps: 2 },
    steps: 5,
  },
  instanceNoise: {
    gan: () => tinyGan(),
    data: tiny,
    options: { batchSize: 4, seed: 3, instanceNoise: { std: 0.1, annealSteps: 4 } },
    steps: 6,
  },
  relativisticNoise: {
    gan: () => tinyGan({ loss: relativistic }),
    data: tiny,
    options: { batchSize: 4, seed: 3, instanceNoise: { std: 0.1 } },
    steps: 5,
  },
  labelSmoothing: {
    gan: () => tinyGan(),
    data: tiny,
    options: { batchSize: 4, seed: 3, labelSmoothing: 0.1 },
    steps: 5,
  },
  ema: { gan: () => tinyGan(), data: tiny, options: { batchSize: 4, seed: 3, ema: { decay: 0.9 } }, steps: 5 },
  emaWarmup: {
    gan: () => tinyGan(),
    data: tiny,
    options: { batchSize: 4, seed: 3, ema: { decay: 0.9 }, warmupSteps: 2 },
    steps: 5,
  },
  cgan: {
    gan: () => toyGan({ numClasses: 4, conditioning: 'concat' }),
    data: labelled,
    options: { batchSize: 8, seed: 3 },
    steps: 5,
  },
  acgan: {
    gan: () => toyGan({ numClasses: 4, conditioning: 'auxiliary' }),
    data: labelled,
    options: { batchSize: 8, seed: 3, r1: { gamma: 1 } },
    steps: 5,
  },
  acganRelativisticNoise: {
    gan: () => toyGan({ numClasses: 4, conditioning: 'auxiliary', loss: relativistic }),
    data: labelled,
    options: { batchSize: 8, seed: 3, instanceNoise: { std: 0.05 }, discriminatorSteps: 2 },
    steps: 4,
  },
  infogan: {
    gan: () => toyGan({ infoCodes: { categorical: 4, continuous: 1 } }),
    data: () => {
      const { x, labels } = mixture(32);
      labels.dispose();
      return { x };
    },
    options: { batchSize: 8, seed: 3 },
    steps: 5,
  },
  customStep: {
    gan: () => tinyGan(),
    data: tiny,
    options: { batchSize: 4, seed: 3, step: relativisticStep },
    steps: 5,
  },
  customStepClipEma: {
    gan: () => tinyGan({ loss: 'wasserstein' }),
    data: tiny,
    options: {
      batchSize: 4,
      seed: 3,
      step: relativisticStep as StepFunction,
      weightClip: 0.05,
      ema: { decay: 0.9 },
      warmupSteps: 1,
    },
    steps: 4,
  },
};

function hashOf(values: Float32Array | Int32Array | Uint8Array): string {
  return createHash('sha256')
    .update(new Uint8Array(values.buffer, values.byteOffset, values.byteLength))
    .digest('hex');
}

function weightsOf(model: tfl.LayersModel): string[] {
  return model.weights.map((w) => hashOf(w.read().dataSync() as Float32Array));
}

/** The exact bits of a float64 log value. */
function bits(v: number): string {
  return Buffer.from(new Float64Array([v]).buffer).toString('hex');
}

/** Trains one run from scratch and returns its fingerprint; disposes everything it made. */
export async function fingerprint(name: string): Promise<Fingerprint> {
  const run = RUNS[name] as Run;
  const gan = run.gan();
  const data = run.data();
  const logs: string[] = [];
  const trainer = new Trainer(gan, {
    ...run.options,
    now: () => 0,
    callbacks: [
      {
        onStepEnd: (step, l) => {
          for (const [k, v] of Object.entries(l)) if (k !== 'stepsPerSecond') logs.push(`${step} ${k} ${bits(v)}`);
        },
      },
    ],
  });
  await trainer.fit(data.labels ? { x: data.x, labels: data.labels } : data.x, { steps: run.steps });
  const weights = [...weightsOf(gan.generator), ...weightsOf(gan.discriminator)];
  for (const v of trainer.ema?.variables ?? []) weights.push(hashOf(v.dataSync() as Float32Array));
  trainer.dispose();
  gan.dispose();
  tf.dispose([data.x, data.labels as tf.Tensor]);
  return { weights, logs };
}
