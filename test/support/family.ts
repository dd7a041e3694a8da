/**
 * Tiny networks and toy distributions for the GAN-family tests: 2-D points, so that "the samples
 * moved toward the data" is a distance that can be measured exactly.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { GAN, type GANConfig, type NetworkContext, SeededRandom } from 'ts-gan';

/** Four modes on the corners of a square; class k is mode k. */
export const MODES: readonly (readonly [number, number])[] = [
  [0.6, 0.6],
  [-0.6, 0.6],
  [-0.6, -0.6],
  [0.6, -0.6],
];
export const MODE_STD = 0.05;

/** `n` points of the 4-mode mixture, with their mode as label. */
export function mixture(n: number, seed = 1): { x: tf.Tensor2D; labels: tf.Tensor1D; labelArray: Int32Array } {
  const rng = new SeededRandom(seed);
  const k = rng.integers(n, MODES.length);
  const noise = rng.normal(2 * n);
  const values = new Float32Array(2 * n);
  for (let i = 0; i < n; i++) {
    const [mx, my] = MODES[k[i] as number] as readonly [number, number];
    values[2 * i] = mx + MODE_STD * (noise[2 * i] as number);
    values[2 * i + 1] = my + MODE_STD * (noise[2 * i + 1] as number);
  }
  return { x: tf.tensor2d(values, [n, 2]), labels: tf.tensor1d(k, 'int32'), labelArray: k };
}

/** Mean distance of each sample to the nearest mode. */
export function distanceToNearestMode(samples: tf.Tensor): number {
  const v = samples.dataSync();
  let total = 0;
  const n = v.length / 2;
  for (let i = 0; i < n; i++) {
    total += Math.min(...MODES.map(([mx, my]) => Math.hypot((v[2 * i] as number) - mx, (v[2 * i + 1] as number) - my)));
  }
  return total / n;
}

/** Mean distance of each sample to the mode of its label. */
export function distanceToOwnMode(samples: tf.Tensor, labels: ArrayLike<number>): number {
  const v = samples.dataSync();
  let total = 0;
  const n = v.length / 2;
  for (let i = 0; i < n; i++) {
    const [mx, my] = MODES[labels[i] as number] as readonly [number, number];
    total += Math.hypot((v[2 * i] as number) - mx, (v[2 * i + 1] as number) - my);
  }
  return total / n;
}

/** The index of the nearest mode of each sample. */
export function nearestModes(samples: tf.Tensor): number[] {
  const v = samples.dataSync();
  const out: number[] = [];
  for (let i = 0; i < v.length / 2; i++) {
    const d = MODES.map(([mx, my]) => Math.hypot((v[2 * i] as number) - mx, (v[2 * i + 1] as number) - my));
    out.push(d.indexOf(Math.min(...d)));
  }
  return out;
}

const HIDDEN = 32;

/** A GAN of the toy networks on 2-D points (latent 4), seed 2 unless given; `extra` conditions or reshapes it. */
export function toyGan(extra: Partial<GANConfig> = {}, seed = 2): GAN {
  return new GAN({
    latentDim: 4,
    dataShape: [2],
    buildGenerator: toyGenerator,
    buildDiscriminator: toyDiscriminator,
    seed,
    ...extra,
  });
}

/** A generator for 2-D data that honours the conditioning contract of the context. */
export function toyGenerator(ctx: NetworkContext): tfl.LayersModel {
  const z = tfl.input({ shape: [ctx.latentDim] });
  const c = ctx.conditionDim ? tfl.input({ shape: [ctx.conditionDim] }) : undefined;
  let h = (c ? tfl.layers.concatenate().apply([z, c]) : z) as tfl.SymbolicTensor;
  h = tfl.layers.dense({ units: HIDDEN, activation: 'relu' }).apply(h) as tfl.SymbolicTensor;
  h = tfl.layers.dense({ units: HIDDEN, activation: 'relu' }).apply(h) as tfl.SymbolicTensor;
  const out = tfl.layers.dense({ units: 2, activation: 'tanh' }).apply(h) as tfl.SymbolicTensor;
  return tfl.model({ inputs: c ? [z, c] : z, outputs: out });
}

