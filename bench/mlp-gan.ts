/**
 * The seed's MLP GAN for the bench: the library's preset, the library's Trainer, and the best
 * hand-written tfjs loop of the same update scheme to compare against.
 */
import * as tf from '@tensorflow/tfjs-core';
import { FusedAdamOptimizer, GAN, presets, Trainer } from '../src/index.js';

export const LATENT = 100;
export const DATA_SHAPE = [28, 28, 1] as const;
/** Samples in the synthetic dataset: enough for random batches; speed does not depend on content. */
export const DATASET_SIZE = 1024;
export const LEARNING_RATE = 2e-4;
export const BETA1 = 0.5;
export const BETA2 = 0.999;
export const EPSILON = 1e-7;

export function makeGan(seed = 1): GAN {
  return new GAN({ ...presets.mlp(), latentDim: LATENT, dataShape: [...DATA_SHAPE], seed });
}

/** A fixed dataset in [-1, 1] on the active backend. */
export function makeData(): tf.Tensor4D {
  return tf.tidy(() => tf.randomUniform([DATASET_SIZE, ...DATA_SHAPE], -1, 1, 'float32', 7) as tf.Tensor4D);
}

/** A step runner: `run(steps)` trains that many steps and reads the losses once, at the end. */
export interface Runner {
  run(steps: number): Promise<void>;
  dispose(): void;
}

/** The library's Trainer with its defaults (one D update on B real + B fake, one G update on B). */
export function trainerRunner(batchSize: number, data: tf.Tensor): Runner {
  const gan = makeGan();
  // logEvery larger than any chunk: the losses are read once per fit (on its last step).
  const trainer = new Trainer(gan, { batchSize, logEvery: 1_000_000 });
  return {
    async run(steps) {
      await trainer.fit(data, { steps });
    },
    dispose() {
      trainer.dispose();
      gan.dispose();
    },
  };
}

/**
 * The best hand-written tfjs loop of the same scheme: tidy per step, `optimizer.minimize` with a
 * variable list, the frozen network in inference mode, batches gathered on the device, noise drawn
 * on the device, losses read once per chunk.
 * @param makeOptimizer - the optimizer factory (tf.train.adam for a plain loop).
 */
export function handWrittenRunner(batchSize: number, data: tf.Tensor, makeOptimizer: () => tf.Optimizer): Runner {
  const gan = makeGan();
  const g = gan.generator;
  const d = gan.discriminator;
  const gVars = g.trainableWeights.map((w) => w.read() as tf.Variable);
  const dVars = d.trainableWeights.map((w) => w.read() as tf.Variable);
  const gOpt = makeOptimizer();
  const dOpt = makeOptimizer();
  const n = data.shape[0] as number;
  const indices = new Int32Array(batchSize);
  let seed = 1;
  const step = (last: boolean): tf.Tensor | undefined =>
    tf.tidy(() => {
      for (let i = 0; i < batchSize; i++) indices[i] = Math.floor(Math.random() * n);
      const real = tf.gather(data, tf.tensor1d(indices, 'int32'));
      const fake = g.apply(tf.randomNormal([batchSize, LATENT], 0, 1, 'float32', seed++), {
        training: false,
      }) as tf.Tensor;
      const dLoss = dOpt.minimize(
        () => {
          const r = d.apply(real, { training: true }) as tf.Tensor;
          const f = d.apply(fake, { training: true }) as tf.Tensor;
          return tf.add(tf.mean(tf.softplus(tf.neg(r))), tf.mean(tf.softplus(f))) as tf.Scalar;
        },
        true,
        dVars,
      ) as tf.Scalar;
      const z = tf.randomNormal([batchSize, LATENT], 0, 1, 'float32', seed++);
      const gLoss = gOpt.minimize(
        () => {
          const logits = d.apply(g.apply(z, { training: true }) as tf.Tensor, { training: false }) as tf.Tensor;
          return tf.mean(tf.softplus(tf.neg(logits))) as tf.Scalar;
        },
        true,
        gVars,
      ) as tf.Scalar;
      return last ? tf.stack([dLoss, gLoss]) : undefined;
    });
  return {
    async run(steps) {
      for (let i = 0; i < steps; i++) {
        const losses = step(i === steps - 1);
        if (losses) {
          await losses.data();
          losses.dispose();
        }
      }
    },
    dispose() {
      gOpt.dispose();
      dOpt.dispose();
      gan.dispose();
    },
  };
}

export function plainAdam(): tf.Optimizer {
  return tf.train.adam(LEARNING_RATE, BETA1, BETA2, EPSILON);
}

/** The optimizer the Trainer uses by default, for the best hand-written loop. */
export function bestOptimizer(): tf.Optimizer {
  return new FusedAdamOptimizer(LEARNING_RATE, BETA1, BETA2, EPSILON);
}
