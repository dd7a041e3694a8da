/**
 * `ts-gan sample --labels`: a conditional GAN drawn digit by digit, one row per label, and the
 * errors for an unconditional GAN, a label out of range and a malformed list.
 */
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { PNG } from 'pngjs';
import { GAN, SeededRandom } from 'ts-gan';
import { describe, expect, test } from 'vitest';
import { saveGan } from '../../src/cli/persist';
import { parseLabels } from '../../src/cli/sample';
import { cli } from '../support/cli';

/** A small 28x28 GAN, conditional on 3 classes or not, saved into a fresh folder. */
async function savedGan(numClasses?: number): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'ts-gan-sample-labels-'));
  const gan = new GAN({
    latentDim: 6,
    dataShape: [28, 28, 1],
    ...(numClasses === undefined ? {} : { numClasses }),
    buildGenerator: (ctx) => {
      const z = tfl.input({ shape: [ctx.latentDim] });
      const c = ctx.conditionDim ? tfl.input({ shape: [ctx.conditionDim] }) : undefined;
      const joined = c ? (tfl.layers.concatenate().apply([z, c]) as tfl.SymbolicTensor) : z;
      const dense = tfl.layers.dense({ units: 784, activation: 'tanh' }).apply(joined) as tfl.SymbolicTensor;
      const image = tfl.layers.reshape({ targetShape: [28, 28, 1] }).apply(dense) as tfl.SymbolicTensor;
      return tfl.model({ inputs: c ? [z, c] : [z], outputs: image });
    },
    buildDiscriminator: (ctx) => {
      const x = tfl.input({ shape: [...ctx.dataShape] });
      const c = ctx.discriminatorTakesCondition ? tfl.input({ shape: [ctx.conditionDim as number] }) : undefined;
      const flat = tfl.layers.flatten().apply(x) as tfl.SymbolicTensor;
      const joined = c ? (tfl.layers.concatenate().apply([flat, c]) as tfl.SymbolicTensor) : flat;
      const logit = tfl.layers.dense({ units: 1 }).apply(joined) as tfl.SymbolicTensor;
      return tfl.model({ inputs: c ? [x, c] : [x], outputs: logit });
    },
    seed: 4,
  });
  await saveGan(gan, join(dir, 'gan'));
  gan.dispose();
  return dir;
}

describe('ts-gan sample --labels', () => {
  test('draws one row per label with the same noise down each column, the digits the generator makes for them', async () => {
    const dir = await savedGan(3);
    const png = join(dir, 'rows.png');
    const before = tf.memory().numTensors;
    const r = await cli(
      'sample',
      '--from',
      dir,
      '--labels',
      '2,0',
      '--n',
      '3',
      '--seed',
      '5',
      '--scale',
      '1',
      '--out',
      png,
      '--backend',
      'cpu',
    );
    expect(r.code).toBe(0);
    expect(tf.memory().numTensors).toBe(before);
    const image = PNG.sync.read(await readFile(png));
    // 3 columns and 2 rows of 28-pixel digits with 2-pixel padding.
    expect([image.width, image.height]).toEqual([3 * 28 + 4 * 2, 2 * 28 + 3 * 2]);

    // The digit in row 1 (label 0), column 2 is the generator on noise vector 2 of seed 5 with label 0.
    const { loadGan } = await import('../../src/cli/persist');
    const gan = await loadGan(join(dir, 'gan'));
    const expected = tf.tidy(() => {
      const z = tf.slice(gan.noise(3, new SeededRandom(5)), [2, 0], [1, 6]);
      const oneHot = tf.cast(tf.oneHot(tf.tensor1d([0], 'int32'), 3), 'float32');
      const x = gan.generate(z, oneHot);
      return tf.round(tf.mul(tf.add(tf.clipByValue(x, -1, 1), 1), 127.5));
    });
    const want = expected.dataSync();
    const [top, left] = [2 + 28 + 2, 2 + 2 * (28 + 2)];
    let worst = 0;
    for (let y = 0; y < 28; y++) {
      for (let x = 0; x < 28; x++) {
        const got = image.data[4 * ((top + y) * image.width + left + x)] as number;
        worst = Math.max(worst, Math.abs(got - (want[y * 28 + x] as number)));
      }
    }
    expect(worst).toBeLessThanOrEqual(1);
    expected.dispose();
    gan.dispose();
  });

  test('refuses an unconditional GAN, a label out of range and a malformed list, with exit code 2', async () => {
    const plain = await savedGan();
    const a = await cli('sample', '--from', plain, '--labels', '1', '--backend', 'cpu', '--out', join(plain, 'x.png'));
    expect(a.code).toBe(2);
    expect(a.stderr).toMatch(/--labels needs a conditional GAN/);
    const conditional = await savedGan(3);
    const b = await cli(
      'sample',
      '--from',
      conditional,
      '--labels',
      '0-3',
      '--backend',
      'cpu',
      '--out',
      join(conditional, 'x.png'),
    );
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(/--labels must lie in 0\.\.2 for this GAN, got 3/);
    const c = await cli('sample', '--from', conditional, '--labels', '2,x', '--backend', 'cpu');
    expect(c.code).toBe(2);
    expect(c.stderr).toMatch(/--labels must be class indices and ranges like "0-9" or "3,3,8", got "x"/);
  });

  test('parseLabels reads indices and ascending ranges, in order, repeats kept', () => {
    expect(parseLabels('0-9')).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(parseLabels('3,3,8, 1-2')).toEqual([3, 3, 8, 1, 2]);
    expect(() => parseLabels('5-2')).toThrow(/got "5-2"/);
    expect(() => parseLabels('')).toThrow(/--labels must be/);
    expect(() => parseLabels('0-5000')).toThrow(/more than 1000 rows/);
  });
});
