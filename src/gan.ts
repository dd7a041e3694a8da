/**
 * The GAN: owns a generator and a discriminator. Its methods delegate to gan-networks.ts, sampling.ts,
 * latent-images.ts and io/gan-checkpoint.ts, each of which reads the GAN through a small interface.
 *
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { Conditioning } from './conditional/conditioning.js';
import { ConfigError, ShapeError, StateError } from './errors.js';
import { buildNetworks, readGanConfig, runDiscriminator, runGenerator } from './gan-networks.js';
import { type GanLoadOptions, loadGan, saveGan } from './io/gan-checkpoint.js';
import type { CheckpointManifest } from './io/manifest.js';
import type { CheckpointLocation } from './io/store.js';
import {
  type ClassSweepOptions,
  classSweepImages,
  type InterpolateOptions,
  interpolateImages,
  type LatentInput,
  sampleTruncatedImages,
  type TruncatedSampleOptions,
  type WalkOptions,
  walkImages,
} from './latent-images.js';
import type { GanLoss } from './losses/gan-loss.js';
import type { SeededRandom } from './random.js';
import {
  type SampleChunkOptions,
  type SampleOptions,
  type StreamFor,
  sampleAll,
  sampleInChunks,
  samplingStreams,
} from './sampling.js';
import type { GANConfig, GanState } from './types.js';

export type { SampleChunkOptions, SampleOptions } from './sampling.js';
/** Kept here for code that imports it from this module; it lives in util/shapes.ts. */
export { assertBatchShape } from './util/shapes.js';

/**
 * A generative adversarial network: a generator G mapping noise z to data, and a discriminator D
 * scoring data with one logit. The GAN owns both networks; train them with a {@link Trainer}.
 *
 * @example
 * ```ts
 * const gan = new GAN({
 *   latentDim: 100,
 *   dataShape: [28, 28, 1],
 *   buildGenerator: ({ latentDim, dataShape }) => myGenerator(latentDim, dataShape),
 *   buildDiscriminator: ({ dataShape }) => myDiscriminator(dataShape),
 *   seed: 42,
 * });
 * const images = gan.sample(25); // [25, 28, 28, 1]
 * gan.dispose();
 * ```
 * @category Training
 */
export class GAN implements GanState {
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
  /** How the GAN is conditioned (labels or InfoGAN codes); undefined for an unconditional GAN. */
  readonly conditioning: Conditioning | undefined;

  /** The GAN's own sampling stream when no seed is given, else a fresh stream from the seed. */
  private readonly streamFor: StreamFor;
  private disposed = false;

  /**
   * Builds (or adopts) both networks and checks their shapes.
   *
   * @param config - see {@link GANConfig}.
   * @throws {@link ConfigError} for an invalid option or unknown loss.
   * @throws {@link ShapeError} when a network's input or output shape does not fit; nothing is leaked.
   */
  constructor(config: GANConfig) {
    const { latentDim, dataShape, seed, loss, conditioning } = readGanConfig(config);
    this.latentDim = latentDim;
    this.dataShape = dataShape;
    this.seed = seed;
    this.loss = loss;
    this.conditioning = conditioning;
    this.streamFor = samplingStreams(seed);
    const { generator, discriminator } = buildNetworks(config, this);
    this.generator = generator;
    this.discriminator = discriminator;
  }

  /** Whether {@link GAN.dispose} has run. */
  get isDisposed(): boolean {
    return this.disposed;
  }

  /**
   * Draws `n` samples from the generator, in inference mode (BatchNorm uses its moving statistics),
   * {@link SAMPLE_CHUNK} samples per generator call, so that the noise and the activations stay
   * small; the result is the same as one call on all the noise.
   *
   * @param n - how many samples, a positive integer; `n` times the values of one sample must not
   *   exceed {@link MAX_SAMPLE_VALUES} (1 GiB of float32).
   * @param options - `seed` for repeatable noise.
   * @returns a tensor `[n, ...dataShape]` that the caller owns.
   * @throws {@link ConfigError} for a bad `n`, or one whose result is too large for one tensor
   *   (at once, before any work: draw such counts with {@link GAN.sampleChunks});
   *   {@link StateError} after dispose.
   */
  sample(n: number, options: SampleOptions = {}): tf.Tensor {
    return sampleAll(this, n, options, this.streamFor);
  }

