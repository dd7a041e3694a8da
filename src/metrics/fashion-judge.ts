/**
 * The Fashion-MNIST judge: the MNIST judge's architecture trained on Fashion-MNIST by the same
 * script, shipped in its own module (weights and the real test set's feature statistics), so that
 * a bundle that only scores digits leaves it out.
 *
 * @packageDocumentation
 */
import type * as tf from '@tensorflow/tfjs-core';
import { type EvaluateMnistOptions, evaluateMnist, type MnistMetrics } from './evaluate.js';
import type { ImageSource } from './extract.js';
import {
  JUDGE_TEST_FEATURE_SAMPLE,
  JUDGE_TEST_STATS,
  JUDGE_TRAINING,
  JUDGE_WEIGHT_SHAPES,
  JUDGE_WEIGHTS_F16,
} from './fashion-judge-weights.generated.js';
import { MnistJudge } from './judge.js';
import { decodeTestFeatureSample, decodeTestStatistics } from './judge-model.js';
import type { GaussianStatistics, SampleMatrix } from './matrix.js';

/**
 * The class names of Fashion-MNIST, in label order (index 0 is label 0).
 * @category Metrics
 */
export const FASHION_CLASSES = [
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
] as const;

/**
 * The Fashion-MNIST judge: the same convolutional classifier as {@link MnistJudge}, trained on
 * Fashion-MNIST by `scripts/train-judge.ts --dataset fashion` (its test accuracy is
 * {@link FashionJudge.testAccuracy}). It reads 28x28x1 images in [-1, 1], and
 * {@link evaluateMnist} (or {@link evaluateFashion}) given this judge compares against the
 * Fashion-MNIST test set's shipped statistics.
 *
 * It owns a tfjs-layers model on the current backend: call {@link MnistJudge.dispose} when done.
 *
 * @example
 * ```ts
 * import { FashionJudge, evaluateMnist } from 'ts-gan/metrics';
 * const judge = FashionJudge.load();
 * const metrics = await evaluateMnist(images, { judge }); // images [n, 28, 28, 1] in [-1, 1]
 * judge.dispose();
 * ```
 * @category Metrics
 */
export class FashionJudge extends MnistJudge {
  /**
   * Builds the Fashion-MNIST judge with the shipped weights on the current backend.
   * @returns a new judge the caller disposes.
   */
  static override load(): FashionJudge {
    return new FashionJudge(MnistJudge.buildModel(JUDGE_WEIGHT_SHAPES, JUDGE_WEIGHTS_F16));
  }

  /** Accuracy of the shipped weights on the 10,000 Fashion-MNIST test images, as measured by the training script. */
  static override get testAccuracy(): number {
    return JUDGE_TRAINING.testAccuracy;
  }

  /** {@link fashionTestStatistics}. */
  override testStatistics(): GaussianStatistics {
    return fashionTestStatistics();
  }

  /** {@link fashionTestFeatureSample}. */
  override testFeatureSample(): SampleMatrix {
    return fashionTestFeatureSample();
  }
}

let cachedStats: GaussianStatistics | undefined;
let cachedSample: SampleMatrix | undefined;

/**
 * Fashion-judge feature statistics of the 10,000 Fashion-MNIST test images, shipped with the
 * package: the real side of the Fréchet distance.
 * @returns mean and covariance (shared; do not modify).
 * @category Metrics
 */
export function fashionTestStatistics(): GaussianStatistics {
  cachedStats ??= decodeTestStatistics(JUDGE_TEST_STATS);
  return cachedStats;
}

/**
 * Fashion-judge features of an evenly spread subset of 1,000 Fashion-MNIST test images (every
 * 10th), shipped with the package: the real side of KID when no real images are given.
 * @returns `[1000, 64]` features (shared; do not modify).
 * @category Metrics
 */
export function fashionTestFeatureSample(): SampleMatrix {
  cachedSample ??= decodeTestFeatureSample(JUDGE_TEST_FEATURE_SAMPLE);
  return cachedSample;
}

/**
 * Every metric of {@link evaluateMnist} for Fashion-MNIST images, judged by the
 * {@link FashionJudge} against the Fashion-MNIST test set.
 *
 * @param images - generated images `[n, 28, 28, 1]` (not disposed) or an {@link ImageSource}; n >= 2.
 * @param options - as {@link evaluateMnist}; `judge` must be a {@link FashionJudge} when given.
 *   Default: a Fashion judge loaded (and disposed) for this call.
 * @returns the metrics (class shares in the order of {@link FASHION_CLASSES}).
 * @throws as {@link evaluateMnist}.
 * @example
 * ```ts
 * const metrics = await evaluateFashion(generatorSource(gan, 10_000, { seed: 1 }));
 * console.log(metrics.frechetDistance);
 * ```
 * @category Metrics
 */
export async function evaluateFashion(
  images: tf.Tensor | ImageSource,
  options: Omit<EvaluateMnistOptions, 'judge'> & { judge?: FashionJudge } = {},
): Promise<MnistMetrics> {
  if (options.judge !== undefined) return evaluateMnist(images, options);
  const judge = FashionJudge.load();
  try {
    return await evaluateMnist(images, { ...options, judge });
  } finally {
    judge.dispose();
  }
}
