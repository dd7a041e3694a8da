/**
 * The GAN: owns a generator and a discriminator, checks that their shapes fit, and samples.
 *
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { Conditioning } from './conditional/conditioning.js';
import { ConfigError, ShapeError, StateError } from './errors.js';
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
import { type GanLoss, getLoss } from './losses/gan-loss.js';
import { SeededRandom, withSeededMathRandom } from './random.js';
import { drawCounts, MAX_SAMPLE_VALUES, SAMPLE_CHUNK, sampleChunkIterator } from './sampling.js';
import type { GANConfig, NetworkContext, NetworkFactory } from './types.js';
import { knownKeys, positiveInteger, show } from './util/validate.js';

const CONFIG_KEYS = [
  'latentDim',
  'dataShape',
  'buildGenerator',
  'buildDiscriminator',
  'generator',
  'discriminator',
  'loss',
  'seed',
  'numClasses',
  'conditioning',
  'auxiliaryWeight',
  'infoCodes',
] as const;

/** Offsets the sampling stream from the training stream, so that sampling never shifts training. */
const SAMPLE_STREAM_OFFSET = 0x5eed;

/**
 * Options of {@link GAN.sample}.
 * @category Training
 */
export interface SampleOptions {
  /** Seed of the noise. Without it, the GAN's own sampling stream is used (and advanced). */
  seed?: number;
  /**
   * Conditional GANs: the class of each sample (`n` integers in [0, numClasses)); drawn uniformly
   * when absent. InfoGAN: the categorical code of each sample.
   */
  labels?: readonly number[] | Int32Array | tf.Tensor1D;
  /** InfoGAN: continuous codes `[n, continuous]` (rows of numbers in [-1, 1]); drawn uniformly when absent. */
  codes?: readonly (readonly number[])[] | tf.Tensor2D;
}

/**
 * Options of {@link GAN.sampleChunks}.
 * @category Training
 */
export interface SampleChunkOptions extends SampleOptions {
  /** Samples per chunk, a positive integer. Default {@link SAMPLE_CHUNK} (256). */
  chunkSize?: number;
}

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
export class GAN {
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

  private readonly sampleRng: SeededRandom;
  private disposed = false;

  /**
   * Builds (or adopts) both networks and checks their shapes.
   *
   * @param config - see {@link GANConfig}.
   * @throws {@link ConfigError} for an invalid option or unknown loss.
   * @throws {@link ShapeError} when a network's input or output shape does not fit; nothing is leaked.
   */
  constructor(config: GANConfig) {
    if (config === null || typeof config !== 'object') {
      throw new ConfigError(`GAN: config must be an object, got ${show(config)}.`);
    }
    knownKeys('GAN', config, CONFIG_KEYS);
    this.latentDim = positiveInteger('GAN', 'latentDim', config.latentDim);
    this.dataShape = checkDataShape(config.dataShape);
    this.seed = checkSeed(config.seed ?? 0);
    this.loss = getLoss(config.loss ?? 'non-saturating');
    this.sampleRng = new SeededRandom(this.seed + SAMPLE_STREAM_OFFSET);

    this.conditioning = Conditioning.fromConfig(config);
    const cond = this.conditioning;
    const context: NetworkContext = Object.freeze({
      latentDim: this.latentDim,
      dataShape: [...this.dataShape],
      ...(cond && {
        conditionDim: cond.conditionDim,
        discriminatorTakesCondition: cond.discriminatorTakesCondition,
        auxiliaryDim: cond.auxiliaryDim,
        numClasses: cond.kind === 'info' ? 0 : cond.numClasses,
      }),
    });
    // One stream for both factories, so each seed gives one set of initial weights.
    const initRng = new SeededRandom(this.seed);
    const built: LayersModel[] = [];
    try {
      this.generator = obtain('generator', config.generator, config.buildGenerator, context, initRng);
      built.push(this.generator);
      this.discriminator = obtain('discriminator', config.discriminator, config.buildDiscriminator, context, initRng);
      built.push(this.discriminator);
      const c = cond ? [[null, cond.conditionDim]] : [];
      checkModelShape('buildGenerator', this.generator, 'input', [[null, this.latentDim], ...c]);
      checkModelShape('buildGenerator', this.generator, 'output', [[null, ...this.dataShape]]);
      const dIn = cond?.discriminatorTakesCondition ? c : [];
      checkModelShape('buildDiscriminator', this.discriminator, 'input', [[null, ...this.dataShape], ...dIn]);
      const aux = cond && cond.auxiliaryDim > 0 ? [[null, cond.auxiliaryDim]] : [];
      checkModelShape('buildDiscriminator', this.discriminator, 'output', [[null, 1], ...aux]);
    } catch (err) {
      for (const model of built) model.dispose();
      throw err;
    }
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
    this.assertUsable('sample');
    positiveInteger('GAN.sample', 'n', n);
    const perSample = this.dataShape.reduce((a, b) => a * b, 1);
    if (n * perSample > MAX_SAMPLE_VALUES) {
      const most = Math.floor(MAX_SAMPLE_VALUES / perSample);
      throw new ConfigError(
        `GAN.sample: n = ${n} samples of shape ${formatShape(this.dataShape)} make ${n * perSample} values, ` +
          `more than one tensor may hold here (${MAX_SAMPLE_VALUES} values, 1 GiB of float32): at most ${most} ` +
          'samples per call. Draw more in chunks with gan.sampleChunks(n) (one noise stream, one chunk in memory ' +
          'at a time), or call sample repeatedly; `ts-gan sample` writes large grids in chunks.',
      );
    }
    const chunks: tf.Tensor[] = [];
    try {
      for (const chunk of this.drawChunks('sample', n, options)) chunks.push(chunk);
      if (chunks.length === 1) return chunks[0] as tf.Tensor;
      return tf.concat(chunks);
    } finally {
      if (chunks.length > 1) for (const chunk of chunks) chunk.dispose();
    }
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
    return this.drawChunks('sampleChunks', n, options);
  }

