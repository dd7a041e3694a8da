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
import type { DiscriminatorOutputs } from '../conditional/conditioning.js';
import { stepConditioning } from '../conditional/step-conditioning.js';
import type { GAN } from '../gan.js';
import type { SeededRandom } from '../random.js';
import { inputGradient as inputGradientOf } from '../regularizers/gradient-penalty.js';
import type { InputTransform } from '../regularizers/hooks.js';
import { instanceNoiseTransform } from '../regularizers/instance-noise.js';
import type { DiscriminatorPenalty } from '../regularizers/penalty.js';

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
  /** Terms added to the loss (gradient penalty, R1, R2); each is also returned under its name. */
  penalties?: readonly DiscriminatorPenalty[];
  /** Deviation of Gaussian instance noise added to the real and the generated batch; default 0 (none). */
  instanceNoiseStd?: number;
  /** Transforms of both batches the discriminator sees, after instance noise (see `StepContext.inputTransforms`). */
  inputTransforms?: readonly InputTransform[];
  /**
   * Run the generator in training mode while it makes this update's fakes (BatchNorm on batch
   * statistics, as PyTorch's and keras.io's DCGANs do); its moving statistics then change, its
   * weights still do not. Default false: inference mode.
   */
  generatorTraining?: boolean;
  /**
   * Class labels `[b]` (int32) of the real batch: required by GANs conditioned on labels. The
   * generated half of the update uses the same labels, so one conditioned critic serves every penalty.
   */
  labels?: tf.Tensor1D;
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
  /** The value of each penalty (already weighted, and included in `loss`), by name. */
  penalties?: Record<string, tf.Scalar>;
  /** ACGAN's class term or InfoGAN's information term (weighted, included in `loss`). */
  auxLoss?: tf.Scalar;
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
  const cond = stepConditioning(gan);
  const z = gan.noise(batch, rng);
  const labels = cond.realLabels('discriminatorUpdate', options.labels, batch);
  const drawn = cond.draw(batch, rng, labels);
  const generated = cond.generate(gan.generator, z, drawn, options.generatorTraining === true);
  // Input transforms (instance noise): the discriminator sees both batches transformed alike.
  const transform = inputTransformer(options);
  const realSeen = transform(real, rng);
  const fake = transform(generated, rng);
  const penalties = options.penalties ?? [];
  const wantLogits = options.withStats === true || options.withGeneratorLoss === true;
  // Logits and penalty values kept out of the optimizer's inner scope (which disposes everything
  // but the loss); this function disposes them below.
  let realLogits: tf.Tensor | undefined;
  let fakeLogits: tf.Tensor | undefined;
  const keptPenalties: [string, tf.Scalar][] = [];
  let keptAux: tf.Scalar | undefined;
  // Sides whose input gradient a penalty (R1, R2) asked for: differentiating the forward pass that
  // makes the loss spares the penalty a second one. Tensors kept out of that inner gradient's scope
  // are disposed below.
  const gradientOf = (side: 'real' | 'fake') => penalties.some((p) => p.inputGradientOf === side);
  const innerKept: tf.Tensor[] = [];
  const discriminate = (x: tf.Tensor): DiscriminatorOutputs => cond.discriminate(gan.discriminator, x, drawn, true);
  const loss = optimizer.minimize(
    () => {
      const realOut = discriminateWithInputGradient(discriminate, realSeen, gradientOf('real'), innerKept);
      const fakeOut = discriminateWithInputGradient(discriminate, fake, gradientOf('fake'), innerKept);
      const r = realOut.logits;
      const f = fakeOut.logits;
      const auxLoss = cond.discriminatorAuxLoss(realOut.aux, options.labels, fakeOut.aux, drawn);
      if (wantLogits) {
        realLogits = tf.keep(r);
        fakeLogits = tf.keep(f);
      }
      let total = gan.loss.discriminatorLoss(r, f, { realLabel: options.realLabel ?? 1 });
      if (auxLoss) {
        keptAux = tf.keep(auxLoss);
        total = tf.add(total, auxLoss) as tf.Scalar;
      }
      if (penalties.length > 0) {
        const critic = (x: tf.Tensor) => discriminate(x).logits;
        const inputGradients = {
          ...(realOut.inputGradient && { real: realOut.inputGradient }),
          ...(fakeOut.inputGradient && { fake: fakeOut.inputGradient }),
        };
        const context = { real: realSeen, fake, realLogits: r, fakeLogits: f, critic, rng, inputGradients };
        for (const penalty of penalties) {
          const value = penalty.compute(context);
          keptPenalties.push([penalty.name, tf.keep(value)]);
          total = tf.add(total, value) as tf.Scalar;
        }
      }
      return total;
    },
    true,
    options.varList ?? trainableVariables(gan.discriminator),
  ) as tf.Scalar;
  const result: DiscriminatorUpdateResult = { loss };
  if (keptAux) {
    result.auxLoss = tf.clone(keptAux);
    keptAux.dispose();
  }
  if (keptPenalties.length > 0) {
    result.penalties = {};
    for (const [name, value] of keptPenalties) {
      // A clone belongs to the enclosing tidy; the kept original does not.
      result.penalties[name] = tf.clone(value);
      value.dispose();
    }
  }
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
  for (const t of innerKept) t.dispose();
  return result;
}