/** A discriminator for 2-D data: takes the label (cGAN) or predicts it (ACGAN, InfoGAN) as the context says. */
export function toyDiscriminator(ctx: NetworkContext): tfl.LayersModel {
  const x = tfl.input({ shape: [...ctx.dataShape] });
  const c = ctx.discriminatorTakesCondition ? tfl.input({ shape: [ctx.conditionDim as number] }) : undefined;
  let h = (c ? tfl.layers.concatenate().apply([x, c]) : x) as tfl.SymbolicTensor;
  h = tfl.layers.dense({ units: HIDDEN }).apply(h) as tfl.SymbolicTensor;
  h = tfl.layers.leakyReLU({ alpha: 0.2 }).apply(h) as tfl.SymbolicTensor;
  h = tfl.layers.dense({ units: HIDDEN }).apply(h) as tfl.SymbolicTensor;
  h = tfl.layers.leakyReLU({ alpha: 0.2 }).apply(h) as tfl.SymbolicTensor;
  const logit = tfl.layers.dense({ units: 1 }).apply(h) as tfl.SymbolicTensor;
  const outputs = ctx.auxiliaryDim
    ? [logit, tfl.layers.dense({ units: ctx.auxiliaryDim }).apply(h) as tfl.SymbolicTensor]
    : logit;
  return tfl.model({ inputs: c ? [x, c] : x, outputs });
}

/** Four 8x8 "glyphs" in [-1, 1]: a horizontal bar, a vertical bar, a diagonal and a ring. */
export function glyphs(): Float32Array[] {
  const make = (on: (r: number, c: number) => boolean) => {
    const g = new Float32Array(64);
    for (let r = 0; r < 8; r++) for (let c = 0; c < 8; c++) g[r * 8 + c] = on(r, c) ? 1 : -1;
    return g;
  };
  return [
    make((r) => r === 3 || r === 4),
    make((_, c) => c === 3 || c === 4),
    make((r, c) => Math.abs(r - c) <= 1),
    make(
      (r, c) =>
        Math.max(Math.abs(r - 3.5), Math.abs(c - 3.5)) > 2 && Math.max(Math.abs(r - 3.5), Math.abs(c - 3.5)) < 3.5,
    ),
  ];
}

/** `n` noisy glyph images `[n, 8, 8, 1]` with the glyph as label. */
export function glyphData(n: number, seed = 1): { x: tf.Tensor4D; labels: tf.Tensor1D } {
  const rng = new SeededRandom(seed);
  const k = rng.integers(n, 4);
  const noise = rng.normal(64 * n);
  const g = glyphs();
  const values = new Float32Array(64 * n);
  for (let i = 0; i < n; i++) {
    for (let p = 0; p < 64; p++) {
      values[64 * i + p] = Math.max(
        -1,
        Math.min(1, (g[k[i] as number] as Float32Array)[p] as number) + 0.1 * (noise[64 * i + p] as number),
      );
    }
  }
  return { x: tf.tensor4d(values, [n, 8, 8, 1]), labels: tf.tensor1d(k, 'int32') };
}

/** Root-mean-square pixel distance of each image to the nearest glyph (and to its own glyph when labels are given), averaged. */
export function glyphDistance(images: tf.Tensor, labels?: ArrayLike<number>): number {
  const v = images.dataSync();
  const g = glyphs();
  let total = 0;
  const n = v.length / 64;
  for (let i = 0; i < n; i++) {
    const rms = g.map((glyph) => {
      let s = 0;
      for (let p = 0; p < 64; p++) s += ((v[64 * i + p] as number) - (glyph[p] as number)) ** 2;
      return Math.sqrt(s / 64);
    });
    total += labels ? (rms[labels[i] as number] as number) : Math.min(...rms);
  }
  return total / n;
}

/** One Gaussian blob: the simplest target a GAN must move its samples onto. */
export const BLOB_CENTER = [0.5, -0.4] as const;
export const BLOB_STD = 0.1;

/** `n` points of the blob `[n, 2]`. */
export function blob(n: number, seed = 1): tf.Tensor2D {
  const noise = new SeededRandom(seed).normal(2 * n);
  const values = new Float32Array(2 * n);
  for (let i = 0; i < n; i++) {
    values[2 * i] = BLOB_CENTER[0] + BLOB_STD * (noise[2 * i] as number);
    values[2 * i + 1] = BLOB_CENTER[1] + BLOB_STD * (noise[2 * i + 1] as number);
  }
  return tf.tensor2d(values, [n, 2]);
}

/** Mean distance of samples to the blob's centre (the data itself: about 0.125). */
export function distanceToBlob(samples: tf.Tensor): number {
  const v = samples.dataSync();
  let total = 0;
  for (let i = 0; i < v.length / 2; i++) {
    total += Math.hypot((v[2 * i] as number) - BLOB_CENTER[0], (v[2 * i + 1] as number) - BLOB_CENTER[1]);
  }
  return total / (v.length / 2);
}