  /**
   * Draws `n` samples as {@link GAN.sample} does, one chunk at a time: the chunks, joined, equal
   * `gan.sample(n, options)`, and only one chunk's noise and activations are in memory at once. The
   * options are checked, and the GAN's own sampling stream advanced past all `n` samples, when
   * this is called; the samples are drawn as the iterator is read.
   *
   * @param n - how many samples in all, a positive safe integer (no size limit).
   * @param options - as for {@link GAN.sample}, and `chunkSize` (default {@link SAMPLE_CHUNK}).
   * @returns an iterator of tensors `[size, ...dataShape]`; the caller owns and disposes each.
   * @throws {@link ConfigError} for a bad option; {@link StateError} after dispose.
   * @example
   * ```ts
   * for (const chunk of gan.sampleChunks(100_000, { seed: 1, chunkSize: 1000 })) {
   *   await save(await chunk.data());
   *   chunk.dispose();
   * }
   * ```
   */
  sampleChunks(n: number, options: SampleChunkOptions = {}): Generator<tf.Tensor, void> {
    return sampleInChunks(this, 'sampleChunks', n, options, this.streamFor);
  }

  /**
   * Runs the generator on given noise, in inference mode.
   *
   * @param z - noise `[batch, latentDim]`. Not disposed.
   * @returns a tensor `[batch, ...dataShape]` that the caller owns.
   * @throws {@link ShapeError} when `z` is not `[batch, latentDim]`.
   */
  generate(z: tf.Tensor, condition?: tf.Tensor): tf.Tensor {
    this.assertUsable('generate');
    return runGenerator(this, z, condition);
  }

  /**
   * Runs the discriminator on data, in inference mode.
   *
   * @param x - data `[batch, ...dataShape]`. Not disposed.
   * @returns logits `[batch, 1]` that the caller owns.
   * @throws {@link ShapeError} when `x` does not have the data shape.
   */
  discriminate(x: tf.Tensor, condition?: tf.Tensor): tf.Tensor {
    this.assertUsable('discriminate');
    return runDiscriminator(this, x, condition);
  }

  /**
   * Standard normal noise `[n, latentDim]` drawn from `rng`.
   * @param n - batch size.
   * @param rng - the random source.
   * @returns a tensor the caller owns.
   */
  noise(n: number, rng: SeededRandom): tf.Tensor2D {
    return tf.tensor2d(rng.normal(n * this.latentDim), [n, this.latentDim]);
  }

  /**
   * Saves both networks in the standard tfjs Layers format (`model.json` + weights; the generator
   * loads with `tf.loadLayersModel`) and the GAN's configuration, for sampling without a trainer.
   * See docs/checkpoints.md for the layout.
   *
   * @param destination - a URL (`file://` or a path on Node with `ts-gan/node`, `indexeddb://`,
   *   `localstorage://`, `downloads://`, `http(s)://`), a tfjs IOHandler, or one handler per part.
   * @returns the manifest written.
   * @throws {@link CheckpointError} when it cannot be written; code `ERR_GAN_NON_FINITE` when a weight
   *   is NaN or infinite (nothing is written), `ERR_GAN_CHECKPOINT_LOCKED` when another writer is
   *   saving into the same folder.
   * @example
   * ```ts
   * await gan.save('indexeddb://my-gan');
   * ```
   */
  save(destination: CheckpointLocation): Promise<CheckpointManifest> {
    return saveGan(this, destination);
  }

  /**
   * Loads a GAN saved with {@link GAN.save} or {@link Trainer.save}.
   *
   * @param source - where the checkpoint is (as for {@link GAN.save}).
   * @param options - `expect` to check latentDim, dataShape, loss or architecture first; a custom
   *   loss must be passed as `expect.loss`.
   * @returns the GAN, which the caller disposes.
   * @throws {@link CheckpointError} naming the field that differs or the damaged part.
   * @example
   * ```ts
   * const gan = await GAN.load('indexeddb://my-gan');
   * const images = gan.sample(16);
   * ```
   */
  static load(source: CheckpointLocation, options?: GanLoadOptions): Promise<GAN> {
    return loadGan(GAN, source, options);
  }

