/**
 * The MNIST judge: a small classifier that ships inside the package (weights and the real test
 * set's feature statistics as base64 in a TypeScript module), so MNIST GANs are scored offline,
 * with the same numbers in Node and in the browser.
 *
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { ConfigError, ShapeError, StateError } from '../errors.js';
import { knownKeys, positiveInteger } from '../util/validate.js';
import { decodeFloat16 } from './encoding.js';
import { collectOutputs, type ImageSource, tensorSource } from './extract.js';
import {
  buildJudgeArchitecture,
  decodeTestFeatureSample,
  decodeTestStatistics,
  JUDGE_CLASSES,
  JUDGE_FEATURE_DIM,
  JUDGE_IMAGE_SIZE,
} from './judge-model.js';
import {
  JUDGE_TEST_FEATURE_SAMPLE,
  JUDGE_TEST_STATS,
  JUDGE_TRAINING,
  JUDGE_WEIGHT_SHAPES,
  JUDGE_WEIGHTS_F16,
} from './judge-weights.generated.js';
import type { GaussianStatistics, SampleMatrix } from './matrix.js';

/**
 * Options of {@link MnistJudge.run}.
 * @category Metrics
 */
export interface JudgeRunOptions {
  /** Images per forward pass. Default 250. */
  batchSize?: number;
  /**
   * The pixel range of the images, mapped linearly onto the judge's [-1, 1]. Default `[-1, 1]`
   * (a tanh generator, and `loadMnist`); `[0, 1]` for a sigmoid generator.
   */
  pixelRange?: readonly [number, number];
}

/**
 * What the judge says about a set of images.
 * @category Metrics
 */
export interface JudgeOutputs {
  /** Feature vectors `[n, 64]` (the hidden layer before the classifier). */
  features: SampleMatrix;
  /** Class probabilities `[n, 10]` (softmax of the logits). */
  probabilities: SampleMatrix;
}

const DEFAULT_BATCH = 250;
const PIXELS = JUDGE_IMAGE_SIZE * JUDGE_IMAGE_SIZE;

/**
 * The MNIST judge: a convolutional classifier (99%+ on the 10,000 test digits) trained by
 * `scripts/train-judge.ts`. Its 64-unit hidden layer is the feature space of
 * {@link frechetDistance} and {@link kernelInceptionDistance}; its class probabilities feed
 * {@link classifierScore}, {@link classHistogram} and {@link confidentShare}.
 *
 * It owns a tfjs-layers model on the current backend: call {@link MnistJudge.dispose} when done.
 *
 * @example
 * ```ts
 * import { MnistJudge } from 'ts-gan/metrics';
 * const judge = MnistJudge.load();
 * const { probabilities } = await judge.run(images); // images [n, 28, 28, 1] in [-1, 1]
 * judge.dispose();
 * ```
 * @category Metrics
 */
export class MnistJudge {
  /** The classifier: input `[batch, 28, 28, 1]` in [-1, 1], outputs `[features [batch, 64], logits [batch, 10]]`. */
  readonly model: LayersModel;
  private disposed = false;

  protected constructor(model: LayersModel) {
    this.model = model;
  }

  /** Builds the judge's architecture and sets the given float16 weights (one base64 string per weight). */
  protected static buildModel(shapes: readonly (readonly number[])[], weightsF16: readonly string[]): LayersModel {
    const model = buildJudgeArchitecture();
    const weights = weightsF16.map((text, i) => tf.tensor(decodeFloat16(text), shapes[i] as number[]));
    try {
      model.setWeights(weights);
    } finally {
      tf.dispose(weights);
    }
    return model;
  }

  /**
   * Builds the judge with the shipped weights on the current backend. Synchronous: the weights
   * are part of the module, nothing is fetched.
   * @returns a new judge the caller disposes.
   */
  static load(): MnistJudge {
    return new MnistJudge(MnistJudge.buildModel(JUDGE_WEIGHT_SHAPES, JUDGE_WEIGHTS_F16));
  }

  /**
   * Judge-feature statistics of the real test set this judge was trained for: the real side of
   * the Fréchet distance in {@link evaluateMnist}. {@link mnistTestStatistics} for this judge.
   * @returns mean and covariance (shared; do not modify).
   */
  testStatistics(): GaussianStatistics {
    return mnistTestStatistics();
  }

  /**
   * Judge features of 1,000 of the real test images this judge was trained for: the real side of
   * KID when no real images are given. {@link mnistTestFeatureSample} for this judge.
   * @returns `[1000, 64]` features (shared; do not modify).
   */
  testFeatureSample(): SampleMatrix {
    return mnistTestFeatureSample();
  }