/**
 * The discriminator's outputs on `x` and, when asked, the gradient of the sum of its logits with
 * respect to `x`, from one forward pass. Run inside the update's gradient: tfjs records nested
 * gradients on one tape, so the logits stay differentiable in the discriminator's weights and the
 * input gradient in turn (double backpropagation). The logits are created inside the inner
 * gradient's scope, so they are kept and pushed to `kept` for the caller to dispose.
 */
function discriminateWithInputGradient(
  discriminate: (x: tf.Tensor) => DiscriminatorOutputs,
  x: tf.Tensor,
  withGradient: boolean,
  kept: tf.Tensor[],
): DiscriminatorOutputs & { inputGradient?: tf.Tensor } {
  if (!withGradient) return discriminate(x);
  let out: DiscriminatorOutputs | undefined;
  const inputGradient = inputGradientOf((input) => {
    out = discriminate(input);
    for (const t of [out.logits, out.aux]) if (t) kept.push(tf.keep(t));
    return out.logits;
  }, x);
  return { ...(out as DiscriminatorOutputs), inputGradient };
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
  /** Deviation of instance noise added to the generated batch the discriminator sees; default 0. */
  instanceNoiseStd?: number;
  /** Transforms of the batches the discriminator sees, after instance noise. */
  inputTransforms?: readonly InputTransform[];
  /** Labels of `real`, for relativistic losses on a conditional GAN (the generated samples get random labels). */
  labels?: tf.Tensor1D;
  /**
   * Run the discriminator in training mode while it scores the fakes (BatchNorm on batch
   * statistics: the same function it trains as); its moving statistics then change, its weights
   * still do not. Default false: inference mode.
   */
  discriminatorTraining?: boolean;
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
  const cond = stepConditioning(gan);
  // Conditional GANs: random labels (or codes) for the generated batch.
  const drawn = cond.draw(batchSize, rng);
  const transform = inputTransformer(options);
  const dTraining = options.discriminatorTraining === true;
  let realLogits: tf.Tensor | undefined;
  if (gan.loss.needsRealLogitsForGenerator && options.real) {
    const real = transform(options.real, rng);
    const n = real.shape[0] as number;
    const labels = cond.realLabels('generatorUpdate', options.labels, n);
    realLogits = cond.discriminate(gan.discriminator, real, cond.draw(n, rng, labels), dTraining).logits;
  }
  // Prepared outside the closure: the optimizer may run it once, and the draw must not repeat.
  const transformFake = transform.prepare([batchSize, ...gan.dataShape], rng);
  return optimizer.minimize(
    () => {
      const fake = transformFake(cond.generate(gan.generator, z, drawn, true));
      const out = cond.discriminate(gan.discriminator, fake, drawn, dTraining);
      const adversarial = gan.loss.generatorLoss(out.logits, realLogits);
      const aux = cond.generatorAuxLoss(out.aux, drawn);
      return aux ? (tf.add(adversarial, aux) as tf.Scalar) : adversarial;
    },
    true,
    options.varList ?? trainableVariables(gan.generator),
  ) as tf.Scalar;
}

/** Instance noise of `instanceNoiseStd`, then the given transforms, as one transform. */
function inputTransformer(options: { instanceNoiseStd?: number; inputTransforms?: readonly InputTransform[] }): {
  (x: tf.Tensor, rng: SeededRandom): tf.Tensor;
  prepare(shape: readonly number[], rng: SeededRandom): (x: tf.Tensor) => tf.Tensor;
} {
  const std = options.instanceNoiseStd ?? 0;
  const transforms = [...(std > 0 ? [instanceNoiseTransform(std)] : []), ...(options.inputTransforms ?? [])];
  const prepare = (shape: readonly number[], rng: SeededRandom) => {
    const each = transforms.map((t) => t.prepare(shape, rng));
    return (x: tf.Tensor) => each.reduce((y, f) => f(y), x);
  };
  return Object.assign((x: tf.Tensor, rng: SeededRandom) => prepare(x.shape, rng)(x), { prepare });
}
