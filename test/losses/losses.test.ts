import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { ConfigError, type GanLoss, getLoss, LOSS_NAMES, lossFunctions } from 'ts-gan';
import { describe, expect, test } from 'vitest';

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
const softplus = (x: number) => Math.log1p(Math.exp(-Math.abs(x))) + Math.max(x, 0);
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

const REAL = [2.0, -0.5, 0.25, 3.0];
const FAKE = [-1.5, 0.75, -3.0, 0.1];

/** Independent values, computed in plain JS from the papers' formulas (in probabilities, not logits). */
const EXPECTED: Record<string, { d: number; g: number }> = {
  minimax: {
    d: -mean(REAL.map((r) => Math.log(sigmoid(r)))) - mean(FAKE.map((f) => Math.log(1 - sigmoid(f)))),
    g: mean(FAKE.map((f) => Math.log(1 - sigmoid(f)))),
  },
  'non-saturating': {
    d: -mean(REAL.map((r) => Math.log(sigmoid(r)))) - mean(FAKE.map((f) => Math.log(1 - sigmoid(f)))),
    g: -mean(FAKE.map((f) => Math.log(sigmoid(f)))),
  },
  'least-squares': {
    d: 0.5 * mean(REAL.map((r) => (r - 1) ** 2)) + 0.5 * mean(FAKE.map((f) => f ** 2)),
    g: 0.5 * mean(FAKE.map((f) => (f - 1) ** 2)),
  },
  wasserstein: { d: mean(FAKE) - mean(REAL), g: -mean(FAKE) },
  hinge: {
    d: mean(REAL.map((r) => Math.max(0, 1 - r))) + mean(FAKE.map((f) => Math.max(0, 1 + f))),
    g: -mean(FAKE),
  },
};

function scalar(t: tf.Tensor): number {
  const v = t.dataSync()[0] as number;
  t.dispose();
  return v;
}

describe('built-in losses', () => {
  test.each(LOSS_NAMES)('%s matches hand-computed values', (name) => {
    const loss = getLoss(name);
    const r = tf.tensor2d(REAL, [4, 1]);
    const f = tf.tensor2d(FAKE, [4, 1]);
    const expected = EXPECTED[name] as { d: number; g: number };
    expect(Math.abs(scalar(loss.discriminatorLoss(r, f)) - expected.d)).toBeLessThan(1e-5);
    expect(Math.abs(scalar(loss.generatorLoss(f)) - expected.g)).toBeLessThan(1e-5);
    tf.dispose([r, f]);
  });

  test.each(LOSS_NAMES)('%s leaks no tensor', (name) => {
    const loss = getLoss(name);
    const r = tf.tensor2d(REAL, [4, 1]);
    const f = tf.tensor2d(FAKE, [4, 1]);
    const before = tf.memory().numTensors;
    loss.discriminatorLoss(r, f).dispose();
    loss.generatorLoss(f).dispose();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([r, f]);
  });

  test('cross-entropy losses stay finite and exact for logits far past float32 sigmoid saturation', () => {
    // sigmoid(-120) underflows in float32, so log(sigmoid(x)) would give -Infinity.
    const r = tf.tensor2d([-120], [1, 1]);
    const f = tf.tensor2d([120], [1, 1]);
    expect(Math.abs(scalar(getLoss('non-saturating').discriminatorLoss(r, f)) - 240)).toBeLessThan(1e-3);
    expect(Math.abs(scalar(getLoss('non-saturating').generatorLoss(r)) - 120)).toBeLessThan(1e-3);
    expect(Math.abs(scalar(getLoss('minimax').generatorLoss(f)) - -120)).toBeLessThan(1e-3);
    tf.dispose([r, f]);
  });

  test('one-sided label smoothing gives cross-entropy against the soft target', () => {
    const t = 0.9;
    const r = tf.tensor2d(REAL, [4, 1]);
    const f = tf.tensor2d(FAKE, [4, 1]);
    const expected =
      mean(REAL.map((x) => -(t * Math.log(sigmoid(x)) + (1 - t) * Math.log(1 - sigmoid(x))))) +
      mean(FAKE.map((x) => -Math.log(1 - sigmoid(x))));
    const got = scalar(getLoss('non-saturating').discriminatorLoss(r, f, { realLabel: t }));
    expect(Math.abs(got - expected)).toBeLessThan(1e-5);
    const ls = scalar(getLoss('least-squares').discriminatorLoss(r, f, { realLabel: t }));
    const lsExpected = 0.5 * mean(REAL.map((x) => (x - t) ** 2)) + 0.5 * mean(FAKE.map((x) => x ** 2));
    expect(Math.abs(ls - lsExpected)).toBeLessThan(1e-5);
    tf.dispose([r, f]);
  });
});

