/**
 * The conditioning as the training updates see it: one interface for every GAN, where an
 * unconditional GAN has the identity conditioning (no condition drawn, the networks called on
 * their data input alone, no auxiliary terms). The updates then have one path.
 *
 * `GAN.generate`, `GAN.discriminate` and the sampling code can call {@link stepConditioning} the
 * same way to drop their own `cond ? … : …` branches.
 *
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { DataError } from '../errors.js';
import type { SeededRandom } from '../random.js';
import type { Conditioning, DiscriminatorOutputs } from './conditioning.js';

/** One draw of conditions: the generator's second input and the classes, both absent for the identity. */
export interface StepDraw {
  /** The generator's second input `[n, conditionDim]`; undefined for an unconditional GAN. */
  readonly input: tf.Tensor2D | undefined;
  /** The class of each row `[n]`, int32, when the conditioning has classes. */
  readonly labels: tf.Tensor1D | undefined;
}

/** What the training updates need of a conditioning. */
export interface StepConditioning {
  /**
   * Draws the conditions of `n` generated samples: random ones, or those of `labels` (the real
   * batch's classes) when the conditioning needs labels and they are given. Draws nothing for the identity.
   */
  draw(n: number, rng: SeededRandom, labels?: tf.Tensor1D): StepDraw;
  /** The labels of a real batch of `n`, checked, when this conditioning needs them; otherwise undefined. */
  realLabels(where: string, labels: tf.Tensor1D | undefined, n: number): tf.Tensor1D | undefined;
  /** The generator on noise `z` under the drawn conditions. */
  generate(generator: LayersModel, z: tf.Tensor, drawn: StepDraw, training: boolean): tf.Tensor;
  /** The discriminator on `x` under the drawn conditions: logits and auxiliary head. */
  discriminate(discriminator: LayersModel, x: tf.Tensor, drawn: StepDraw, training: boolean): DiscriminatorOutputs;
  /** The auxiliary term of the discriminator's loss, if any. */
  discriminatorAuxLoss(
    realAux: tf.Tensor | undefined,
    realLabels: tf.Tensor1D | undefined,
    fakeAux: tf.Tensor | undefined,
    fake: StepDraw,
  ): tf.Scalar | undefined;
  /** The auxiliary term of the generator's loss, if any. */
  generatorAuxLoss(fakeAux: tf.Tensor | undefined, fake: StepDraw): tf.Scalar | undefined;
}

/** The conditioning of an unconditional GAN: it draws nothing and adds nothing. */
export const IDENTITY_CONDITIONING: StepConditioning = Object.freeze({
  draw: () => ({ input: undefined, labels: undefined }),
  realLabels: () => undefined,
  generate: (generator: LayersModel, z: tf.Tensor, _drawn: StepDraw, training: boolean) =>
    generator.apply(z, { training }) as tf.Tensor,
  discriminate: (discriminator: LayersModel, x: tf.Tensor, _drawn: StepDraw, training: boolean) => ({
    logits: discriminator.apply(x, { training }) as tf.Tensor,
    aux: undefined,
  }),
  discriminatorAuxLoss: () => undefined,
  generatorAuxLoss: () => undefined,
});

/** A label or code conditioning as the updates see it. */
function labelConditioning(cond: Conditioning): StepConditioning {
  return {
    draw: (n, rng, labels) => cond.draw(n, rng, labels),
    realLabels: (where, labels, n) => (cond.needsLabels ? requireLabels(where, labels, n) : undefined),
    generate: (generator, z, drawn, training) => cond.generate(generator, z, drawn.input as tf.Tensor2D, training),
    discriminate: (discriminator, x, drawn, training) =>
      cond.discriminate(discriminator, x, drawn.input as tf.Tensor2D, training),
    discriminatorAuxLoss: (realAux, realLabels, fakeAux, fake) =>
      cond.discriminatorAuxLoss(realAux, realLabels, fakeAux, fake as { input: tf.Tensor2D; labels: tf.Tensor1D }),
    generatorAuxLoss: (fakeAux, fake) =>
      cond.generatorAuxLoss(fakeAux, fake as { input: tf.Tensor2D; labels: tf.Tensor1D }),
  };
}

const cache = new WeakMap<Conditioning, StepConditioning>();

/**
 * The conditioning of a GAN as the updates use it: the identity for an unconditional GAN.
 * @param gan - anything with the GAN's `conditioning` property.
 */
export function stepConditioning(gan: { readonly conditioning: Conditioning | undefined }): StepConditioning {
  const cond = gan.conditioning;
  if (cond === undefined) return IDENTITY_CONDITIONING;
  let out = cache.get(cond);
  if (!out) {
    out = labelConditioning(cond);
    cache.set(cond, out);
  }
  return out;
}

function requireLabels(where: string, labels: tf.Tensor1D | undefined, n: number): tf.Tensor1D {
  if (!(labels instanceof tf.Tensor) || labels.rank !== 1 || labels.shape[0] !== n) {
    throw new DataError(
      `${where}: this GAN is conditioned on labels; pass labels, a 1-D int32 tensor of ${n} class indices, ` +
        `for the real batch (Trainer.fit takes { x, labels }).`,
    );
  }
  return labels;
}
