import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, type GAN, MAX_SAMPLE_VALUES, SAMPLE_CHUNK, SeededRandom } from 'ts-gan';
import { describe, expect, test } from 'vitest';
import { NormalStream } from '../../src/random';
import { tinyGan } from '../../test-shared/fixtures';
import { toyGan } from '../support/family';

/** The offset GAN adds to its seed for its own sampling stream (gan.ts, SAMPLE_STREAM_OFFSET). */
const SAMPLE_STREAM_OFFSET = 0x5eed;

function values(t: tf.Tensor): number[] {
  const v = Array.from(t.dataSync());
  t.dispose();
  return v;
}

/** One draw of all the noise and one generator call: what sampling computed before it had chunks. */
function unchunked(gan: GAN, n: number, rng: SeededRandom): number[] {
  return tf.tidy(() => {
    const z = tf.tensor2d(rng.normal(n * gan.latentDim), [n, gan.latentDim]);
    const cond = gan.conditioning;
    if (!cond) return values(gan.generate(z));
    const { input } = cond.draw(n, rng);
    return values(gan.generate(z, input));
  });
}

function joined(chunks: Iterable<tf.Tensor>): { values: number[]; sizes: number[] } {
  const out: number[] = [];
  const sizes: number[] = [];
  for (const chunk of chunks) {
    sizes.push(chunk.shape[0] as number);
    out.push(...values(chunk));
  }
  return { values: out, sizes };
}

describe('NormalStream', () => {
  test('pieces of any size, joined, are one normal() draw, and the stream ends in the same state', () => {
    for (const sizes of [
      [3, 5, 1, 7],
      [1, 1, 1],
      [2, 9, 4],
      [0, 5, 0, 6],
    ]) {
      const total = sizes.reduce((a, b) => a + b, 0);
      const whole = new SeededRandom(11);
      const expected = Array.from(whole.normal(total));
      const rng = new SeededRandom(11);
      const stream = new NormalStream(rng);
      const got = sizes.flatMap((k) => Array.from(stream.take(k)));
      stream.finish();
      expect(got).toEqual(expected);
      expect(rng.getState()).toEqual(whole.getState());
    }
  });

  test('skip(k) passes over exactly k 32-bit draws', () => {
    const a = new SeededRandom(5);
    const b = new SeededRandom(5);
    for (let i = 0; i < 37; i++) a.nextUint32();
    b.skip(37);
    expect(b.getState()).toEqual(a.getState());
  });
});

