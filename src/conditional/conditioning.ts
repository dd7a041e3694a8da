/**
 * How a GAN is conditioned: on class labels (conditional GAN, ACGAN) or on latent codes (InfoGAN).
 * A {@link Conditioning} owns the conventions every part of the library shares: what the
 * generator's second input holds, whether the discriminator takes a label or predicts one, and the
 * auxiliary losses.
 *
 * Network contract (the presets follow it; so must your own factories):
 * - generator: inputs `[z: [b, latentDim], c: [b, conditionDim]]`, output `[b, ...dataShape]`;
 * - `'concat'` (conditional GAN, Mirza and Osindero 2014): discriminator inputs
 *   `[x: [b, ...dataShape], c: [b, numClasses]]` (one-hot), output `[b, 1]` logits;
 * - `'auxiliary'` (ACGAN, Odena et al. 2017): discriminator input x, outputs
 *   `[[b, 1] logits, [b, numClasses] class logits]`;
 * - InfoGAN (Chen et al. 2016): the generator's `c` is `[one-hot categorical code, continuous codes]`;
 *   discriminator input x, outputs `[[b, 1] logits, [b, categorical + continuous] code estimates]`.
 *
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { ConfigError, DataError } from '../errors.js';
import type { SeededRandom } from '../random.js';
import { knownKeys, nonNegativeInteger, positiveInteger, positiveNumber, show } from '../util/validate.js';

/**
 * How labels condition a GAN with `numClasses`: `'concat'` feeds the one-hot label to both
 * networks (conditional GAN); `'auxiliary'` feeds it to the generator and makes the discriminator
 * predict it (ACGAN).
 * @category Conditional
 */
export type ConditioningKind = 'concat' | 'auxiliary';

/**
 * InfoGAN's latent codes (Chen et al. 2016, "InfoGAN: Interpretable Representation Learning by
 * Information Maximizing Generative Adversarial Nets").
 * @category Conditional
 */
export interface InfoCodesConfig {
  /** Classes of the one categorical code (the paper uses 10 for MNIST); 0 for none. Default 10. */
  categorical?: number;
  /** How many continuous codes, each uniform in [-1, 1] (the paper uses 2). Default 2. */
  continuous?: number;
  /** lambda of the mutual-information term for the categorical code. Default 1, the paper's. */
  weight?: number;
  /** lambda for the continuous codes. Default 0.1 (the paper keeps it small). */
  continuousWeight?: number;
}

/** What a condition draw returns: the generator's second input and, for labels, the classes. */
export interface ConditionDraw {
  /** The generator's second input `[n, conditionDim]`. */
  input: tf.Tensor2D;
  /** The class (label or categorical code) of each row `[n]`, int32. */
  labels: tf.Tensor1D | undefined;
}

/** The discriminator's outputs: logits and, for ACGAN and InfoGAN, its auxiliary head. */
export interface DiscriminatorOutputs {
  logits: tf.Tensor;
  aux: tf.Tensor | undefined;
}

/** Options of a conditioning, as read from a GAN's config. */
export interface ConditioningConfig {
  numClasses?: number;
  conditioning?: ConditioningKind;
  auxiliaryWeight?: number;
  infoCodes?: InfoCodesConfig;
}

/**
 * A GAN's conditioning. `undefined` on unconditional GANs.
 * @category Conditional
 */
export class Conditioning {
  /** `'concat'`, `'auxiliary'` or `'info'`. */
  readonly kind: ConditioningKind | 'info';
  /** Number of classes (labels, or InfoGAN's categorical code; 0 when it has none). */
  readonly numClasses: number;
  /** InfoGAN's continuous codes (0 otherwise). */
  readonly continuous: number;
  /** Width of the generator's second input. */
  readonly conditionDim: number;
  /** Width of the discriminator's auxiliary output (0 for `'concat'`). */
  readonly auxiliaryDim: number;
  /** Weight of the class term (ACGAN) or of the categorical information term (InfoGAN). */
  readonly weight: number;
  /** Weight of InfoGAN's continuous information term. */
  readonly continuousWeight: number;

  private constructor(
    kind: ConditioningKind | 'info',
    numClasses: number,
    continuous: number,
    weight: number,
    cw: number,
  ) {
    this.kind = kind;
    this.numClasses = numClasses;
    this.continuous = continuous;
    this.conditionDim = numClasses + continuous;
    this.auxiliaryDim = kind === 'concat' ? 0 : this.conditionDim;
    this.weight = weight;
    this.continuousWeight = cw;
  }

