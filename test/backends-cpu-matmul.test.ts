import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-layers';
import { Trainer } from 'ts-gan';
import { getFix, useBackend } from 'ts-gan/backends';
import { afterAll, describe, expect, it } from 'vitest';
import { snapshot, tinyData, tinyGan } from './support/fixtures.js';

afterAll(async () => {
  await useBackend('cpu', { fixes: false });
});

/** `f` on cpu with the plain kernels, then with the cpu-matmul fix: must be the same bits. */
async function sameBits(f: () => tf.Tensor): Promise<void> {
  await useBackend('cpu', { fixes: false });
  const plain = tf.tidy(() => Array.from(f().dataSync()));
  await useBackend('cpu', { fixes: { 'cpu-matmul': true } as never });
  expect(getFix('cpu-matmul')?.isApplied()).toBe(true);
  const before = tf.memory().numTensors;
  const fixed = tf.tidy(() => Array.from(f().dataSync()));
  expect(tf.memory().numTensors).toBe(before);
  expect(fixed).toEqual(plain);
}

const input = (shape: number[], seed: number) => tf.randomUniform(shape, -1, 1, 'float32', seed);

describe('cpu-matmul', () => {
  const cases: [boolean, boolean][] = [
    [false, false],
    [true, false],
    [false, true],
    [true, true],
  ];
  for (const [ta, tb] of cases) {
    it(`matMul(transposeA=${ta}, transposeB=${tb}) gives the same bits, shared dimension over several blocks`, async () => {
      // 100 > blockSize (48): three blocks of the shared dimension; batch broadcast 3 x 1.
      await sameBits(() =>
        tf.matMul(input(ta ? [3, 100, 7] : [3, 7, 100], 1), input(tb ? [1, 9, 100] : [1, 100, 9], 2), ta, tb),
      );
    });
  }

  for (const activation of ['linear', 'relu', 'relu6', 'elu', 'sigmoid', 'leakyrelu', 'prelu'] as const) {
    it(`fused matMul with bias and ${activation} gives the same bits`, async () => {
      await sameBits(() =>
        tf.fused.matMul({
          a: input([60, 13], 3),
          b: input([11, 60], 4),
          transposeA: true,
          transposeB: true,
          bias: input([11], 5),
          activation,
          preluActivationWeights: activation === 'prelu' ? input([11], 6) : undefined,
          leakyreluAlpha: 0.3,
        }),
      );
    });
  }

  it('a Trainer run is bit-identical with every cpu fix (cpu-matmul, fused-adam) and without', async () => {
    const run = async (fixes: boolean) => {
      await useBackend('cpu', { fixes: fixes ? { 'cpu-matmul': true } : false });
      const gan = tinyGan();
      const data = tinyData();
      const trainer = new Trainer(gan, { batchSize: 4, logEvery: 3 });
      const history = await trainer.fit(data, { steps: 3 });
      const logs = ['dLoss', 'gLoss', 'dReal', 'dFake'].map((k) => history.values[k]);
      const out = {
        weights: [...snapshot(gan.generator), ...snapshot(gan.discriminator)].map((w) => Array.from(w)),
        logs,
      };
      trainer.dispose();
      gan.dispose();
      data.dispose();
      return out;
    };
    const plain = await run(false);
    const fixed = await run(true);
    expect(fixed).toEqual(plain);
  });
});
