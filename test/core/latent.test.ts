/**
 * Latent tools: the vector math (lerp, slerp, paths, truncation, class sweep) against closed forms,
 * and the GAN methods on generators whose output is their input (so images are latents to read back).
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import fc from 'fast-check';
import {
  ConfigError,
  classSweepLatents,
  GAN,
  interpolateLatents,
  latentPath,
  lerp,
  SeededRandom,
  ShapeError,
  slerp,
  truncatedNormal,
} from 'ts-gan';
import { describe, expect, test } from 'vitest';
import { tinyDiscriminator } from '../../test-shared/fixtures';

const dot = (a: ArrayLike<number>, b: ArrayLike<number>) =>
  Array.from(a).reduce((s, v, i) => s + v * (b[i] as number), 0);
const norm = (a: ArrayLike<number>) => Math.sqrt(dot(a, a));
const vector = (d: number) =>
  fc.array(fc.float({ min: -3, max: 3, noNaN: true, noDefaultInfinity: true }), { minLength: d, maxLength: d });
const closeTo = (actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number) => {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < actual.length; i++)
    expect(Math.abs((actual[i] as number) - (expected[i] as number))).toBeLessThan(tol);
};

describe('lerp and slerp', () => {
  test('both return the endpoints exactly at t = 0 and t = 1', () => {
    fc.assert(
      fc.property(vector(5), vector(5), (a, b) => {
        for (const f of [lerp, slerp]) {
          expect(Array.from(f(a, b, 0))).toEqual(Array.from(Float32Array.from(a)));
          expect(Array.from(f(a, b, 1))).toEqual(Array.from(Float32Array.from(b)));
        }
      }),
    );
  });

  test('lerp is linear: equal steps in t are equal steps in space', () => {
    const rng = new SeededRandom(1);
    const a = rng.normal(16);
    const b = rng.normal(16);
    const path = interpolateLatents(a, b, 9, 'linear');
    const step = Array.from(a, (v, i) => ((b[i] as number) - v) / 8);
    path.forEach((p, k) => {
      closeTo(
        p,
        Array.from(a, (v, i) => v + k * (step[i] as number)),
        1e-5,
      );
    });
  });

  test('slerp keeps the norm of equal-norm endpoints and stays on their great circle at constant angular speed', () => {
    fc.assert(
      fc.property(vector(6), vector(6), fc.double({ min: 0, max: 1, noNaN: true }), (rawA, rawB, t) => {
        const na = norm(rawA);
        const nb = norm(rawB);
        fc.pre(na > 0.1 && nb > 0.1);
        const a = rawA.map((v) => v / na);
        const b = rawB.map((v) => (2 * v) / nb); // norm 2, then a scaled to match
        const a2 = a.map((v) => 2 * v);
        const cos = dot(a2, b) / 4;
        fc.pre(Math.abs(cos) < 0.999);
        const p = slerp(a2, b, t);
        expect(Math.abs(norm(p) - 2)).toBeLessThan(1e-4);
        // On the great circle: p lies in span(a, b); its angle to a is t times the angle between a and b.
        const omega = Math.acos(cos);
        const angle = Math.acos(Math.max(-1, Math.min(1, dot(p, a2) / (norm(p) * 2))));
        expect(Math.abs(angle - t * omega)).toBeLessThan(1e-3);
        const e2 = b.map((v, i) => v - cos * (a2[i] as number));
        const n2 = norm(e2);
        const inPlane = a2.map((v, i) => (dot(p, a2) / 4) * v + (dot(p, e2) / (n2 * n2)) * (e2[i] as number));
        closeTo(p, inPlane, 1e-4);
      }),
    );
  });

  test('the midpoint of slerp lies on the circle where lerp cuts inside it', () => {
    closeTo(slerp([1, 0], [0, 1], 0.5), [Math.SQRT1_2, Math.SQRT1_2], 1e-7);
    closeTo(lerp([1, 0], [0, 1], 0.5), [0.5, 0.5], 1e-7);
  });

  test('nearly parallel vectors fall back to the straight line', () => {
    const a = [1, 2, 3];
    const b = [2, 4, 6 + 1e-9];
    closeTo(slerp(a, b, 0.3), lerp(a, b, 0.3), 1e-6);
  });

  test('antipodal vectors take a defined half turn: finite, norm kept, perpendicular at the middle', () => {
    const a = [3, 0.5, -1];
    const b = a.map((v) => -v);
    for (const t of [0.25, 0.5, 0.75]) {
      const p = slerp(a, b, t);
      expect(p.every(Number.isFinite)).toBe(true);
      expect(Math.abs(norm(p) - norm(a))).toBeLessThan(1e-5);
    }
    expect(Math.abs(dot(slerp(a, b, 0.5), a))).toBeLessThan(1e-5);
    // The same inputs give the same path.
    expect(Array.from(slerp(a, b, 0.4))).toEqual(Array.from(slerp(a, b, 0.4)));
  });

  test('refuse vectors of different lengths, a bad t and a bad method', () => {
    expect(() => slerp([1, 2], [1], 0.5)).toThrow(ConfigError);
    expect(() => lerp([1], [2], Number.NaN)).toThrow(/t must be a finite number/);
    expect(() => interpolateLatents([1], [2], 1)).toThrow(/steps must be an integer of at least 2/);
    expect(() => interpolateLatents([1], [2], 3, 'cubic' as never)).toThrow(/"slerp" or "linear"/);
  });
});

describe('latentPath', () => {
  const rng = new SeededRandom(5);
  const keys = [rng.normal(4), rng.normal(4), rng.normal(4)];

  test('passes through every keyframe at k * stepsPerSegment and ends on the last', () => {
    const path = latentPath(keys, 5);
    expect(path).toHaveLength(11);
    keys.forEach((k, i) => {
      expect(Array.from(path[i * 5] as Float32Array)).toEqual(Array.from(k));
    });
  });

  test('with loop, returns towards the first keyframe without repeating it', () => {
    const path = latentPath(keys, 4, { loop: true, method: 'linear' });
    expect(path).toHaveLength(12);
    closeTo(path[11] as Float32Array, lerp(keys[2] as Float32Array, keys[0] as Float32Array, 0.75), 1e-6);
    expect(() => latentPath([keys[0] as Float32Array], 3)).toThrow(/at least 2 vectors/);
  });
});

describe('truncatedNormal', () => {
  test('bounds every component by the threshold, by resampling, not clamping', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1000 }),
        fc.double({ min: 0.05, max: 3, noNaN: true }),
        (seed, threshold) => {
          const z = truncatedNormal(500, threshold, new SeededRandom(seed));
          expect(z.every((v) => Math.abs(v) <= threshold)).toBe(true);
        },
      ),
      { numRuns: 50 },
    );
    // A clamp would put about 62% of the draws exactly on the bound at 0.5; resampling puts none there.
    const z = truncatedNormal(10_000, 0.5, new SeededRandom(3));
    expect(z.filter((v) => Math.abs(v) === Math.fround(0.5)).length).toBe(0);
    // Uniform-looking inside the bound: the normal density varies by 12% over [-0.5, 0.5].
    const inner = z.filter((v) => Math.abs(v) < 0.25).length / z.length;
    expect(inner).toBeGreaterThan(0.5);
  });

  test('is deterministic by seed, and values already inside stay where the plain normal put them', () => {
    const a = truncatedNormal(1000, 1, new SeededRandom(9));
    expect(Array.from(truncatedNormal(1000, 1, new SeededRandom(9)))).toEqual(Array.from(a));
    expect(Array.from(truncatedNormal(1000, 1, new SeededRandom(10)))).not.toEqual(Array.from(a));
    const plain = new SeededRandom(9).normal(1000);
    plain.forEach((v, i) => {
      if (Math.abs(v) <= 1) expect(a[i]).toBe(v);
    });
    expect(() => truncatedNormal(10, 0, new SeededRandom(1))).toThrow(/threshold must be a positive number/);
  });
});

test('classSweepLatents repeats the same noise for every class, one row per class', () => {
  const noise = [Float32Array.of(1, 2), Float32Array.of(3, 4), Float32Array.of(5, 6)];
  const { latents, labels } = classSweepLatents(noise, [7, 2]);
  expect(Array.from(labels)).toEqual([7, 7, 7, 2, 2, 2]);
  expect(latents.map((z) => Array.from(z))).toEqual([...noise, ...noise].map((z) => Array.from(z)));
  expect(() => classSweepLatents(noise, [1.5])).toThrow(ConfigError);
});

/** A generator whose image is its noise (plus, when conditional, the class index added to every pixel). */
function identityGan(numClasses?: number): GAN {
  const latentDim = 4;
  return new GAN({
    latentDim,
    dataShape: [2, 2, 1],
    ...(numClasses === undefined ? {} : { numClasses }),
    buildGenerator: (ctx) => {
      const z = tfl.input({ shape: [latentDim] });
      const c = ctx.conditionDim ? tfl.input({ shape: [ctx.conditionDim] }) : undefined;
      const joined = c ? (tfl.layers.concatenate().apply([z, c]) as tfl.SymbolicTensor) : z;
      const width = latentDim + (ctx.conditionDim ?? 0);
      const kernel = new Float32Array(width * latentDim);
      for (let i = 0; i < latentDim; i++) kernel[i * latentDim + i] = 1;
      for (let k = 0; k < (ctx.conditionDim ?? 0); k++)
        kernel.fill(k, (latentDim + k) * latentDim, (latentDim + k + 1) * latentDim);
      const dense = tfl.layers.dense({
        units: latentDim,
        useBias: false,
        weights: [tf.tensor2d(kernel, [width, latentDim])],
      });
      const image = tfl.layers.reshape({ targetShape: [2, 2, 1] }).apply(dense.apply(joined)) as tfl.SymbolicTensor;
      return tfl.model({ inputs: c ? [z, c] : [z], outputs: image });
    },
    buildDiscriminator: (ctx) =>
      numClasses === undefined
        ? tinyDiscriminator(ctx)
        : (() => {
            const x = tfl.input({ shape: [...ctx.dataShape] });
            const c = tfl.input({ shape: [ctx.conditionDim as number] });
            const flat = tfl.layers.flatten().apply(x) as tfl.SymbolicTensor;
            const joined = tfl.layers.concatenate().apply([flat, c]) as tfl.SymbolicTensor;
            return tfl.model({
              inputs: [x, c],
              outputs: tfl.layers.dense({ units: 1 }).apply(joined) as tfl.SymbolicTensor,
            });
          })(),
  });
}

