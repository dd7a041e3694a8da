/**
 * Sampling in chunks: the noise (and a conditional GAN's labels and codes) drawn piece by piece
 * from the same seeded stream, so that the chunks, joined, are exactly one draw of all samples, in
 * memory bounded by one chunk.
 *
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { Conditioning } from './conditional/conditioning.js';
import { ConfigError, ShapeError } from './errors.js';
import { checkSeed } from './gan-networks.js';
import { NormalStream, type RandomState, SAMPLE_STREAM_OFFSET, SeededRandom } from './random.js';
import { assertBatchShape, formatShape } from './util/shapes.js';
import { positiveInteger } from './util/validate.js';

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

/** What sampling reads of a GAN. */
export interface SampleSource {
  readonly generator: LayersModel;
  readonly latentDim: number;
  readonly dataShape: readonly number[];
  readonly conditioning: Conditioning | undefined;
  /** @throws once the GAN is disposed. */
  assertUsable(method: string): void;
}

/**
 * The stream a draw reads: the GAN's own sampling stream for `undefined`, else a fresh one from the
 * given seed (checked).
 */
export type StreamFor = (seed: number | undefined) => SeededRandom;

/** The streams of a GAN with seed `seed`: its own sampling stream, or one for a seed given to a call. */
export function samplingStreams(seed: number): StreamFor {
  const own = new SeededRandom(seed + SAMPLE_STREAM_OFFSET);
  return (given) => (given === undefined ? own : new SeededRandom(checkSeed(given)));
}

/**
 * Most values (samples times the values of one sample) that one {@link GAN.sample} call returns:
 * 2^28 float32 values, 1 GiB. Joining the chunks holds the result twice; the wasm backend's whole
 * heap is at most 4 GiB and WebGL limits its textures, so a larger single tensor fails on some
 * backend or machine. Draw more with {@link GAN.sampleChunks}, one chunk at a time.
 * @category Training
 */
export const MAX_SAMPLE_VALUES = 2 ** 28;

/**
 * Samples per generator call: bounds the memory of the noise and of the generator's activations
 * (an MLP with 1,024 units holds about 4 MB per layer at this size). Even, so that a chunk's noise
 * ends on a Box-Muller pair whatever the latent size.
 */
export const SAMPLE_CHUNK = 256;

/** Labels or codes a caller gives for all `n` samples (checked before the draw starts). */
export interface GivenConditions {
  labels?: readonly number[] | Int32Array | tf.Tensor1D | undefined;
  codes?: readonly (readonly number[])[] | tf.Tensor2D | undefined;
}

/** What a chunked draw needs to know. */
export interface ChunkPlan {
  generator: LayersModel;
  latentDim: number;
  conditioning: Conditioning | undefined;
  n: number;
  chunkSize: number;
  /** The stream's state before the draw. */
  start: RandomState;
  /** Labels and codes the caller gave, already checked: sliced chunk by chunk, never disposed. */
  given: GivenConditions;
  /** Throws once the GAN is disposed. */
  assertUsable: () => void;
}

/**
 * How many 32-bit draws each part of a draw of `n` samples consumes, in the order a single draw
 * makes them: all the noise, then the classes, then InfoGAN's continuous codes.
 */
export function drawCounts(
  n: number,
  latentDim: number,
  cond: Conditioning | undefined,
  given: GivenConditions,
): { noise: number; labels: number; codes: number } {
  return {
    noise: 2 * Math.ceil((n * latentDim) / 2),
    labels: cond && cond.numClasses > 0 && given.labels === undefined ? n : 0,
    codes: cond && cond.continuous > 0 && given.codes === undefined ? n * cond.continuous : 0,
  };
}

/**
 * Yields `[size, ...dataShape]` tensors (the caller owns and disposes each), `chunkSize` samples at a
 * time. Each part of the draw (noise, classes, codes) reads its own cursor on the stream, started
 * where a single draw would reach that part, so the joined chunks equal one draw of `n` samples.
 */
