import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, DiffAugment, diffAugment, SeededRandom, Trainer } from 'ts-gan';
import 'ts-gan/node';
import { describe, expect, test } from 'vitest';
import { snapshot, tinyGan } from '../../test-shared/fixtures';

/** A batch of distinct, non-zero values: pixel p of image k is 0.01 * (k * 100 + p + 1), below 1. */
function ramp(n: number, h: number, w: number, c: number): tf.Tensor4D {
  const size = h * w * c;
  return tf.tensor4d(
    Float32Array.from({ length: n * size }, (_, i) => 0.001 * (Math.floor(i / size) * size + (i % size) + 1)),
    [n, h, w, c],
  );
}

/** `x` (one image, h x w, 1 channel) shifted: out[i][j] = x[i + dy][j + dx], 0 outside. */
function shifted(x: Float32Array, h: number, w: number, dy: number, dx: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < h; i++) {
    for (let j = 0; j < w; j++) {
      const [y, xx] = [i + dy, j + dx];
      out.push(y >= 0 && y < h && xx >= 0 && xx < w ? (x[y * w + xx] as number) : 0);
    }
  }
  return out;
}

describe('diffAugment', () => {
  test('translation shifts each image by whole pixels, at most 1/8 of a side, filling with 0', () => {
    const [n, h, w] = [12, 16, 16];
    const x = ramp(n, h, w, 1);
    const out = diffAugment(x, { policy: ['translation'] }, 3);
    expect(out.shape).toEqual([n, h, w, 1]);
    const xs = x.dataSync() as Float32Array;
    const os = out.dataSync() as Float32Array;
    const shifts: string[] = [];
    for (let k = 0; k < n; k++) {
      const image = xs.subarray(k * h * w, (k + 1) * h * w);
      const got = Array.from(os.subarray(k * h * w, (k + 1) * h * w));
      const match: string[] = [];
      for (let dy = -2; dy <= 2; dy++)
        for (let dx = -2; dx <= 2; dx++)
          if (got.every((v, i) => Math.abs(v - (shifted(image, h, w, dy, dx)[i] as number)) < 1e-6))
            match.push(`${dy},${dx}`);
      expect(match, `image ${k}`).toHaveLength(1);
      shifts.push(match[0] as string);
    }
    expect(new Set(shifts).size).toBeGreaterThan(1); // the shifts are drawn per image
    tf.dispose([x, out]);
  });

  test('cutout zeroes one square of at most half a side per image, and keeps the rest', () => {
    const [n, h, w] = [10, 8, 8];
    const x = ramp(n, h, w, 3);
    const out = diffAugment(x, { policy: ['cutout'] }, 5);
    const xs = x.dataSync();
    const os = out.dataSync();
    for (let k = 0; k < n; k++) {
      let zeroed = 0;
      for (let p = 0; p < h * w; p++) {
        const i = (k * h * w + p) * 3;
        const cut = os[i] === 0;
        for (let c = 0; c < 3; c++) expect(os[i + c]).toBe(cut ? 0 : xs[i + c]);
        if (cut) zeroed++;
      }
      expect(zeroed).toBeGreaterThan(0);
      expect(zeroed).toBeLessThanOrEqual(4 * 4);
    }
    tf.dispose([x, out]);
  });

  test('color on grey images: brightness then contrast around the image mean (saturation is the identity)', () => {
    const x = ramp(6, 4, 4, 1);
    const out = diffAugment(x, { policy: ['color'] }, 9);
    const xs = x.dataSync();
    const os = out.dataSync();
    for (let k = 0; k < 6; k++) {
      const a = Array.from(xs.subarray(k * 16, k * 16 + 16));
      const b = Array.from(os.subarray(k * 16, k * 16 + 16));
      // out = (x + u - mean(x + u)) * c + mean(x + u): an affine map of x with slope c in [0.5, 1.5).
      const slope = ((b[15] as number) - (b[0] as number)) / ((a[15] as number) - (a[0] as number));
      expect(slope).toBeGreaterThanOrEqual(0.5 - 1e-4);
      expect(slope).toBeLessThan(1.5 + 1e-4);
      const offset = (b[0] as number) - slope * (a[0] as number);
      for (let i = 0; i < 16; i++) expect(b[i]).toBeCloseTo(slope * (a[i] as number) + offset, 5);
    }
    tf.dispose([x, out]);
  });

  test('the same seed gives the same augmentation, another seed another; probability 0 is the identity', () => {
    const x = ramp(8, 8, 8, 3);
    const a = diffAugment(x, {}, 1);
    const b = diffAugment(x, {}, 1);
    const c = diffAugment(x, {}, 2);
    expect(Array.from(a.dataSync())).toEqual(Array.from(b.dataSync()));
    expect(Array.from(a.dataSync())).not.toEqual(Array.from(c.dataSync()));
    expect(Array.from(a.dataSync())).not.toEqual(Array.from(x.dataSync()));
    const rng = new SeededRandom(4);
    const before = rng.getState();
    const same = diffAugment(x, { probability: 0 }, rng);
    expect(Array.from(same.dataSync())).toEqual(Array.from(x.dataSync()));
    expect(rng.getState()).toEqual(before);
    tf.dispose([x, a, b, c, same]);
  });

  test('gradients flow back to the images: 1 where a pixel is kept, 0 where it is cut out', () => {
    const before = tf.memory().numTensors;
    const x = ramp(4, 8, 8, 1);
    const grad = tf.grad((v: tf.Tensor) => tf.sum(diffAugment(v, { policy: ['cutout'] }, 7)));
    const [g, out, all] = tf.tidy(() => [
      grad(x).dataSync(),
      diffAugment(x, { policy: ['cutout'] }, 7).dataSync(),
      tf
        .grad((v: tf.Tensor) => tf.sum(tf.square(diffAugment(v, {}, 7))))(x)
        .dataSync(),
    ]);
    for (let i = 0; i < g.length; i++) expect(g[i]).toBe(out[i] === 0 ? 0 : 1);
    expect(all.every((v) => Number.isFinite(v))).toBe(true);
    expect(all.some((v) => v !== 0)).toBe(true);
    x.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  test('bad options are ConfigErrors', () => {
    expect(() => new DiffAugment({ policy: ['flip' as never] })).toThrow(ConfigError);
    expect(() => new DiffAugment({ policy: [] })).toThrow(/non-empty list/);
    expect(() => new DiffAugment({ policy: ['color', 'color'] })).toThrow(/names "color" twice/);
    expect(() => new DiffAugment({ probability: 1.5 })).toThrow(/probability must be a number in \[0, 1\]/);
    expect(() => new DiffAugment({ strength: 1 } as never)).toThrow(ConfigError);
    const x = tf.zeros([2, 4]);
    expect(() => diffAugment(x, {}, 1)).toThrow(/x must be images/);
    x.dispose();
  });

  test('leaks no tensors', () => {
    const x = ramp(4, 8, 8, 3);
    diffAugment(x, {}, 1).dispose();
    const before = tf.memory().numTensors;
    diffAugment(x, {}, 2).dispose();
    diffAugment(x, { probability: 0.5 }, 3).dispose();
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });
});

describe('Trainer option augment', () => {
  const SHAPE = [8, 8, 3] as const;
  const data = () => tf.randomUniform([16, ...SHAPE], -1, 1, 'float32', 3) as tf.Tensor4D;

  async function run(options: object, steps = 3) {
    const gan = tinyGan({ dataShape: SHAPE });
    const trainer = new Trainer(gan, { batchSize: 4, ...options });
    const x = data();
    await trainer.fit(x, { steps });
    const weights = [...snapshot(gan.generator), ...snapshot(gan.discriminator)];
    x.dispose();
    trainer.dispose();
    gan.dispose();
    return weights;
  }

  test('changes training, repeats with the same seed, and at probability 0 trains exactly as without it', async () => {
    const plain = await run({});
    const augmented = await run({ augment: { policy: ['color', 'translation', 'cutout'] } });
    expect(augmented).not.toEqual(plain);
    expect(await run({ augment: { policy: ['color', 'translation', 'cutout'] } })).toEqual(augmented);
    expect(await run({ augment: { probability: 0 } })).toEqual(plain);
  });

  test('is kept by checkpoints: a saved and loaded run trains on exactly as one that never stopped', async () => {
    const before = tf.memory().numTensors;
    const options = { batchSize: 4, augment: { policy: ['translation', 'cutout'], probability: 0.5 } } as const;
    const x = data();
    const straight = new Trainer(tinyGan({ dataShape: SHAPE }), options);
    await straight.fit(x, { steps: 4 });
    const first = new Trainer(tinyGan({ dataShape: SHAPE }), options);
    await first.fit(x, { steps: 2 });
    const dir = await mkdtemp(join(tmpdir(), 'ts-gan-augment-'));
    await first.save(dir);
    const loaded = await Trainer.load(dir);
    await loaded.fit(x, { steps: 2 });
    expect(snapshot(loaded.gan.generator)).toEqual(snapshot(straight.gan.generator));
    for (const t of [straight, first, loaded]) {
      t.dispose();
      t.gan.dispose();
    }
    x.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  test('is refused for data that are not images, and leaks nothing while it trains', async () => {
    const before = tf.memory().numTensors;
    const flat = tinyGan({ dataShape: [2, 2] });
    expect(() => new Trainer(flat, { augment: {} })).toThrow(/DiffAugment works on images/);
    flat.dispose();
    const gan = tinyGan({ dataShape: SHAPE });
    const trainer = new Trainer(gan, { batchSize: 4, augment: {} });
    const x = data();
    await trainer.fit(x, { steps: 2 });
    const n = tf.memory().numTensors;
    await trainer.fit(x, { steps: 3 });
    expect(tf.memory().numTensors).toBe(n);
    x.dispose();
    trainer.dispose();
    gan.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