/** Rows of a `[n, 2, 2, 1]` image tensor as 4-vectors; disposes it. */
function rowsOf(images: tf.Tensor): Float32Array[] {
  const v = images.dataSync() as Float32Array;
  const n = images.shape[0] as number;
  images.dispose();
  return Array.from({ length: n }, (_, i) => v.slice(i * 4, i * 4 + 4));
}

describe('GAN latent methods', () => {
  test('interpolate draws rows of images from each start to its end, the generator run on the path', () => {
    const gan = identityGan();
    const rng = new SeededRandom(2);
    const from = [rng.normal(4), rng.normal(4)];
    const to = [rng.normal(4), rng.normal(4)];
    const images = gan.interpolate(from, to, 5);
    expect(images.shape).toEqual([10, 2, 2, 1]);
    const rows = rowsOf(images);
    for (let r = 0; r < 2; r++) {
      const expected = interpolateLatents(from[r] as Float32Array, to[r] as Float32Array, 5, 'slerp');
      expected.forEach((z, s) => {
        closeTo(rows[r * 5 + s] as Float32Array, z, 1e-5);
      });
    }
    // A tensor input gives the same images; linear differs from slerp in the middle.
    const a = tf.tensor2d([...from[0]!], [1, 4]);
    const b = tf.tensor1d([...to[0]!]);
    closeTo(rowsOf(gan.interpolate(a, b, 5))[2] as Float32Array, rows[2] as Float32Array, 1e-6);
    const linear = rowsOf(gan.interpolate(a, b, 5, { method: 'linear' }));
    closeTo(linear[2] as Float32Array, lerp(from[0]!, to[0]!, 0.5), 1e-5);
    tf.dispose([a, b]);
    expect(() => gan.interpolate([1, 2, 3], [1, 2, 3], 4)).toThrow(ShapeError);
    expect(() => gan.interpolate(from, to.slice(1), 4)).toThrow(/as many vectors/);
    gan.dispose();
  });

  test('sampleTruncated bounds every noise component and repeats with the seed', () => {
    const gan = identityGan();
    const a = rowsOf(gan.sampleTruncated(50, { threshold: 0.4, seed: 6 }));
    expect(a.every((z) => z.every((v) => Math.abs(v) <= 0.4 + 1e-6))).toBe(true);
    expect(rowsOf(gan.sampleTruncated(50, { threshold: 0.4, seed: 6 }))).toEqual(a);
    closeTo(
      a.flatMap((z) => Array.from(z)),
      truncatedNormal(200, 0.4, new SeededRandom(6)),
      1e-6,
    );
    expect(() => gan.sampleTruncated(4, { threshold: -1 })).toThrow(/threshold must be a positive number/);
    gan.dispose();
  });

  test('classSweep draws one image per class and column from the same noise in every row', () => {
    const gan = identityGan(3);
    const images = gan.classSweep({ perClass: 4, seed: 11 });
    expect(images.shape).toEqual([12, 2, 2, 1]);
    const rows = rowsOf(images);
    // The generator adds the class index to its noise: subtracting it leaves the shared noise.
    const noise = new SeededRandom(11).normal(16);
    for (let c = 0; c < 3; c++) {
      for (let k = 0; k < 4; k++) {
        closeTo(
          rows[c * 4 + k] as Float32Array,
          Array.from(noise.subarray(k * 4, k * 4 + 4), (v) => v + c),
          1e-5,
        );
      }
    }
    expect(gan.classSweep({ perClass: 2, classes: [2] }).shape).toEqual([2, 2, 2, 1]);
    expect(() => gan.classSweep({ classes: [3] })).toThrow(/\[0, 3\)/);
    expect(() => identityGan().classSweep()).toThrow(/needs a GAN with classes/);
    gan.dispose();
  });

  test('walk passes through every keyframe; conditional interpolation holds each row at its class', () => {
    const gan = identityGan(2);
    const rng = new SeededRandom(4);
    const keys = [rng.normal(4), rng.normal(4), rng.normal(4)];
    const frames = rowsOf(gan.walk(keys, 3, { label: 1 }));
    expect(frames).toHaveLength(7);
    keys.forEach((k, i) => {
      closeTo(
        frames[i * 3] as Float32Array,
        Array.from(k, (v) => v + 1),
        1e-5,
      );
    });
    const rows = rowsOf(gan.interpolate([keys[0]!, keys[1]!], [keys[1]!, keys[2]!], 2));
    closeTo(
      rows[2] as Float32Array,
      Array.from(keys[1]!, (v) => v + 1),
      1e-5,
    ); // row 1 is class 1 by default
    gan.dispose();
  });

  test('no method leaks a tensor', () => {
    for (const gan of [identityGan(), identityGan(3)]) {
      const run = () => {
        const rng = new SeededRandom(1);
        const z = gan.noise(2, rng);
        const minusZ = tf.neg(z);
        const out = [
          minusZ,
          gan.interpolate(z, minusZ, 4),
          gan.walk(z, 3, { loop: true }),
          gan.sampleTruncated(3, { threshold: 1 }),
          ...(gan.conditioning ? [gan.classSweep({ perClass: 2 })] : []),
        ];
        tf.dispose([z, ...out]);
      };
      run();
      const before = tf.memory().numTensors;
      run();
      expect(tf.memory().numTensors).toBe(before);
      gan.dispose();
    }
  });
});
