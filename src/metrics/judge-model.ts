/**
 * The architecture of the MNIST judge: a small convolutional classifier whose 64-unit hidden layer
 * is the feature space of the Fréchet distance and KID. The weights come from
 * `scripts/train-judge.ts` (see docs/evaluation.md) and ship in `judge-weights.generated.ts`.
 *
 * @packageDocumentation
 */
import * as tfl from '@tensorflow/tfjs-layers';
import { decodeFloat16, decodeFloat64 } from './encoding.js';
import type { GaussianStatistics, SampleMatrix } from './matrix.js';

/** Side of an MNIST digit in pixels. */
export const JUDGE_IMAGE_SIZE = 28;
/** Filters of the first 3x3 convolution. */
export const JUDGE_CONV1_FILTERS = 16;
/** Filters of the second 3x3 convolution. */
export const JUDGE_CONV2_FILTERS = 32;
/** Units of the feature layer: the feature space of the Fréchet distance and KID. */
export const JUDGE_FEATURE_DIM = 64;
/** Number of classes. */
export const JUDGE_CLASSES = 10;

/**
 * The judge's layers, in the order of their weights: conv 3x3 (16, ReLU), max-pool 2, conv 3x3
 * (32, ReLU), max-pool 2, flatten, dense 64 (ReLU: the features), dense 10 (logits).
 *
 * The model takes `[batch, 28, 28, 1]` images in [-1, 1] (the library's convention for a tanh
 * generator) and has two outputs: `[features [batch, 64], logits [batch, 10]]`. Weights are
 * initialized by tfjs-layers' defaults (draws from `Math.random`: wrap the call in
 * `withSeededMathRandom` for repeatable initial weights).
 *
 * @returns a new, untrained model; the caller owns and disposes it.
 * @category Metrics
 */
export function buildJudgeArchitecture(): tfl.LayersModel {
  const input = tfl.input({ shape: [JUDGE_IMAGE_SIZE, JUDGE_IMAGE_SIZE, 1], name: 'judge_input' });
  let h = tfl.layers
    .conv2d({ filters: JUDGE_CONV1_FILTERS, kernelSize: 3, activation: 'relu', name: 'judge_conv1' })
    .apply(input) as tfl.SymbolicTensor;
  h = tfl.layers.maxPooling2d({ poolSize: 2, name: 'judge_pool1' }).apply(h) as tfl.SymbolicTensor;
  h = tfl.layers
    .conv2d({ filters: JUDGE_CONV2_FILTERS, kernelSize: 3, activation: 'relu', name: 'judge_conv2' })
    .apply(h) as tfl.SymbolicTensor;
  h = tfl.layers.maxPooling2d({ poolSize: 2, name: 'judge_pool2' }).apply(h) as tfl.SymbolicTensor;
  h = tfl.layers.flatten({ name: 'judge_flatten' }).apply(h) as tfl.SymbolicTensor;
  const features = tfl.layers
    .dense({ units: JUDGE_FEATURE_DIM, activation: 'relu', name: 'judge_features' })
    .apply(h) as tfl.SymbolicTensor;
  const logits = tfl.layers.dense({ units: JUDGE_CLASSES, name: 'judge_logits' }).apply(features) as tfl.SymbolicTensor;
  return tfl.model({ inputs: input, outputs: [features, logits], name: 'mnist_judge' });
}

/** A judge's shipped reference, as its generated weights module stores it (base64 blobs). */
export interface ShippedReference {
  stats: { count: number; mean: string; covariance: string };
  featureSample: { count: number; features: string };
}

/** The feature statistics of a judge's test set, decoded from its shipped reference. */
export function decodeTestStatistics(stats: ShippedReference['stats']): GaussianStatistics {
  return {
    count: stats.count,
    mean: decodeFloat64(stats.mean),
    covariance: decodeFloat64(stats.covariance),
    dim: JUDGE_FEATURE_DIM,
  };
}

/** The shipped test features (the real side of KID), decoded from a judge's shipped reference. */
export function decodeTestFeatureSample(sample: ShippedReference['featureSample']): SampleMatrix {
  return { data: decodeFloat16(sample.features), rows: sample.count, cols: JUDGE_FEATURE_DIM };
}
