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
import { NormalStream, type RandomState, SeededRandom } from './random.js';

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
