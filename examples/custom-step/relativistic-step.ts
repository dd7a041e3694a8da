/**
 * The relativistic standard GAN's step (Jolicoeur-Martineau 2018), written with the typed
 * custom-step API: one discriminator update, then one generator update.
 *
 *   D loss = mean(softplus(-(D(x) - D(G(z)))))      G loss = mean(softplus(-(D(G(z)) - D(x))))
 *
 * `relativistic.ts` trains with it; test/family/regularizers.test.ts proves it learns.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { StepFunction } from 'ts-gan';

/** Pass as `new Trainer(gan, { step: relativisticStep })`. */
export const relativisticStep: StepFunction = (ctx) => {
  const { gan, rng, real } = ctx;
  const D = (x: tf.Tensor, training: boolean) => gan.discriminator.apply(x, { training }) as tf.Tensor;
  // The generator is frozen here: inference mode, and its variables are not in the list.
  const fake = gan.generator.apply(gan.noise(ctx.batchSize, rng), { training: false }) as tf.Tensor;
  const dLoss = ctx.discriminatorOptimizer.minimize(
    () => tf.mean(tf.softplus(tf.neg(tf.sub(D(real, true), D(fake, true))))) as tf.Scalar,
    true,
    ctx.discriminatorVariables,
  ) as tf.Scalar;
  const realLogits = D(real, false);
  const z = gan.noise(ctx.batchSize, rng);
  const gLoss = ctx.generatorOptimizer.minimize(
    () => {
      const logits = D(gan.generator.apply(z, { training: true }) as tf.Tensor, false);
      return tf.mean(tf.softplus(tf.neg(tf.sub(logits, realLogits)))) as tf.Scalar;
    },
    true,
    ctx.generatorVariables,
  ) as tf.Scalar;
  return { dLoss, gLoss };
};
