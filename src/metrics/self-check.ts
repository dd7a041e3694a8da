/**
 * A small, fixed computation through the judge and every metric, for comparing backends: the same
 * call on cpu, wasm, webgl and webgpu (in Node or a browser) should give the same numbers to about
 * 1e-4 relative.
 *
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { SeededRandom } from '../random.js';
import { classHistogram, classifierScore, confidentShare, klFromUniform } from './classifier.js';
import { duplicateShare } from './duplicates.js';
import { frechetDistance } from './frechet.js';
import { MnistJudge, mnistTestFeatureSample, mnistTestStatistics } from './judge.js';
import { kernelInceptionDistance } from './kid.js';
import { featureStatistics } from './matrix.js';

/**
 * The numbers {@link metricsSelfCheck} returns.
 * @category Metrics
 */
export interface MetricsSelfCheck {
  /** The backend it ran on. */
  backend: string;
  /** Sum of all judge features of the 64 fixed images. */
  featureSum: number;
  /** Mean of the largest class probability. */
  meanTopProbability: number;
  /** The metrics of the 64 images. */
  classifierScore: number;
  frechetDistance: number;
  kid: number;
  histogramKl: number;
  confidentShare: number;
  duplicateShare: number;
}

/** Images in the check. */
const COUNT = 64;
const SIDE = 28;

/**
 * Runs the judge and all metrics on 64 fixed images (seeded noisy strokes) on the current backend.
 * Deterministic; leaves no tensors behind.
 *
 * @returns the numbers to compare across backends.
 * @example
 * ```ts
 * await tf.setBackend('webgl');
 * const webgl = await metricsSelfCheck();
 * ```
 * @category Metrics
 */
export async function metricsSelfCheck(): Promise<MetricsSelfCheck> {
  const rng = new SeededRandom(8);
  const pixels = new Float32Array(COUNT * SIDE * SIDE).fill(-1);
  for (let i = 0; i < COUNT; i++) {
    // A random bright bar through the middle of the image: crude strokes the judge has opinions on.
    const [x0, y0, x1, y1] = Array.from(rng.uniform(4, 6, 22));
    for (let t = 0; t <= 40; t++) {
      const x = Math.round((x0 as number) + ((x1 as number) - (x0 as number)) * (t / 40));
      const y = Math.round((y0 as number) + ((y1 as number) - (y0 as number)) * (t / 40));
      pixels[i * SIDE * SIDE + y * SIDE + x] = 1;
    }
  }
  const judge = MnistJudge.load();
  const images = tf.tensor4d(pixels, [COUNT, SIDE, SIDE, 1]);
  try {
    const { features, probabilities } = await judge.run(images);
    let featureSum = 0;
    for (const v of features.data) featureSum += v;
    let top = 0;
    for (let i = 0; i < COUNT; i++) top += Math.max(...Array.from(probabilities.data.subarray(i * 10, i * 10 + 10)));
    const histogram = classHistogram(probabilities);
    return {
      backend: tf.getBackend(),
      featureSum,
      meanTopProbability: top / COUNT,
      classifierScore: classifierScore(probabilities),
      frechetDistance: frechetDistance(featureStatistics(features), mnistTestStatistics()),
      kid: (await kernelInceptionDistance(features, mnistTestFeatureSample(), { subsets: 4, subsetSize: 32 })).mean,
      histogramKl: klFromUniform(histogram),
      confidentShare: confidentShare(probabilities),
      duplicateShare: duplicateShare(features),
    };
  } finally {
    images.dispose();
    judge.dispose();
  }
}