export function* sampleChunkIterator(plan: ChunkPlan): Generator<tf.Tensor, void, undefined> {
  const { generator, latentDim, conditioning: cond, n, chunkSize, given } = plan;
  const counts = drawCounts(n, latentDim, cond, given);
  const noise = new NormalStream(SeededRandom.fromState(plan.start));
  const labelRng = SeededRandom.fromState(plan.start);
  labelRng.skip(cond ? counts.noise : 0);
  const codeRng = SeededRandom.fromState(labelRng.getState());
  codeRng.skip(counts.labels);
  for (let from = 0; from < n; from += chunkSize) {
    plan.assertUsable();
    const size = Math.min(chunkSize, n - from);
    yield tf.tidy(() => {
      const z = tf.tensor2d(noise.take(size * latentDim), [size, latentDim]);
      if (!cond) return generator.apply(z, { training: false }) as tf.Tensor;
      const labels =
        given.labels !== undefined
          ? labelsChunk(given.labels, from, size)
          : cond.numClasses > 0
            ? tf.tensor1d(labelRng.integers(size, cond.numClasses), 'int32')
            : undefined;
      const k = cond.continuous;
      const codes =
        k === 0
          ? undefined
          : given.codes !== undefined
            ? codesChunk(given.codes, from, size)
            : tf.tensor2d(codeRng.uniform(size * k, -1, 1), [size, k]);
      // Labels and codes are given, so the draw takes nothing from the stream.
      const { input } = cond.draw(size, codeRng, labels, codes);
      return cond.generate(generator, z, input, false);
    });
  }
}

function labelsChunk(labels: NonNullable<GivenConditions['labels']>, from: number, size: number): tf.Tensor1D {
  if (labels instanceof tf.Tensor) return tf.cast(tf.slice(labels, [from], [size]), 'int32') as tf.Tensor1D;
  return tf.tensor1d(Array.from(labels.slice(from, from + size)), 'int32');
}

function codesChunk(codes: NonNullable<GivenConditions['codes']>, from: number, size: number): tf.Tensor2D {
  if (codes instanceof tf.Tensor) return tf.slice(codes, [from, 0], [size, -1]);
  return tf.tensor2d(codes.slice(from, from + size).map((row) => [...row]));
}

/**
 * {@link GAN.sample}: all `n` samples in one tensor that the caller owns.
 * @throws {@link ConfigError} for a bad `n`, or one whose result is too large for one tensor.
 */
export function sampleAll(gan: SampleSource, n: number, options: SampleOptions, streamFor: StreamFor): tf.Tensor {
  gan.assertUsable('sample');
  positiveInteger('GAN.sample', 'n', n);
  const perSample = gan.dataShape.reduce((a, b) => a * b, 1);
  if (n * perSample > MAX_SAMPLE_VALUES) {
    const most = Math.floor(MAX_SAMPLE_VALUES / perSample);
    throw new ConfigError(
      `GAN.sample: n = ${n} samples of shape ${formatShape(gan.dataShape)} make ${n * perSample} values, ` +
        `more than one tensor may hold here (${MAX_SAMPLE_VALUES} values, 1 GiB of float32): at most ${most} ` +
        'samples per call. Draw more in chunks with gan.sampleChunks(n) (one noise stream, one chunk in memory ' +
        'at a time), or call sample repeatedly; `ts-gan sample` writes large grids in chunks.',
    );
  }
  const chunks: tf.Tensor[] = [];
  try {
    for (const chunk of sampleInChunks(gan, 'sample', n, options, streamFor)) chunks.push(chunk);
    if (chunks.length === 1) return chunks[0] as tf.Tensor;
    return tf.concat(chunks);
  } finally {
    if (chunks.length > 1) for (const chunk of chunks) chunk.dispose();
  }
}

/**
 * {@link GAN.sampleChunks}, with errors naming `GAN.${method}`: the options are checked, and the
 * GAN's own stream advanced past all `n` samples, now; the chunks are drawn as they are read.
 */
export function sampleInChunks(
  gan: SampleSource,
  method: string,
  n: number,
  options: SampleChunkOptions,
  streamFor: StreamFor,
): Generator<tf.Tensor, void> {
  const where = `GAN.${method}`;
  gan.assertUsable(method);
  positiveInteger(where, 'n', n);
  if (!Number.isSafeInteger(n)) throw new ConfigError(`${where}: n must be a safe integer, got ${n}.`);
  const chunkSize = positiveInteger(where, 'chunkSize', options.chunkSize ?? SAMPLE_CHUNK);
  const cond = gan.conditioning;
  if (!cond && (options.labels !== undefined || options.codes !== undefined)) {
    throw new ConfigError(`${where}: labels and codes need a conditional GAN (numClasses or infoCodes).`);
  }
  const rng = streamFor(options.seed);
  const start = rng.getState();
  // Checked now, so that a bad label fails here and not at some later chunk; the chunks slice the
  // caller's own values.
  if (cond) tf.tidy(() => checkSampleConditions(where, cond, n, options));
  if (options.seed === undefined) {
    const counts = drawCounts(n, gan.latentDim, cond, options);
    rng.skip(counts.noise + counts.labels + counts.codes);
  }
  const { generator, latentDim } = gan;
  return sampleChunkIterator({
    generator,
    latentDim,
    conditioning: cond,
    n,
    chunkSize,
    start,
    given: { labels: options.labels, codes: options.codes },
    assertUsable: () => gan.assertUsable(method),
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
