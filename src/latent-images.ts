/**
 * The image side of the latent tools: what {@link GAN.interpolate}, {@link GAN.walk},
 * {@link GAN.sampleTruncated} and {@link GAN.classSweep} run. The vector math is in latent.ts.
 *
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Conditioning } from './conditional/conditioning.js';
import { ConfigError, ShapeError } from './errors.js';
import {
  classSweepLatents,
  type InterpolationMethod,
  interpolateLatents,
  latentPath,
  truncatedNormal,
} from './latent.js';
import { SeededRandom } from './random.js';
import { knownKeys, positiveInteger, positiveNumber, show } from './util/validate.js';

/**
 * Latent vectors as the GAN's latent methods take them: one vector (`number[]`, a `Float32Array`, a
 * `Tensor1D`) or several (an array of those, or a `Tensor2D` `[rows, latentDim]`). Tensors are not
 * disposed.
 * @category Sampling
 */
export type LatentInput = tf.Tensor | ArrayLike<number> | readonly ArrayLike<number>[];

/**
 * Options of {@link GAN.interpolate}.
 * @category Sampling
 */
export interface InterpolateOptions {
  /** `'slerp'` (default) or `'linear'`. */
  method?: InterpolationMethod;
  /**
   * Conditional GANs: the class held along each row (one number for all rows, or one per row);
   * default row `r` draws class `r % numClasses`. InfoGAN's continuous codes are held at 0.
   */
  labels?: number | readonly number[];
}

/**
 * Options of {@link GAN.walk}.
 * @category Sampling
 */
export interface WalkOptions {
  /** `'slerp'` (default) or `'linear'`. */
  method?: InterpolationMethod;
  /** Return to the first keyframe at the end. Default false. */
  loop?: boolean;
  /** Conditional GANs: the class held along the walk. Default 0. */
  label?: number;
}

/**
 * Options of {@link GAN.sampleTruncated}.
 * @category Sampling
 */
export interface TruncatedSampleOptions {
  /** The truncation threshold: every noise component lies in [-threshold, threshold]. Required. */
  threshold: number;
  /** Seed of the noise. Without it, the GAN's own sampling stream is used (and advanced). */
  seed?: number;
  /** Conditional GANs: the class of each sample (`n` integers); drawn uniformly when absent. */
  labels?: readonly number[] | Int32Array;
}

/**
 * Options of {@link GAN.classSweep}.
 * @category Sampling
 */
export interface ClassSweepOptions {
  /** Noise vectors (columns) shared by every class. Default 10. */
  perClass?: number;
  /** The class of each row. Default every class in order. */
  classes?: readonly number[];
  /** Seed of the shared noise. Default 0. */
  seed?: number;
  /** Draw the shared noise with the truncation trick at this threshold. Default none. */
  truncation?: number;
}

/** What the latent tools need of a GAN: its latent size, its conditioning and its generator. */
export interface LatentImageSource {
  readonly latentDim: number;
  readonly conditioning: Conditioning | undefined;
  /** Runs the generator in inference mode; the caller owns the result. */
  generate(z: tf.Tensor, condition?: tf.Tensor): tf.Tensor;
}

/** Default columns of a class sweep: ten styles per class. */
const SWEEP_COLUMNS = 10;

/** Images between pairs of latents: `[rows * steps, ...dataShape]`, row `r` from `from[r]` to `to[r]`. */
export function interpolateImages(
  gan: LatentImageSource,
  from: LatentInput,
  to: LatentInput,
  steps: number,
  options: InterpolateOptions,
): tf.Tensor {
  knownKeys('GAN.interpolate', options, ['method', 'labels']);
  const a = toRows('GAN.interpolate', 'from', from, gan.latentDim);
  const b = toRows('GAN.interpolate', 'to', to, gan.latentDim);
  if (a.length !== b.length) {
    throw new ShapeError(`GAN.interpolate: from and to must hold as many vectors, got ${a.length} and ${b.length}.`);
  }
  const rows = a.map((start, r) => interpolateLatents(start, b[r] as Float32Array, steps, options.method ?? 'slerp'));
  const rowLabels = rowClasses(gan, options.labels, a.length);
  const labels =
    rowLabels && Int32Array.from({ length: a.length * steps }, (_, i) => rowLabels[Math.floor(i / steps)] as number);
  return render(gan, 'GAN.interpolate', rows.flat(), labels);
}

