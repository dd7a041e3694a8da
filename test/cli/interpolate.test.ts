/**
 * `ts-gan sample --interpolate`: a grid of latent walks, each digit the generator's on the point the
 * method gives, and the flag errors.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { PNG } from 'pngjs';
import { SeededRandom } from 'ts-gan';
import { describe, expect, test } from 'vitest';
import { loadGan } from '../../src/cli/persist';
import { cli } from '../support/cli';
import { savedDigitGan } from '../support/saved-gan';

const LATENT = 6;

/** A small unconditional 28x28 GAN saved into a fresh folder. */
const savedGan = () => savedDigitGan('interpolate', LATENT, 2);

/** The largest difference between the PNG's digit at (row, column) and the 0-255 pixels of `x`. */
function worstDifference(image: PNG, row: number, column: number, x: tf.Tensor): number {
  const want = tf.tidy(() => tf.round(tf.mul(tf.add(tf.clipByValue(x, -1, 1), 1), 127.5))).dataSync();
  const [top, left] = [2 + row * 30, 2 + column * 30];
  let worst = 0;
  for (let y = 0; y < 28; y++) {
    for (let i = 0; i < 28; i++) {
      const got = image.data[4 * ((top + y) * image.width + left + i)] as number;
      worst = Math.max(worst, Math.abs(got - (want[y * 28 + i] as number)));
    }
  }
  return worst;
}

describe('ts-gan sample --interpolate', () => {
  test('rows walk between random endpoints of the seed, in --steps digits along the chosen line', async () => {
    const dir = await savedGan();
    const png = join(dir, 'walks.png');
    const before = tf.memory().numTensors;
    const args = ['--interpolate', '--rows', '2', '--steps', '4', '--seed', '3', '--scale', '1', '--backend', 'cpu'];
    const r = await cli('sample', '--from', dir, ...args, '--method', 'linear', '--out', png);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(png);
    expect(tf.memory().numTensors).toBe(before);
    const image = PNG.sync.read(await readFile(png));
    expect([image.width, image.height]).toEqual([4 * 28 + 5 * 2, 2 * 28 + 3 * 2]);

    // Row 1 goes from noise vector 1 to noise vector 3 of seed 3 (the first 2 are the starts).
    const gan = await loadGan(join(dir, 'gan'));
    const noise = gan.noise(4, new SeededRandom(3));
    const a = tf.slice(noise, [1, 0], [1, LATENT]);
    const b = tf.slice(noise, [3, 0], [1, LATENT]);
    const third = tf.add(tf.mul(2 / 3, a), tf.mul(1 / 3, b));
    const digits = [a, third, b].map((z) => gan.generate(z));
    expect(worstDifference(image, 1, 0, digits[0] as tf.Tensor)).toBeLessThanOrEqual(1);
    expect(worstDifference(image, 1, 1, digits[1] as tf.Tensor)).toBeLessThanOrEqual(1);
    expect(worstDifference(image, 1, 3, digits[2] as tf.Tensor)).toBeLessThanOrEqual(1);

    // slerp (the default) keeps the endpoints and moves off the straight line in between.
    const spherical = join(dir, 'slerp.png');
    expect((await cli('sample', '--from', dir, ...args, '--out', spherical)).code).toBe(0);
    const arc = PNG.sync.read(await readFile(spherical));
    expect(worstDifference(arc, 1, 0, digits[0] as tf.Tensor)).toBeLessThanOrEqual(1);
    expect(worstDifference(arc, 1, 1, digits[1] as tf.Tensor)).toBeGreaterThan(1);
    tf.dispose([noise, a, b, third, ...digits]);
    gan.dispose();
  });

  test('bad flags are usage errors (exit 2); --help lists them', async () => {
    const dir = await savedGan();
    const out = join(dir, 'x.png');
    const cases: [string[], RegExp][] = [
      [['--interpolate', '--method', 'cubic'], /--method must be one of linear, slerp, got "cubic"/],
      [['--interpolate', '--steps', '1'], /--steps must be an integer >= 2/],
      [['--steps', '5'], /--rows, --steps and --method go with --interpolate/],
      [['--interpolate', '--labels', '0-2'], /--labels needs a conditional GAN/],
    ];
    for (const [flags, message] of cases) {
      const r = await cli('sample', '--from', dir, ...flags, '--out', out, '--backend', 'cpu');
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
    }
    const help = await cli('sample', '--help');
    expect(help.stdout).toMatch(/--interpolate/);
    expect(help.stdout).toMatch(/--method NAME/);
  });
});
