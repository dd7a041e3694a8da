/**
 * The vocabulary of the library: network factories, configs and logs.
 *
 * @packageDocumentation
 */
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { Conditioning, ConditioningKind, InfoCodesConfig } from './conditional/conditioning.js';
import type { GanLoss, LossName } from './losses/gan-loss.js';

/**
 * What a network factory receives.
 * @category Training
 */
export interface NetworkContext {
  /** Length of the noise vector the generator takes. */
  readonly latentDim: number;
  /**
   * Shape of one data sample, without the batch dimension, for example `[28, 28, 1]`. A fresh,
   * mutable array, so that it passes straight to tfjs-layers: `inputShape: dataShape`.
   */
  readonly dataShape: number[];
  /**
   * Width of the generator's second input (a one-hot label, or InfoGAN's codes); 0 or absent when
   * the GAN is unconditional and the generator takes noise only.
   */
  readonly conditionDim?: number;
  /** Whether the discriminator takes the one-hot label as a second input (conditional GAN). */
  readonly discriminatorTakesCondition?: boolean;
  /** Width of the discriminator's second output (ACGAN class logits, InfoGAN code estimates); 0 or absent for one output. */
  readonly auxiliaryDim?: number;
  /** Number of classes of a conditional GAN (0 or absent otherwise). */
  readonly numClasses?: number;
}

/**
 * Builds a network. Called once, synchronously, while `Math.random` is a seeded stream, so
 * tfjs-layers initializers give the same weights for the same seed.
 * @category Training
 */
export type NetworkFactory = (context: NetworkContext) => LayersModel;

/**
 * Configuration of a {@link GAN}.
 * @category Training
 */
export interface GANConfig {
  /** Length of the noise vector z. A positive integer. */
  latentDim: number;
  /** Shape of one data sample without the batch dimension. Positive integers. */
  dataShape: readonly number[];
  /** Builds the generator: input `[batch, latentDim]`, output `[batch, ...dataShape]`. Give this or `generator`. */
  buildGenerator?: NetworkFactory;
  /** Builds the discriminator: input `[batch, ...dataShape]`, output `[batch, 1]` logits. Give this or `discriminator`. */
  buildDiscriminator?: NetworkFactory;
  /** A generator already built. The GAN takes ownership and disposes it. */
  generator?: LayersModel;
  /** A discriminator already built. The GAN takes ownership and disposes it. */
  discriminator?: LayersModel;
  /** The objective: a built-in name or a {@link GanLoss}. Default `'non-saturating'`. */
  loss?: LossName | GanLoss;
  /** Seeds weight initialization, noise, batch choice and every other random draw. Default 0. */
  seed?: number;
  /**
   * Number of classes, for a GAN conditioned on labels: the generator then takes a one-hot label as
   * a second input, and `fit` needs labelled data (`{ x, labels }`). See {@link Conditioning}.
   */
  numClasses?: number;
  /** With `numClasses`: `'concat'` (conditional GAN, the default) or `'auxiliary'` (ACGAN). */
  conditioning?: ConditioningKind;
  /** ACGAN: weight of the class cross-entropy in both losses. Default 1. */
  auxiliaryWeight?: number;
  /** InfoGAN's latent codes, learned without labels; excludes `numClasses`. */
  infoCodes?: InfoCodesConfig;
}

/**
 * What a {@link GAN} exposes of itself: its two networks and the settings that rebuild it.
 * Checkpoints read a GAN through this interface, so that they need not know the class.
 * @category IO
 */
export interface GanState {
  /** The generator: `[batch, latentDim]` to `[batch, ...dataShape]`. */
  readonly generator: LayersModel;
  /** The discriminator: `[batch, ...dataShape]` to `[batch, 1]` logits. */
  readonly discriminator: LayersModel;
  /** Length of the noise vector. */
  readonly latentDim: number;
  /** Shape of one sample. */
  readonly dataShape: readonly number[];
  /** The objective. */
  readonly loss: GanLoss;
  /** The seed every random draw derives from. */
  readonly seed: number;
  /** How the GAN is conditioned; undefined for an unconditional GAN. */
  readonly conditioning: Conditioning | undefined;
  /** @throws {@link StateError} once the GAN is disposed; `method` names the caller in the message. */
  assertUsable(method: string): void;
}

/**
 * The numbers a trainer reports for a logged step. Read back from the device in one go.
 * @category Callbacks
 */
export interface StepLogs {
  /** Discriminator loss of the step's last discriminator update. */
  dLoss: number;
  /** Generator loss of the step's generator update (during warm-up: evaluated on the step's fakes, no update). */
  gLoss: number;
  /** Mean sigmoid of the discriminator's output on real data: D(x). */
  dReal: number;
  /** Mean sigmoid of the discriminator's output on generated data: D(G(z)). */
  dFake: number;
  /** Steps per second since the previous logged step. */
  stepsPerSecond: number;
  /** Further entries that callbacks or custom steps add. */
  [key: string]: number;
}