  /** {@link GAN.sampleChunks}, with errors naming `method`. */
  private drawChunks(method: string, n: number, options: SampleChunkOptions): Generator<tf.Tensor, void> {
    const where = `GAN.${method}`;
    this.assertUsable(method);
    positiveInteger(where, 'n', n);
    if (!Number.isSafeInteger(n)) throw new ConfigError(`${where}: n must be a safe integer, got ${n}.`);
    const chunkSize = positiveInteger(where, 'chunkSize', options.chunkSize ?? SAMPLE_CHUNK);
    const cond = this.conditioning;
    if (!cond && (options.labels !== undefined || options.codes !== undefined)) {
      throw new ConfigError(`${where}: labels and codes need a conditional GAN (numClasses or infoCodes).`);
    }
    const rng = options.seed === undefined ? this.sampleRng : new SeededRandom(checkSeed(options.seed));
    const start = rng.getState();
    // Checked now, so that a bad label fails here and not at some later chunk; the chunks slice the
    // caller's own values.
    if (cond) tf.tidy(() => checkSampleConditions(where, cond, n, options));
    if (options.seed === undefined) {
      const counts = drawCounts(n, this.latentDim, cond, options);
      this.sampleRng.skip(counts.noise + counts.labels + counts.codes);
    }
    const { generator, latentDim } = this;
    return sampleChunkIterator({
      generator,
      latentDim,
      conditioning: cond,
      n,
      chunkSize,
      start,
      given: { labels: options.labels, codes: options.codes },
      assertUsable: () => this.assertUsable(method),
    });
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
    if (!(z instanceof tf.Tensor) || z.rank !== 2 || z.shape[1] !== this.latentDim) {
      throw new ShapeError(
        `GAN.generate: z must be a tensor of shape [batch, ${this.latentDim}], got ${describeTensor(z)}.`,
      );
    }
    const cond = this.conditioning;
    if (!cond) return tf.tidy(() => this.generator.apply(z, { training: false }) as tf.Tensor);
    assertBatchShape('GAN.generate', 'condition', condition, [cond.conditionDim]);
    return tf.tidy(() => cond.generate(this.generator, z, condition as tf.Tensor, false));
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
    assertBatchShape('GAN.discriminate', 'x', x, this.dataShape);
    const cond = this.conditioning;
    if (!cond) return tf.tidy(() => this.discriminator.apply(x, { training: false }) as tf.Tensor);
    if (cond.discriminatorTakesCondition)
      assertBatchShape('GAN.discriminate', 'condition', condition, [cond.conditionDim]);
    return tf.tidy(() => cond.discriminate(this.discriminator, x, condition as tf.Tensor, false).logits);
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
    positiveInteger('GAN.sampleTruncated', 'n', n);
    if (options === null || typeof options !== 'object') {
      throw new ConfigError(`GAN.sampleTruncated: options must be an object with a threshold, got ${show(options)}.`);
    }
    knownKeys('GAN.sampleTruncated', options, ['threshold', 'seed', 'labels']);
    const rng = options.seed === undefined ? this.sampleRng : new SeededRandom(checkSeed(options.seed));
    return sampleTruncatedImages(this, n, rng, options);
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

function obtain(
  role: 'generator' | 'discriminator',
  model: LayersModel | undefined,
  factory: NetworkFactory | undefined,
  context: NetworkContext,
  rng: SeededRandom,
): LayersModel {
  const factoryName = role === 'generator' ? 'buildGenerator' : 'buildDiscriminator';
  if (model !== undefined && factory !== undefined) {
    throw new ConfigError(`GAN: give either ${role} or ${factoryName}, not both.`);
  }
  if (model !== undefined) {
    if (!isLayersModel(model)) {
      throw new ConfigError(`GAN: ${role} must be a tfjs-layers LayersModel, got ${show(model)}.`);
    }
    return model;
  }
  if (typeof factory !== 'function') {
    throw new ConfigError(
      `GAN: ${factoryName} must be a function returning a tfjs-layers LayersModel, got ${show(factory)}.`,
    );
  }
  let built: unknown;
  try {
    built = withSeededMathRandom(rng, () => factory(context));
  } catch (err) {
    throw new ConfigError(`GAN: ${factoryName} threw: ${err instanceof Error ? err.message : String(err)}`, {
      cause: err,
    });
  }
  if (!isLayersModel(built)) {
    throw new ConfigError(`GAN: ${factoryName} must return a tfjs-layers LayersModel, got ${show(built)}.`);
  }
  return built;
}

function isLayersModel(value: unknown): value is LayersModel {
  const m = value as LayersModel | null;
  return (
    m !== null &&
    typeof m === 'object' &&
    typeof m.apply === 'function' &&
    typeof m.dispose === 'function' &&
    Array.isArray(m.outputs)
  );
}

function checkModelShape(
  factoryName: string,
  model: LayersModel,
  side: 'input' | 'output',
  expectedShapes: (number | null)[][],
): void {
  const tensors = side === 'input' ? model.inputs : model.outputs;
  const expectedText = expectedShapes.map(formatShape).join(' and ');
  if (tensors?.length !== expectedShapes.length) {
    const count = expectedShapes.length === 1 ? 'one' : String(expectedShapes.length);
    throw new ShapeError(
      `GAN: ${factoryName} must return a model with ${count} ${side}${expectedShapes.length === 1 ? '' : 's'} of shape ${expectedText}, ` +
        `got ${tensors ? tensors.length : 0} ${side}s.`,
    );
  }
  expectedShapes.forEach((expected, k) => {
    const shape = (tensors[k] as { shape: (number | null)[] }).shape;
    const matches = shape.length === expected.length && shape.every((d, i) => (i === 0 ? true : d === expected[i]));
    if (!matches) {
      const which = expectedShapes.length === 1 ? side : `${side} ${k}`;
      throw new ShapeError(
        `GAN: ${factoryName} ${which} must have shape ${formatShape(expected)}, got ${formatShape(shape)}.`,
      );
    }
  });
}

/**
 * Checks {@link SampleOptions} labels and codes against the conditioning and the count. Run inside a
 * tidy: it makes tensors of arrays to check them.
 */
function checkSampleConditions(where: string, cond: Conditioning, n: number, options: SampleOptions): void {
  if (options.labels !== undefined) {
    if (cond.numClasses === 0)
      throw new ConfigError(`${where}: this InfoGAN has no categorical code to set with labels.`);
    // Checked as given, so that 2.5 is refused instead of truncated to 2 by a cast to int32.
    const given = options.labels instanceof tf.Tensor ? options.labels : tf.tensor1d(Array.from(options.labels));
    cond.checkLabels(where, given, n);
  }
  if (options.codes !== undefined) {
    if (cond.continuous === 0) throw new ConfigError(`${where}: codes need an InfoGAN with continuous codes.`);
    const codes =
      options.codes instanceof tf.Tensor ? options.codes : tf.tensor2d(options.codes.map((row) => [...row]));
    assertBatchShape(where, 'codes', codes, [cond.continuous]);
    if (codes.shape[0] !== n) throw new ShapeError(`${where}: codes must have ${n} rows, got ${codes.shape[0]}.`);
  }
}

function checkDataShape(value: unknown): readonly number[] {
  if (
    !Array.isArray(value) ||
    value.length === 0 ||
    !value.every((d) => typeof d === 'number' && Number.isInteger(d) && d >= 1)
  ) {
    throw new ConfigError(`GAN: dataShape must be a non-empty array of positive integers, got ${show(value)}.`);
  }
  return Object.freeze([...value]);
}

function checkSeed(value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    throw new ConfigError(`GAN: seed must be an integer, got ${show(value)}.`);
  }
  return value;
}

/** Formats a shape with `batch` for the free first dimension: `[batch, 28, 28, 1]`. */
export function formatShape(shape: readonly (number | null)[]): string {
  return `[${shape.map((d, i) => (d === null || d === -1 ? (i === 0 ? 'batch' : '?') : d)).join(', ')}]`;
}

/** Describes a value that should have been a tensor, for error messages. */
export function describeTensor(value: unknown): string {
  return value instanceof tf.Tensor ? `a tensor of shape [${value.shape.join(', ')}]` : show(value);
}

/**
 * @throws {@link ShapeError} unless `x` is a tensor `[batch >= 1, ...sampleShape]`.
 */
export function assertBatchShape(where: string, name: string, x: unknown, sampleShape: readonly number[]): void {
  const ok =
    x instanceof tf.Tensor &&
    x.rank === sampleShape.length + 1 &&
    (x.shape[0] as number) >= 1 &&
    sampleShape.every((d, i) => x.shape[i + 1] === d);
  if (!ok) {
    throw new ShapeError(
      `${where}: ${name} must have shape ${formatShape([null, ...sampleShape])} to match dataShape, got ${describeTensor(x)}.`,
    );
  }
}