/** Images along a path through keyframes (see latentPath). */
export function walkImages(
  gan: LatentImageSource,
  keyframes: LatentInput,
  stepsPerSegment: number,
  options: WalkOptions,
): tf.Tensor {
  knownKeys('GAN.walk', options, ['method', 'loop', 'label']);
  const frames = toRows('GAN.walk', 'keyframes', keyframes, gan.latentDim);
  const path = latentPath(frames, stepsPerSegment, {
    ...(options.method === undefined ? {} : { method: options.method }),
    ...(options.loop === undefined ? {} : { loop: options.loop }),
  });
  const label = rowClasses(gan, options.label, 1)?.[0];
  return render(gan, 'GAN.walk', path, label === undefined ? undefined : new Int32Array(path.length).fill(label));
}

/**
 * `n` samples from truncated noise drawn from the stream of `options.seed` (the GAN's own without
 * one); conditions as GAN.sample draws them.
 */
export function sampleTruncatedImages(
  gan: LatentImageSource,
  n: number,
  options: TruncatedSampleOptions,
  streamFor: (seed: number | undefined) => SeededRandom,
): tf.Tensor {
  positiveInteger('GAN.sampleTruncated', 'n', n);
  if (options === null || typeof options !== 'object') {
    throw new ConfigError(`GAN.sampleTruncated: options must be an object with a threshold, got ${show(options)}.`);
  }
  knownKeys('GAN.sampleTruncated', options, ['threshold', 'seed', 'labels']);
  const rng = streamFor(options.seed);
  const threshold = positiveNumber('GAN.sampleTruncated', 'threshold', options.threshold);
  const z = truncatedNormal(n * gan.latentDim, threshold, rng);
  const noise = Array.from({ length: n }, (_, i) => z.subarray(i * gan.latentDim, (i + 1) * gan.latentDim));
  const cond = gan.conditioning;
  if (!cond) {
    if (options.labels !== undefined) throw new ConfigError('GAN.sampleTruncated: labels need a conditional GAN.');
    return render(gan, 'GAN.sampleTruncated', noise, undefined);
  }
  if (options.labels !== undefined && cond.numClasses === 0) {
    throw new ConfigError('GAN.sampleTruncated: this InfoGAN has no categorical code to set with labels.');
  }
  return tf.tidy(() => {
    const given = options.labels === undefined ? undefined : tf.tensor1d(Array.from(options.labels));
    const labels = given && (tf.cast(cond.checkLabels('GAN.sampleTruncated', given, n), 'int32') as tf.Tensor1D);
    const { input } = cond.draw(n, rng, labels);
    return gan.generate(stack(noise, gan.latentDim), input);
  });
}

/** The class sweep: `[classes * perClass, ...dataShape]`, the same noise in every row. */
export function classSweepImages(gan: LatentImageSource, options: ClassSweepOptions): tf.Tensor {
  knownKeys('GAN.classSweep', options, ['perClass', 'classes', 'seed', 'truncation']);
  const cond = gan.conditioning;
  if (!cond || cond.numClasses === 0) {
    throw new ConfigError('GAN.classSweep: needs a GAN with classes (numClasses, or an InfoGAN categorical code).');
  }
  const perClass = positiveInteger('GAN.classSweep', 'perClass', options.perClass ?? SWEEP_COLUMNS);
  const classes = options.classes ?? Array.from({ length: cond.numClasses }, (_, i) => i);
  const rng = new SeededRandom(options.seed ?? 0);
  const d = gan.latentDim;
  const flat =
    options.truncation === undefined
      ? rng.normal(perClass * d)
      : truncatedNormal(perClass * d, positiveNumber('GAN.classSweep', 'truncation', options.truncation), rng);
  const noise = Array.from({ length: perClass }, (_, i) => flat.subarray(i * d, (i + 1) * d));
  const { latents, labels } = classSweepLatents(noise, classes);
  return render(gan, 'GAN.classSweep', latents, labels);
}