  /**
   * Reads the conditioning options of a GAN config.
   * @returns the conditioning, or undefined for an unconditional GAN.
   * @throws {@link ConfigError} for a bad or contradictory option.
   */
  static fromConfig(config: ConditioningConfig): Conditioning | undefined {
    const { numClasses, conditioning, auxiliaryWeight, infoCodes } = config;
    if (infoCodes !== undefined) {
      if (numClasses !== undefined || conditioning !== undefined || auxiliaryWeight !== undefined) {
        throw new ConfigError(
          'GAN: give numClasses (conditional GAN, ACGAN) or infoCodes (InfoGAN), not both; InfoGAN learns its codes without labels.',
        );
      }
      if (infoCodes === null || typeof infoCodes !== 'object') {
        throw new ConfigError(
          `GAN: infoCodes must be an object like { categorical: 10, continuous: 2 }, got ${show(infoCodes)}.`,
        );
      }
      knownKeys('GAN: infoCodes', infoCodes, ['categorical', 'continuous', 'weight', 'continuousWeight']);
      const k = nonNegativeInteger('GAN', 'infoCodes.categorical', infoCodes.categorical ?? 10);
      const m = nonNegativeInteger('GAN', 'infoCodes.continuous', infoCodes.continuous ?? 2);
      if (k === 1 || k + m === 0) {
        throw new ConfigError(
          `GAN: infoCodes needs a categorical code of at least 2 classes or a continuous code, got categorical ${k}, continuous ${m}.`,
        );
      }
      const w = positiveNumber('GAN', 'infoCodes.weight', infoCodes.weight ?? 1);
      const cw = positiveNumber('GAN', 'infoCodes.continuousWeight', infoCodes.continuousWeight ?? 0.1);
      return new Conditioning('info', k, m, w, cw);
    }
    if (numClasses === undefined) {
      if (conditioning !== undefined || auxiliaryWeight !== undefined) {
        throw new ConfigError('GAN: conditioning and auxiliaryWeight need numClasses (the number of labels).');
      }
      return undefined;
    }
    const classes = positiveInteger('GAN', 'numClasses', numClasses);
    if (classes < 2) throw new ConfigError(`GAN: numClasses must be at least 2, got ${classes}.`);
    const kind = conditioning ?? 'concat';
    if (kind !== 'concat' && kind !== 'auxiliary') {
      throw new ConfigError(`GAN: conditioning must be "concat" or "auxiliary", got ${show(kind)}.`);
    }
    if (kind === 'concat' && auxiliaryWeight !== undefined) {
      throw new ConfigError('GAN: auxiliaryWeight applies to conditioning "auxiliary" (ACGAN) only.');
    }
    const w = positiveNumber('GAN', 'auxiliaryWeight', auxiliaryWeight ?? 1);
    return new Conditioning(kind, classes, 0, w, 0);
  }

  /** Whether training data must come with labels. */
  get needsLabels(): boolean {
    return this.kind !== 'info';
  }

  /** Whether the discriminator takes the condition as a second input. */
  get discriminatorTakesCondition(): boolean {
    return this.kind === 'concat';
  }

  /**
   * The generator's second input for given classes (labels) or random ones.
   * @param n - rows.
   * @param rng - draws random classes (when `labels` is not given) and InfoGAN's continuous codes.
   * @param labels - int32 `[n]` classes; drawn uniformly when absent.
   * @param continuous - InfoGAN's continuous codes `[n, continuous]`; drawn uniformly in [-1, 1) when absent.
   */
  draw(n: number, rng: SeededRandom, labels?: tf.Tensor1D, continuous?: tf.Tensor2D): ConditionDraw {
    return tf.tidy(() => {
      const classes =
        this.numClasses === 0 ? undefined : (labels ?? tf.tensor1d(rng.integers(n, this.numClasses), 'int32'));
      const parts: tf.Tensor2D[] = [];
      if (classes) parts.push(tf.cast(tf.oneHot(classes, this.numClasses), 'float32') as tf.Tensor2D);
      if (this.continuous > 0) {
        parts.push(continuous ?? tf.tensor2d(rng.uniform(n * this.continuous, -1, 1), [n, this.continuous]));
      }
      const input = (parts.length === 1 ? parts[0] : tf.concat(parts, 1)) as tf.Tensor2D;
      return { input, labels: classes };
    });
  }

  /** Runs the generator on noise and a condition. */
  generate(generator: LayersModel, z: tf.Tensor, condition: tf.Tensor, training: boolean): tf.Tensor {
    return generator.apply([z, condition], { training }) as tf.Tensor;
  }

  /** Runs the discriminator; `condition` is used by `'concat'` only. */
  discriminate(
    discriminator: LayersModel,
    x: tf.Tensor,
    condition: tf.Tensor,
    training: boolean,
  ): DiscriminatorOutputs {
    if (this.kind === 'concat') {
      return { logits: discriminator.apply([x, condition], { training }) as tf.Tensor, aux: undefined };
    }
    const [logits, aux] = discriminator.apply(x, { training }) as tf.Tensor[];
    return { logits: logits as tf.Tensor, aux };
  }