describe('GAN.sample in chunks', () => {
  test('a count over one chunk equals one draw of all the noise, bit for bit on cpu', () => {
    const gan = tinyGan();
    const n = 2 * SAMPLE_CHUNK + 37;
    expect(values(gan.sample(n, { seed: 9 }))).toEqual(unchunked(gan, n, new SeededRandom(9)));
    gan.dispose();
  });

  test('the GAN own stream: same samples as one draw, and the next call continues where one draw ends', () => {
    const gan = tinyGan({ seed: 3 });
    const rng = new SeededRandom(3 + SAMPLE_STREAM_OFFSET);
    const n = SAMPLE_CHUNK + 5;
    expect(values(gan.sample(n))).toEqual(unchunked(gan, n, rng));
    expect(values(gan.sample(4))).toEqual(unchunked(gan, 4, rng));
    gan.dispose();
  });

  test('sampleChunks with an odd chunk and an odd latent size joins to sample(n)', () => {
    const gan = tinyGan({ latentDim: 3, seed: 4 });
    expect(gan.latentDim).toBe(3);
    const n = 23;
    const { values: got, sizes } = joined(gan.sampleChunks(n, { seed: 2, chunkSize: 7 }));
    expect(sizes).toEqual([7, 7, 7, 2]);
    expect(got).toEqual(values(gan.sample(n, { seed: 2 })));
    gan.dispose();
  });

  test('sampleChunks advances the GAN own stream past all n at once, read or not', () => {
    const a = tinyGan({ seed: 6 });
    const b = tinyGan({ seed: 6 });
    a.sample(10).dispose();
    b.sampleChunks(10, { chunkSize: 3 }); // never read
    expect(values(b.sample(2))).toEqual(values(a.sample(2)));
    a.dispose();
    b.dispose();
  });

  test.each([
    ['cGAN', { numClasses: 4 }],
    ['ACGAN', { numClasses: 4, conditioning: 'auxiliary' as const }],
    ['InfoGAN', { infoCodes: { categorical: 3, continuous: 2 } }],
  ])('%s: chunks draw the noise, the classes and the codes as one draw does', (_, config) => {
    const gan = toyGan(config);
    const n = 19;
    const expected = unchunked(gan, n, new SeededRandom(8));
    expect(joined(gan.sampleChunks(n, { seed: 8, chunkSize: 5 })).values).toEqual(expected);
    expect(values(gan.sample(n, { seed: 8 }))).toEqual(expected);
    gan.dispose();
  });

  test('given labels and codes are sliced chunk by chunk', () => {
    const gan = toyGan({ infoCodes: { categorical: 3, continuous: 2 } });
    const n = 9;
    const labels = Array.from({ length: n }, (_, i) => i % 3);
    const codes = Array.from({ length: n }, (_, i) => [i / n, -i / n]);
    const whole = values(gan.sample(n, { seed: 1, labels, codes }));
    const labelTensor = tf.tensor1d(labels, 'int32');
    const codeTensor = tf.tensor2d(codes);
    const chunked = joined(gan.sampleChunks(n, { seed: 1, labels: labelTensor, codes: codeTensor, chunkSize: 4 }));
    expect(chunked.values).toEqual(whole);
    expect(labelTensor.isDisposed || codeTensor.isDisposed).toBe(false);
    labelTensor.dispose();
    codeTensor.dispose();
    gan.dispose();
  });

  test('a count too large for one tensor is refused at once, naming the count, the limit and what to do', () => {
    const gan = tinyGan();
    const before = tf.memory().numTensors;
    let caught: unknown;
    try {
      gan.sample(1e9);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const message = (caught as Error).message;
    expect(message).toContain('n = 1000000000 samples');
    expect(message).toContain(`${MAX_SAMPLE_VALUES} values`);
    expect(message).toContain(`at most ${MAX_SAMPLE_VALUES / 4} samples per call`);
    expect(message).toContain('sampleChunks');
    // The largest count accepted sits just under the limit.
    expect(() => gan.sample(MAX_SAMPLE_VALUES / 4 + 1)).toThrowError(ConfigError);
    expect(tf.memory().numTensors).toBe(before);
    gan.dispose();
  });

  test('sampleChunks refuses a bad count or chunk size before drawing anything', () => {
    const gan = tinyGan();
    expect(() => gan.sampleChunks(0)).toThrowError(/GAN.sampleChunks: n must be a positive integer, got 0/);
    expect(() => gan.sampleChunks(2 ** 60)).toThrowError(/GAN.sampleChunks: n must be a safe integer/);
    expect(() => gan.sampleChunks(4, { chunkSize: 0 })).toThrowError(/chunkSize must be a positive integer/);
    expect(() => gan.sampleChunks(4, { labels: [0, 1, 2, 3] })).toThrowError(/labels and codes need a conditional/);
    gan.dispose();
  });

  test('sample and sampleChunks, read whole or abandoned, leak nothing', () => {
    const gan = toyGan({ numClasses: 4 });
    const zeros = tf.zeros([10], 'int32') as tf.Tensor1D;
    gan.sample(SAMPLE_CHUNK + 3).dispose();
    const before = tf.memory().numTensors;
    gan.sample(SAMPLE_CHUNK + 3).dispose();
    gan.sample(5, { labels: [0, 1, 2, 3, 0] }).dispose();
    for (const chunk of gan.sampleChunks(10, { chunkSize: 4 })) chunk.dispose();
    for (const chunk of gan.sampleChunks(10, { chunkSize: 4, labels: zeros })) {
      chunk.dispose();
      break;
    }
    expect(() => gan.sample(3, { labels: [0, 1, 9] })).toThrow();
    expect(tf.memory().numTensors).toBe(before);
    zeros.dispose();
    gan.dispose();
  });
});
