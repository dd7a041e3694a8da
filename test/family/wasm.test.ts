/**
 * The GAN family on the wasm backend (with ts-gan/backends' fixes): WGAN-GP through LeakyReLU and
 * through convolutions, and a conditional GAN, train there and agree with cpu.
 */
import * as tf from '@tensorflow/tfjs-core';
import { GAN, type GANConfig, presets, Trainer, type TrainerOptions } from 'ts-gan';
import { useBackend } from 'ts-gan/backends';
import { afterAll, describe, expect, test } from 'vitest';
import { glyphData, mixture, toyDiscriminator, toyGenerator } from '../support/family';

afterAll(async () => {
  await useBackend('cpu', { fixes: false });
});

/** Trains 2 steps and returns the penalty log and the discriminator's first kernel. */
async function run(config: GANConfig, options: TrainerOptions, data: () => { x: tf.Tensor; labels: tf.Tensor1D }) {
  const gan = new GAN(config);
  const trainer = new Trainer(gan, { batchSize: 8, ...options });
  const d = data();
  const history = await trainer.fit({ x: d.x, labels: d.labels }, { steps: 2 });
  const kernel = Array.from(gan.discriminator.trainableWeights[0]!.read().dataSync());
  tf.dispose([d.x, d.labels]);
  trainer.dispose();
  gan.dispose();
  return { history, kernel };
}

async function onBoth(config: GANConfig, options: TrainerOptions, data: () => { x: tf.Tensor; labels: tf.Tensor1D }) {
  await useBackend('cpu', { fixes: false });
  const cpu = await run(config, options, data);
  await useBackend('wasm');
  expect(tf.getBackend()).toBe('wasm');
  // tfjs-backend-wasm's fused matMul/conv custom gradients trip tfjs's IS_TEST kernel leak check
  // ("internal memory leak (4 data ids)"), as test/backends/wasm-kernels.test.ts notes; that check
  // is off for the wasm run, and the tensor count below stays checked.
  const tensors = tf.memory().numTensors;
  tf.env().set('IS_TEST', false);
  try {
    const wasm = await run(config, options, data);
    expect(tf.memory().numTensors).toBe(tensors);
    return { cpu, wasm };
  } finally {
    tf.env().set('IS_TEST', true);
  }
}

function close(a: number[], b: number[], tol: number): void {
  expect(a.length).toBe(b.length);
  for (const [i, v] of a.entries()) expect(Math.abs(v - (b[i] as number))).toBeLessThan(tol);
}

describe('on wasm', () => {
  test('WGAN-GP through LeakyReLU (Dense critic) matches cpu', async () => {
    const config: GANConfig = {
      latentDim: 4,
      dataShape: [2],
      loss: 'wasserstein',
      buildGenerator: toyGenerator,
      buildDiscriminator: toyDiscriminator,
      seed: 3,
    };
    const { cpu, wasm } = await onBoth(config, { gradientPenalty: { weight: 10 } }, () => mixture(32));
    const gp = wasm.history.values.gradientPenalty as number[];
    expect(gp.every((v) => Number.isFinite(v) && v > 0)).toBe(true);
    close(gp, cpu.history.values.gradientPenalty as number[], 1e-3);
    close(wasm.kernel, cpu.kernel, 1e-4);
  });

  test('WGAN-GP through a DCGAN conv critic matches cpu', async () => {
    const config: GANConfig = {
      ...presets.dcgan({ filters: 4 }),
      latentDim: 4,
      dataShape: [8, 8, 1],
      loss: 'wasserstein',
      seed: 3,
    };
    const { cpu, wasm } = await onBoth(config, { gradientPenalty: { weight: 10 } }, () => glyphData(32));
    const gp = wasm.history.values.gradientPenalty as number[];
    expect(gp.every((v) => Number.isFinite(v) && v > 0)).toBe(true);
    close(gp, cpu.history.values.gradientPenalty as number[], 1e-3);
    close(wasm.kernel, cpu.kernel, 1e-4);
  });

  test('a conditional DCGAN (cGAN) trains on wasm as on cpu', async () => {
    const config: GANConfig = {
      ...presets.dcgan({ filters: 4 }),
      latentDim: 4,
      dataShape: [8, 8, 1],
      numClasses: 4,
      seed: 3,
    };
    const { cpu, wasm } = await onBoth(config, {}, () => glyphData(32));
    close(wasm.history.values.dLoss as number[], cpu.history.values.dLoss as number[], 1e-3);
    close(wasm.kernel, cpu.kernel, 1e-4);
  });
});