  /**
   * Frees both networks' weights. Safe to call twice; every other method throws afterwards.
   */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.generator.dispose();
    this.discriminator.dispose();
  }

  /** @throws {@link StateError} after dispose. */
  assertUsable(method: string): void {
    if (this.disposed) throw new StateError(`GAN.${method}: this GAN has been disposed.`);
  }

  /**
   * Images between pairs of latent vectors: row `r` goes from `from[r]` to `to[r]` in `steps` images,
   * both ends included, along the great circle (`'slerp'`, the default) or the straight line
   * (`'linear'`). See {@link slerp} and {@link lerp}.
   *
   * @param from - the start vectors (one, or `[rows, latentDim]`).
   * @param to - the end vectors, as many.
   * @param steps - images per row, at least 2.
   * @param options - `method`; for conditional GANs `labels`, the class of each row.
   * @returns `[rows * steps, ...dataShape]`, row-major, that the caller owns.
   * @throws {@link ShapeError} for vectors of the wrong length; {@link ConfigError} for a bad option.
   * @example
   * ```ts
   * const rng = new SeededRandom(7);
   * const images = gan.interpolate(gan.noise(4, rng), gan.noise(4, rng), 8); // a 4 x 8 grid
   * ```
   * @category Sampling
   */
  interpolate(from: LatentInput, to: LatentInput, steps: number, options: InterpolateOptions = {}): tf.Tensor {
    this.assertUsable('interpolate');
    return interpolateImages(this, from, to, steps, options);
  }

  /**
   * Images along a path through keyframes (see {@link latentPath}): `stepsPerSegment` images from
   * each keyframe to the next, for an animation of the latent space.
   *
   * @param keyframes - at least 2 latent vectors (`[k, latentDim]`).
   * @param stepsPerSegment - images per segment.
   * @param options - `method`, `loop`; for conditional GANs the `label` held along the walk.
   * @returns `[(k - 1) * stepsPerSegment + 1, ...dataShape]` (`k * stepsPerSegment` with `loop`), owned by the caller.
   * @throws {@link ShapeError} for vectors of the wrong length; {@link ConfigError} for a bad option.
   * @example
   * ```ts
   * const frames = gan.walk(gan.noise(4, new SeededRandom(1)), 30, { loop: true }); // 120 frames
   * ```
   * @category Sampling
   */
  walk(keyframes: LatentInput, stepsPerSegment: number, options: WalkOptions = {}): tf.Tensor {
    this.assertUsable('walk');
    return walkImages(this, keyframes, stepsPerSegment, options);
  }

  /**
   * Draws `n` samples with the truncation trick (Brock et al. 2018): noise components beyond the
   * threshold are resampled (see {@link truncatedNormal}). Lower thresholds give more typical,
   * less varied samples. Conditions are drawn as {@link GAN.sample} draws them.
   *
   * @param n - how many samples.
   * @param options - `threshold` (required), `seed`, `labels`.
   * @returns `[n, ...dataShape]` that the caller owns.
   * @throws {@link ConfigError} for a bad `n`, threshold or labels.
   * @example
   * ```ts
   * const typical = gan.sampleTruncated(64, { threshold: 0.7, seed: 1 });
   * ```
   * @category Sampling
   */
  sampleTruncated(n: number, options: TruncatedSampleOptions): tf.Tensor {
    this.assertUsable('sampleTruncated');
    return sampleTruncatedImages(this, n, options, this.streamFor);
  }

  /**
   * A class sweep for conditional GANs: the same `perClass` noise vectors drawn for each class, one
   * row per class, so that a column shows one style across the classes.
   *
   * @param options - `perClass` (default 10), `classes` (default all), `seed` (default 0), `truncation`.
   * @returns `[classes * perClass, ...dataShape]`, row-major, owned by the caller.
   * @throws {@link ConfigError} for a GAN without classes; {@link DataError} for a class out of range.
   * @example
   * ```ts
   * const grid = cgan.classSweep({ perClass: 8, seed: 3 }); // 10 rows of 8 for MNIST's digits
   * ```
   * @category Sampling
   */
  classSweep(options: ClassSweepOptions = {}): tf.Tensor {
    this.assertUsable('classSweep');
    return classSweepImages(this, options);
  }
}
