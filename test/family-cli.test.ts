import * as tf from '@tensorflow/tfjs-core';
import { GAN, SeededRandom } from 'ts-gan';
import { expect, test } from 'vitest';
import { ARCH_CHOICES, archConfig, CONDITIONAL_COLUMNS, conditionalGrid } from '../src/cli/arch';
import { parseMnistFlags } from '../src/cli/mnist';
import { toyDiscriminator, toyGenerator } from './support/family';

test('--arch accepts the five architectures and refuses others', () => {
  for (const arch of ARCH_CHOICES) {
    const o = parseMnistFlags(['--arch', arch]);
    expect(o !== 'help' && o.arch).toBe(arch);
  }
  expect(parseMnistFlags([]) !== 'help' && (parseMnistFlags([]) as { arch: string }).arch).toBe('mlp');
  expect(() => parseMnistFlags(['--arch', 'stylegan'])).toThrow(
    /--arch must be one of mlp, dcgan, cgan, acgan, infogan/,
  );
  expect(archConfig('acgan')).toMatchObject({ numClasses: 10, conditioning: 'auxiliary' });
  expect(archConfig('infogan')).toMatchObject({ infoCodes: { categorical: 10, continuous: 2 } });
});

test('the conditional grid has one row per class and one noise vector per column', () => {
  const gan = new GAN({
    latentDim: 4,
    dataShape: [2],
    numClasses: 3,
    buildGenerator: toyGenerator,
    buildDiscriminator: toyDiscriminator,
  });
  const grid = conditionalGrid(gan, 7);
  expect(grid.shape).toEqual([3 * CONDITIONAL_COLUMNS, 2]);
  // Row 2, column 4 is the generator on noise vector 4 with label 2.
  const rng = new SeededRandom(7);
  const z = gan.noise(CONDITIONAL_COLUMNS, rng);
  const expected = tf.tidy(() =>
    gan.generate(tf.slice(z, [4, 0], [1, 4]), tf.cast(tf.oneHot(tf.tensor1d([2], 'int32'), 3), 'float32')),
  );
  const cell = tf.slice(grid, [2 * CONDITIONAL_COLUMNS + 4, 0], [1, 2]);
  expect(Array.from(cell.dataSync())).toEqual(Array.from(expected.dataSync()));
  tf.dispose([grid, z, expected, cell]);
  gan.dispose();
  expect(tf.memory().numTensors).toBe(0);
});