  /** Accuracy of the shipped weights on the 10,000 MNIST test digits, as measured by the training script. */
  static get testAccuracy(): number {
    return JUDGE_TRAINING.testAccuracy;
  }

  /**
   * Runs the judge on images in batches.
   *
   * @param images - `[n, 28, 28, 1]`, `[n, 28, 28]` or `[n, 784]` (not disposed), or an {@link ImageSource}.
   * @param options - batch size and pixel range.
   * @returns features and class probabilities on the host.
   * @throws {@link index!ShapeError | ShapeError} when the images are not 28x28; {@link StateError} after dispose.
   */
  async run(images: tf.Tensor | ImageSource, options: JudgeRunOptions = {}): Promise<JudgeOutputs> {
    this.assertUsable('run');
    knownKeys('MnistJudge.run', options, ['batchSize', 'pixelRange']);
    const batchSize = positiveInteger('MnistJudge.run', 'batchSize', options.batchSize ?? DEFAULT_BATCH);
    const [lo, hi] = checkRange(options.pixelRange ?? [-1, 1]);
    const source = images instanceof tf.Tensor ? tensorSource(images) : images;
    const [features, probabilities] = await collectOutputs(
      source,
      batchSize,
      (x) => {
        if (x.size !== (x.shape[0] as number) * PIXELS) {
          throw new ShapeError(
            `MnistJudge.run: images must be 28x28 digits ([n, 28, 28, 1], [n, 28, 28] or [n, 784]), got [${x.shape.join(', ')}].`,
          );
        }
        let input = tf.reshape(x, [x.shape[0] as number, JUDGE_IMAGE_SIZE, JUDGE_IMAGE_SIZE, 1]);
        if (lo !== -1 || hi !== 1) input = tf.sub(tf.mul(tf.sub(input, lo), 2 / (hi - lo)), 1);
        const [f, logits] = this.model.predict(input) as tf.Tensor[];
        return [f as tf.Tensor, tf.softmax(logits as tf.Tensor)];
      },
      'MnistJudge.run',
    );
    const empty = (cols: number): SampleMatrix => ({ data: new Float32Array(0), rows: 0, cols });
    return { features: features ?? empty(JUDGE_FEATURE_DIM), probabilities: probabilities ?? empty(JUDGE_CLASSES) };
  }

  /**
   * A feature extractor for {@link extractFeatures}: images in [-1, 1] to the judge's 64 features.
   * @returns a function valid until the judge is disposed.
   */
  featureExtractor(): (images: tf.Tensor) => tf.Tensor {
    return (images) => {
      this.assertUsable('featureExtractor');
      const input = tf.reshape(images, [images.shape[0] as number, JUDGE_IMAGE_SIZE, JUDGE_IMAGE_SIZE, 1]);
      return (this.model.predict(input) as tf.Tensor[])[0] as tf.Tensor;
    };
  }

  /** Releases the model's weights. Safe to call twice. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.model.dispose();
  }

  private assertUsable(call: string): void {
    if (this.disposed) throw new StateError(`MnistJudge.${call}: the judge has been disposed; load a new one.`);
  }
}

function checkRange(range: readonly [number, number]): [number, number] {
  const [lo, hi] = range;
  if (!Array.isArray(range) || !Number.isFinite(lo) || !Number.isFinite(hi) || !(hi > lo)) {
    throw new ConfigError(
      `MnistJudge.run: pixelRange must be [low, high] with low < high, got ${JSON.stringify(range)}.`,
    );
  }
  return [lo, hi];
}

let cachedStats: GaussianStatistics | undefined;
let cachedSample: SampleMatrix | undefined;

/**
 * Judge-feature statistics of the 10,000 MNIST test digits, shipped with the package: the real
 * side of the Fréchet distance.
 * @returns mean and covariance (shared; do not modify).
 * @category Metrics
 */
export function mnistTestStatistics(): GaussianStatistics {
  cachedStats ??= decodeTestStatistics(JUDGE_TEST_STATS);
  return cachedStats;
}

/**
 * Judge features of a fixed, evenly spread subset of the MNIST test digits (every 10th), shipped
 * with the package: the real side of KID when no real images are given.
 * @returns `[1000, 64]` features (shared; do not modify).
 * @category Metrics
 */
export function mnistTestFeatureSample(): SampleMatrix {
  cachedSample ??= decodeTestFeatureSample(JUDGE_TEST_FEATURE_SAMPLE);
  return cachedSample;
}