describe('loss gradients', () => {
  /** Gradient of a scalar function of one logit vector by central differences, in float64. */
  function centralDifference(fn: (xs: number[]) => number, xs: number[], h = 1e-4): number[] {
    return xs.map((_, i) => {
      const up = xs.slice();
      const down = xs.slice();
      up[i] = (up[i] as number) + h;
      down[i] = (down[i] as number) - h;
      return (fn(up) - fn(down)) / (2 * h);
    });
  }

  test('non-saturating D loss: d/dr = -sigmoid(-r)/n and d/df = sigmoid(f)/n (closed form)', () => {
    const n = REAL.length;
    const [gr, gf] = tf.grads((r: tf.Tensor, f: tf.Tensor) => getLoss('non-saturating').discriminatorLoss(r, f))([
      tf.tensor1d(REAL),
      tf.tensor1d(FAKE),
    ]) as [tf.Tensor, tf.Tensor];
    const grv = Array.from(gr.dataSync());
    const gfv = Array.from(gf.dataSync());
    for (const [i, r] of REAL.entries()) expect(Math.abs((grv[i] as number) - -sigmoid(-r) / n)).toBeLessThan(1e-6);
    for (const [i, f] of FAKE.entries()) expect(Math.abs((gfv[i] as number) - sigmoid(f) / n)).toBeLessThan(1e-6);
    tf.dispose([gr, gf]);
  });

  test.each(LOSS_NAMES)('%s generator loss gradient matches central differences', (name) => {
    const loss = getLoss(name);
    const reference: Record<string, (xs: number[]) => number> = {
      minimax: (xs) => -mean(xs.map(softplus)),
      'non-saturating': (xs) => mean(xs.map((x) => softplus(-x))),
      'least-squares': (xs) => 0.5 * mean(xs.map((x) => (x - 1) ** 2)),
      wasserstein: (xs) => -mean(xs),
      hinge: (xs) => -mean(xs),
    };
    const g = tf.grad((f: tf.Tensor) => loss.generatorLoss(f))(tf.tensor1d(FAKE));
    const got = Array.from(g.dataSync());
    const want = centralDifference(reference[name] as (xs: number[]) => number, FAKE);
    for (const [i, v] of got.entries()) expect(Math.abs(v - (want[i] as number))).toBeLessThan(1e-4);
    g.dispose();
  });
});

describe('loss laws (property tests)', () => {
  const logits = fc.array(fc.float({ min: -50, max: 50, noNaN: true }), { minLength: 1, maxLength: 16 });

  test.each(['hinge', 'least-squares', 'non-saturating'] as const)('%s D loss is never negative', (name) => {
    fc.assert(
      fc.property(logits, logits, (r, f) => {
        const rt = tf.tensor1d(r);
        const ft = tf.tensor1d(f);
        const v = scalar(getLoss(name).discriminatorLoss(rt, ft));
        tf.dispose([rt, ft]);
        return v >= 0;
      }),
      { numRuns: 50 },
    );
  });

  test('wasserstein D loss is antisymmetric in (real, fake)', () => {
    fc.assert(
      fc.property(logits, (xs) => {
        const a = tf.tensor1d(xs);
        const b = tf.tensor1d(xs.map((x) => x / 2 + 1));
        const ab = scalar(lossFunctions.wassersteinDiscriminatorLoss(a, b));
        const ba = scalar(lossFunctions.wassersteinDiscriminatorLoss(b, a));
        tf.dispose([a, b]);
        return Math.abs(ab + ba) < 1e-4;
      }),
      { numRuns: 50 },
    );
  });
});

describe('getLoss', () => {
  test('returns a custom GanLoss unchanged', () => {
    const custom: GanLoss = {
      name: 'custom',
      discriminatorLoss: (r, f) => lossFunctions.hingeDiscriminatorLoss(r, f),
      generatorLoss: (f) => lossFunctions.wassersteinGeneratorLoss(f),
    };
    expect(getLoss(custom)).toBe(custom);
  });

  test('an unknown name gets a ConfigError with the closest known name', () => {
    expect(() => getLoss('hinje')).toThrowError(ConfigError);
    expect(() => getLoss('hinje')).toThrowError(/unknown loss "hinje". Did you mean "hinge"\?/);
    expect(() => getLoss('nonsaturating')).toThrowError(/Did you mean "non-saturating"/);
    expect(() => getLoss('xyzzy-foo-bar')).toThrowError(/Known losses: minimax, non-saturating/);
  });

  test('an object without the two functions is refused', () => {
    expect(() => getLoss({ name: 'x' } as unknown as GanLoss)).toThrowError(
      /expected a loss name or an object with discriminatorLoss and generatorLoss/,
    );
  });
});
