/**
 * All MNIST metrics of a set of images in one call, and an image source that draws from a GAN.
 *
 * @packageDocumentation
 */
import type * as tf from '@tensorflow/tfjs-core';
import { ConfigError } from '../errors.js';
import type { GAN } from '../gan.js';
import { knownKeys, positiveInteger } from '../util/validate.js';
import { classHistogram, classifierScore, confidentShare, klFromUniform } from './classifier.js';
import { type DuplicateOptions, duplicateShare } from './duplicates.js';
import type { ImageSource } from './extract.js';
import { frechetDistance } from './frechet.js';
import { type JudgeRunOptions, MnistJudge } from './judge.js';
import { type KidOptions, type KidResult, kernelInceptionDistance } from './kid.js';
import { featureStatistics, type GaussianStatistics, type SampleMatrix } from './matrix.js';

/**
 * Options of {@link evaluateMnist}.
 * @category Metrics
 */
export interface EvaluateMnistOptions extends JudgeRunOptions {
  /**
   * The judge to use: an {@link MnistJudge}, or a {@link FashionJudge} for Fashion-MNIST. Default:
   * an MNIST judge loaded (and disposed) for this call.
   */
  judge?: MnistJudge;
  /**
   * The real reference. Default: the judge's shipped statistics of its 10,000 test images (Fréchet)
   * and its shipped features of 1,000 of them (KID). Pass real images to compare against those instead.
   */
  real?: tf.Tensor | ImageSource;
  /** KID options. Default 50 subsets of min(1000, n) samples, seed 0. */
  kid?: KidOptions;
  /** Probability at or above which a sample counts as confidently classified. Default 0.9. */
  confidenceThreshold?: number;
  /** Near-duplicate detection options. */
  duplicates?: DuplicateOptions;
}

/**
 * The metrics of a set of generated digits, judged by the MNIST judge.
 * @category Metrics
 */
export interface MnistMetrics {
  /** Samples evaluated. */
  count: number;
  /** exp(mean KL(p(y|x) || p(y))), 1 .. 10. Real test digits: see docs/evaluation.md. */
  classifierScore: number;
  /** Fréchet distance (squared, as FID) between the samples' judge features and the real reference. */
  frechetDistance: number;
  /** KID: unbiased MMD^2 (cubic kernel) against the real reference, with its standard error. */
  kid: KidResult;
  /** Share of samples per class (by the judge's arg max). */
  classHistogram: number[];
  /** KL divergence of the class histogram from uniform, in nats (0 .. log 10 = 2.303). */
  histogramKl: number;
  /** Share of samples whose top class probability is at least the confidence threshold. */
  confidentShare: number;
  /** Share of samples with a near-identical neighbour in judge feature space. */
  duplicateShare: number;
}

/**
 * Every MNIST metric of a set of images.
 *
 * @param images - generated digits `[n, 28, 28, 1]` (not disposed) or an {@link ImageSource}
 *   (see {@link generatorSource}); n >= 2.
 * @param options - judge, real reference, KID and threshold options.
 * @returns the metrics.
 * @throws {@link index!ConfigError | ConfigError} for fewer than 2 images or a bad option; {@link index!ShapeError | ShapeError} for images that are not 28x28.
 * @example
 * ```ts
 * const metrics = await evaluateMnist(generatorSource(gan, 10_000, { seed: 1 }));
 * console.log(metrics.frechetDistance, metrics.classifierScore);
 * ```
 * @category Metrics
 */
export async function evaluateMnist(
  images: tf.Tensor | ImageSource,
  options: EvaluateMnistOptions = {},
): Promise<MnistMetrics> {
  knownKeys('evaluateMnist', options, [
    'judge',
    'real',
    'kid',
    'confidenceThreshold',
    'duplicates',
    'batchSize',
    'pixelRange',
  ]);
  const judge = options.judge ?? MnistJudge.load();
  try {
    const run: JudgeRunOptions = {};
    if (options.batchSize !== undefined) run.batchSize = options.batchSize;
    if (options.pixelRange !== undefined) run.pixelRange = options.pixelRange;
    const { features, probabilities } = await judge.run(images, run);
    if (features.rows < 2) throw new ConfigError(`evaluateMnist: need at least 2 images, got ${features.rows}.`);
    // The judge's own real test set: MNIST's for MnistJudge, Fashion-MNIST's for FashionJudge.
    let realStats: GaussianStatistics = judge.testStatistics();
    let realFeatures: SampleMatrix = judge.testFeatureSample();
    if (options.real !== undefined) {
      realFeatures = (await judge.run(options.real, run)).features;
      realStats = featureStatistics(realFeatures);
    }
    const histogram = classHistogram(probabilities);
    return {
      count: features.rows,
      classifierScore: classifierScore(probabilities),
      frechetDistance: frechetDistance(featureStatistics(features), realStats),
      kid: await kernelInceptionDistance(features, realFeatures, options.kid ?? {}),
      classHistogram: Array.from(histogram),
      histogramKl: klFromUniform(histogram),
      confidentShare: confidentShare(probabilities, options.confidenceThreshold ?? 0.9),
      duplicateShare: duplicateShare(features, options.duplicates ?? {}),
    };
  } finally {
    if (options.judge === undefined) judge.dispose();
  }
}

/**
 * The metrics as flat numbers, for logs and JSON lines: `classifierScore`, `frechetDistance`,
 * `kid`, `kidStdError`, `histogramKl`, `confidentShare`, `duplicateShare`.
 *
 * @param metrics - from {@link evaluateMnist}.
 * @returns a record of numbers.
 * @category Metrics
 */
export function flattenMnistMetrics(metrics: MnistMetrics): Record<string, number> {
  return {
    classifierScore: metrics.classifierScore,
    frechetDistance: metrics.frechetDistance,
    kid: metrics.kid.mean,
    kidStdError: metrics.kid.standardError,
    histogramKl: metrics.histogramKl,
    confidentShare: metrics.confidentShare,
    duplicateShare: metrics.duplicateShare,
  };
}

/**
 * Options of {@link generatorSource}.
 * @category Metrics
 */
export interface GeneratorSourceOptions {
  /** Seed of the noise: the same seed gives the same samples. Default 0. */
  seed?: number;
}

/**
 * An {@link ImageSource} of `count` samples from a GAN's generator (in inference mode), drawn batch
 * by batch from fixed noise: batch starting at `start` uses seed `seed + start`, so a source read
 * with the same batch size always yields the same images.
 *
 * @param gan - the GAN (not disposed by the source).
 * @param count - how many samples.
 * @param options - `seed`.
 * @returns the source.
 * @category Metrics
 */
export function generatorSource(gan: GAN, count: number, options: GeneratorSourceOptions = {}): ImageSource {
  knownKeys('generatorSource', options, ['seed']);
  positiveInteger('generatorSource', 'count', count);
  const seed = options.seed ?? 0;
  if (!Number.isSafeInteger(seed)) throw new ConfigError(`generatorSource: seed must be an integer, got ${seed}.`);
  return { count, batch: (start, size) => gan.sample(size, { seed: seed + start }) };
}