  /**
   * The auxiliary term of the discriminator's loss: ACGAN's class cross-entropy on real and generated
   * samples, or InfoGAN's information term on generated ones; 0 for `'concat'`.
   */
  discriminatorAuxLoss(
    realAux: tf.Tensor | undefined,
    realLabels: tf.Tensor1D | undefined,
    fakeAux: tf.Tensor | undefined,
    fake: ConditionDraw,
  ): tf.Scalar | undefined {
    if (this.kind === 'concat') return undefined;
    if (this.kind === 'auxiliary') {
      return tf.tidy(() =>
        tf.mul(
          this.weight,
          tf.add(
            classCrossEntropy(realAux as tf.Tensor, realLabels as tf.Tensor1D, this.numClasses),
            classCrossEntropy(fakeAux as tf.Tensor, fake.labels as tf.Tensor1D, this.numClasses),
          ),
        ),
      ) as tf.Scalar;
    }
    return this.informationLoss(fakeAux as tf.Tensor, fake);
  }

  /** The auxiliary term of the generator's loss: ACGAN's class term or InfoGAN's information term. */
  generatorAuxLoss(fakeAux: tf.Tensor | undefined, fake: ConditionDraw): tf.Scalar | undefined {
    if (this.kind === 'concat') return undefined;
    if (this.kind === 'auxiliary') {
      return tf.tidy(() =>
        tf.mul(this.weight, classCrossEntropy(fakeAux as tf.Tensor, fake.labels as tf.Tensor1D, this.numClasses)),
      ) as tf.Scalar;
    }
    return this.informationLoss(fakeAux as tf.Tensor, fake);
  }

  /**
   * InfoGAN's variational lower bound on the mutual information, as a loss: cross-entropy of the
   * categorical code plus `0.5 * (c - mu)^2` for each continuous code (a unit-variance Gaussian Q,
   * up to a constant), each with its weight.
   */
  private informationLoss(aux: tf.Tensor, fake: ConditionDraw): tf.Scalar {
    return tf.tidy(() => {
      const k = this.numClasses;
      let loss = tf.scalar(0);
      if (k > 0) {
        const logits = tf.slice(aux, [0, 0], [-1, k]);
        loss = tf.add(loss, tf.mul(this.weight, classCrossEntropy(logits, fake.labels as tf.Tensor1D, k)));
      }
      if (this.continuous > 0) {
        const mu = tf.slice(aux, [0, k], [-1, this.continuous]);
        const codes = tf.slice(fake.input, [0, k], [-1, this.continuous]);
        const gaussian = tf.mul(0.5, tf.mean(tf.sum(tf.square(tf.sub(codes, mu)), 1)));
        loss = tf.add(loss, tf.mul(this.continuousWeight, gaussian));
      }
      return loss as tf.Scalar;
    });
  }

  /**
   * Checks labels against the number of classes.
   * @throws {@link DataError} for a wrong shape, dtype or value.
   */
  checkLabels(where: string, labels: unknown, n: number): tf.Tensor1D {
    if (!(labels instanceof tf.Tensor) || labels.rank !== 1 || labels.shape[0] !== n) {
      throw new DataError(`${where}: labels must be a 1-D tensor of ${n} class indices, got ${describe(labels)}.`);
    }
    const values = labels.dataSync();
    for (const v of values) {
      if (!Number.isInteger(v) || v < 0 || v >= this.numClasses) {
        throw new DataError(`${where}: every label must be an integer in [0, ${this.numClasses}), got ${v}.`);
      }
    }
    return labels as tf.Tensor1D;
  }
}

/** Mean sparse softmax cross-entropy of class logits `[b, k]` against integer labels `[b]`. */
export function classCrossEntropy(logits: tf.Tensor, labels: tf.Tensor1D, numClasses: number): tf.Scalar {
  return tf.tidy(() => {
    const target = tf.oneHot(tf.cast(labels, 'int32'), numClasses);
    const logProbs = tf.logSoftmax(logits);
    return tf.neg(tf.mean(tf.sum(tf.mul(target, logProbs), 1))) as tf.Scalar;
  });
}

function describe(value: unknown): string {
  return value instanceof tf.Tensor ? `a tensor of shape [${value.shape.join(', ')}]` : show(value);
}

/** The GAN constructor options that rebuild a conditioning. */
export function conditioningConfig(c: Conditioning): ConditioningConfig {
  if (c.kind === 'info') {
    return {
      infoCodes: {
        categorical: c.numClasses,
        continuous: c.continuous,
        weight: c.weight,
        continuousWeight: c.continuousWeight,
      },
    };
  }
  if (c.kind === 'auxiliary') return { numClasses: c.numClasses, conditioning: 'auxiliary', auxiliaryWeight: c.weight };
  return { numClasses: c.numClasses, conditioning: 'concat' };
}
