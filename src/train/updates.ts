/**
 * The two updates a GAN step is made of. Each trains one network and leaves the other frozen: the
 * optimizer gets only the trained network's variables, and the frozen network runs in inference
 * mode, so its BatchNorm uses (and never updates) its moving statistics and its dropout is off.
 * This is what Keras does for a layer with `trainable = false` since TF 2.0.
 *
 * Call these inside `tf.tidy`: the tensors they return are tracked by the enclosing scope.
 *
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { GAN } from '../gan.js';
import type { SeededRandom } from '../random.js';

/**
 * The variables an optimizer may change for a network: its trainable weights.
 * BatchNorm moving statistics are not among them; they change only when the network runs in
 * training mode.
 * @param model - the network.
 * @returns its trainable variables.
 * @category Training
 */
export function trainableVariables(model: LayersModel): tf.Variable[] {
  return model.trainableWeights.map((w) => w.read() as tf.Variable);
}

/**
 * Options of {@link discriminatorUpdate}.
 * @category Training
 */
export interface DiscriminatorUpdateOptions {
  /** Target for real samples (one-sided label smoothing); default 1. */
  realLabel?: number;
  /** Also return mean D(x) and D(G(z)) (costs two small reductions). */
  withStats?: boolean;
  /** Also return the generator loss evaluated on this update's fakes (used during warm-up). */
  withGeneratorLoss?: boolean;
  /** Variables to train; default the discriminator's trainable variables. */
  varList?: tf.Variable[];
}

/**
 * What {@link discriminatorUpdate} returns; all tensors belong to the enclosing tidy.
 * @category Training
 */
export interface DiscriminatorUpdateResult {
  /** The loss before the update. */
  loss: tf.Scalar;
  /** Mean sigmoid of D on the real batch, when asked for. */
  dReal?: tf.Scalar;
  /** Mean sigmoid of D on the fake batch, when asked for. */
  dFake?: tf.Scalar;
  /** Generator loss on the fakes, when asked for. */
  generatorLoss?: tf.Scalar;
}

/**
 * One discriminator update on a real batch and as many generated samples. The generator runs in
 * inference mode and none of its variables is handed to the optimizer.
 *
 * @param gan - the GAN.
 * @param optimizer - the discriminator's optimizer.
 * @param real - a real batch `[b, ...dataShape]`.
 * @param rng - the noise source.
 * @param options - label smoothing and what to return.
 * @returns the loss and, when asked, D(x) and D(G(z)).
 * @category Training
 */
export function discriminatorUpdate(
  gan: GAN,
  optimizer: tf.Optimizer,
  real: tf.Tensor,
  rng: SeededRandom,
  options: DiscriminatorUpdateOptions = {},
): DiscriminatorUpdateResult {
  const batch = real.shape[0] as number;
  const fake = gan.generator.apply(gan.noise(batch, rng), { training: false }) as tf.Tensor;
  const wantLogits = options.withStats === true || options.withGeneratorLoss === true;
  // Logits kept out of the optimizer's inner scope (which disposes everything but the loss);
  // this function disposes them below.
  let realLogits: tf.Tensor | undefined;
  let fakeLogits: tf.Tensor | undefined;
  const loss = optimizer.minimize(
    () => {
      const r = gan.discriminator.apply(real, { training: true }) as tf.Tensor;
      const f = gan.discriminator.apply(fake, { training: true }) as tf.Tensor;
      if (wantLogits) {
        realLogits = tf.keep(r);
        fakeLogits = tf.keep(f);
      }
      return gan.loss.discriminatorLoss(r, f, { realLabel: options.realLabel ?? 1 });
    },
    true,
    options.varList ?? trainableVariables(gan.discriminator),
  ) as tf.Scalar;
  const result: DiscriminatorUpdateResult = { loss };
  if (realLogits && fakeLogits) {
    if (options.withStats) {
      result.dReal = tf.mean(tf.sigmoid(realLogits)) as tf.Scalar;
      result.dFake = tf.mean(tf.sigmoid(fakeLogits)) as tf.Scalar;
    }
    if (options.withGeneratorLoss) {
      result.generatorLoss = gan.loss.generatorLoss(
        fakeLogits,
        gan.loss.needsRealLogitsForGenerator ? realLogits : undefined,
      );
    }
    realLogits.dispose();
    fakeLogits.dispose();
  }
  return result;
}

/**
 * Options of {@link generatorUpdate}.
 * @category Training
 */
export interface GeneratorUpdateOptions {
  /** A real batch, needed only by losses with `needsRealLogitsForGenerator`. */
  real?: tf.Tensor;
  /** Variables to train; default the generator's trainable variables. */
  varList?: tf.Variable[];
}

/**
 * One generator update on `batchSize` fresh noise vectors. The discriminator runs in inference
 * mode and none of its variables is handed to the optimizer.
 *
 * @param gan - the GAN.
 * @param optimizer - the generator's optimizer.
 * @param batchSize - how many samples.
 * @param rng - the noise source.
 * @param options - the real batch for relativistic losses.
 * @returns the loss before the update.
 * @category Training
 */
export function generatorUpdate(
  gan: GAN,
  optimizer: tf.Optimizer,
  batchSize: number,
  rng: SeededRandom,
  options: GeneratorUpdateOptions = {},
): tf.Scalar {
  const z = gan.noise(batchSize, rng);
  const realLogits =
    gan.loss.needsRealLogitsForGenerator && options.real
      ? (gan.discriminator.apply(options.real, { training: false }) as tf.Tensor)
      : undefined;
  return optimizer.minimize(
    () => {
      const fake = gan.generator.apply(z, { training: true }) as tf.Tensor;
      const logits = gan.discriminator.apply(fake, { training: false }) as tf.Tensor;
      return gan.loss.generatorLoss(logits, realLogits);
    },
    true,
    options.varList ?? trainableVariables(gan.generator),
  ) as tf.Scalar;
}