/**
 * Runs the generator on latent vectors with fixed classes (InfoGAN's continuous codes held at 0, the
 * middle of their range, so that images differ by the noise and the class only).
 */
function render(
  gan: LatentImageSource,
  where: string,
  latents: readonly Float32Array[],
  labels: Int32Array | undefined,
): tf.Tensor {
  return tf.tidy(() => {
    const z = stack(latents, gan.latentDim);
    const cond = gan.conditioning;
    if (!cond) return gan.generate(z);
    const n = latents.length;
    const classes =
      cond.numClasses > 0 && labels ? cond.checkLabels(where, tf.tensor1d(labels, 'int32'), n) : undefined;
    const codes = cond.continuous > 0 ? (tf.zeros([n, cond.continuous]) as tf.Tensor2D) : undefined;
    // Nothing is drawn: the classes and codes are given (InfoGAN without a categorical code has none).
    const { input } = cond.draw(n, new SeededRandom(0), classes, codes);
    return gan.generate(z, input);
  });
}

/** The class of each of `rows` rows, or undefined for a GAN without classes. */
function rowClasses(
  gan: LatentImageSource,
  labels: number | readonly number[] | undefined,
  rows: number,
): number[] | undefined {
  const k = gan.conditioning?.numClasses ?? 0;
  if (k === 0) {
    if (labels !== undefined && gan.conditioning === undefined) {
      throw new ConfigError('GAN: labels need a conditional GAN (numClasses or an InfoGAN categorical code).');
    }
    return undefined;
  }
  if (labels === undefined) return Array.from({ length: rows }, (_, r) => r % k);
  const list = typeof labels === 'number' ? new Array<number>(rows).fill(labels) : [...labels];
  if (list.length !== rows)
    throw new ConfigError(`GAN: labels must give one class per row (${rows}), got ${list.length}.`);
  return list;
}

/** Latents as a `[rows, latentDim]` tensor. */
function stack(rows: readonly Float32Array[], latentDim: number): tf.Tensor2D {
  const flat = new Float32Array(rows.length * latentDim);
  rows.forEach((row, i) => {
    flat.set(row, i * latentDim);
  });
  return tf.tensor2d(flat, [rows.length, latentDim]);
}

/** Reads latent vectors of length `latentDim` from any {@link LatentInput}. */
export function toRows(where: string, name: string, x: LatentInput, latentDim: number): Float32Array[] {
  let rows: Float32Array[];
  if (x instanceof tf.Tensor) {
    if (x.rank !== 1 && x.rank !== 2) {
      throw new ShapeError(
        `${where}: ${name} must be [${latentDim}] or [rows, ${latentDim}], got a tensor of shape [${x.shape.join(', ')}].`,
      );
    }
    const values = x.dataSync() as Float32Array;
    const n = x.rank === 1 ? 1 : (x.shape[0] as number);
    const width = x.shape[x.rank - 1] as number;
    rows = Array.from({ length: n }, (_, i) => Float32Array.from(values.subarray(i * width, (i + 1) * width)));
  } else if (Array.isArray(x) && x.length > 0 && typeof x[0] !== 'number') {
    rows = (x as readonly ArrayLike<number>[]).map((row) => Float32Array.from(row));
  } else if (x !== null && typeof x === 'object' && typeof (x as ArrayLike<number>).length === 'number') {
    rows = [Float32Array.from(x as ArrayLike<number>)];
  } else {
    throw new ShapeError(`${where}: ${name} must be a latent vector, rows of them or a tensor, got ${show(x)}.`);
  }
  if (rows.length === 0 || rows.some((r) => r.length !== latentDim)) {
    throw new ShapeError(
      `${where}: ${name} must hold vectors of length ${latentDim} (latentDim), got lengths [${rows.map((r) => r.length).join(', ')}].`,
    );
  }
  return rows;
}
