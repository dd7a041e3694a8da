/**
 * The `fused-batchnorm-gradient` fix: BatchNorm's gradient as one kernel on wasm and cpu, the same
 * bits as the chain of kernels it replaces, and the chain wherever a gradient records the backward
 * pass (double backpropagation).
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-layers';
import { GAN, presets, Trainer } from 'ts-gan';
import { FIX_NAMES, getFix, useBackend } from 'ts-gan/backends';
import { afterAll, describe, expect, it } from 'vitest';
import { expectNoGrowth, seeded, trainTinyMlp, values } from '../support/fixes';

const FIX = 'fused-batchnorm-gradient';
/** batchnorm-gradient (which runs the kernel) with or without this fix, nothing else. */
const only = (on: boolean) =>
  Object.fromEntries(FIX_NAMES.map((n) => [n, n === 'batchnorm-gradient' || (on && n === FIX)])) as never;

afterAll(async () => {
  await useBackend('wasm', { fixes: false });
  await useBackend('cpu', { fixes: false });
});

/**
 * The gradients of a BatchNorm on batch statistics (as tfjs-layers trains it) with respect to the
 * input, gamma and beta, then through a LeakyReLU and a weighted mean, flattened into one tensor.
 */
const batchNormGrads = (shape: number[], withScale: boolean) => () => {
  const c = shape[shape.length - 1] as number;
  const axes = shape.slice(0, -1).map((_, i) => i);
  const x = tf.add(tf.mul(seeded(shape, 41), 3), 0.5);
  const gamma = seeded([c], 42);
  const beta = seeded([c], 43);
  const w = seeded(shape, 44);
  // tfjs 4.22 cannot differentiate a batchNorm without a scale (it saves the missing tensor).
  const loss = (xx: tf.Tensor, b: tf.Tensor, g: tf.Tensor = gamma) => {
    const { mean, variance } = tf.moments(xx, axes);
    return tf.mean(tf.mul(tf.leakyRelu(tf.batchNorm(xx, mean, variance, b, g, 1e-3), 0.2), w));
  };
  const grads = withScale
    ? tf.grads((xx: tf.Tensor, b: tf.Tensor, g: tf.Tensor) => loss(xx, b, g))([x, beta, gamma])
    : tf.grads((xx: tf.Tensor, b: tf.Tensor) => loss(xx, b))([x, beta]);
  return tf.concat(grads.map((t) => tf.reshape(t, [-1])));
};

const CASES: [string, () => tf.Tensor][] = [
  ['Dense-shaped [32, 24] with gamma and beta', batchNormGrads([32, 24], true)],
  ['Conv-shaped [2, 3, 3, 8] with gamma and beta', batchNormGrads([2, 3, 3, 8], true)],
  ['[5, 7], gamma not trained', batchNormGrads([5, 7], false)],
];

/** The kernels `f` runs, by name. */
async function kernels(f: () => tf.Tensor): Promise<string[]> {
  const info = await tf.profile(() => tf.dispose(f()));
  return info.kernels.map((k) => k.name);
}

describe('fused-batchnorm-gradient', () => {
  for (const backend of ['cpu', 'wasm'] as const) {
    for (const [name, f] of CASES) {
      it(`${backend}, ${name}: one kernel, the same bits as the chain, nothing left behind`, async () => {
        await useBackend(backend, { fixes: only(false) });
        const chain = tf.tidy(() => values(f()));
        const chainKernels = await kernels(f);
        await useBackend(backend, { fixes: only(true) });
        expect(getFix(FIX)?.isApplied()).toBe(true);
        const fused = tf.tidy(() => values(f()));
        expect(fused).toEqual(chain);
        const fusedKernels = await kernels(f);
        expect(fusedKernels.filter((k) => k === 'TsGanBatchNormGrad')).toHaveLength(1);
        expect(fusedKernels.length).toBeLessThan(chainKernels.length - 10);
        expectNoGrowth(f);
      });
    }
  }

  it('wasm with every default fix: the same bits as without this one', async () => {
    const f = CASES[0]?.[1] as () => tf.Tensor;
    await useBackend('wasm', { fixes: { [FIX]: false } as never });
    const chain = tf.tidy(() => values(f()));
    await useBackend('wasm');
    expect(getFix(FIX)?.isApplied()).toBe(true);
    expect(tf.tidy(() => values(f()))).toEqual(chain);
  });

  it('a second-order gradient through BatchNorm keeps the differentiable chain', async () => {
    const f = () => {
      const x = seeded([6, 4], 45);
      return tf.grad((xx: tf.Tensor) => {
        const inner = tf.grad((t: tf.Tensor) => {
          const { mean, variance } = tf.moments(t, 0);
          return tf.sum(tf.square(tf.batchNorm(t, mean, variance, seeded([4], 46), seeded([4], 47), 1e-3)));
        })(xx);
        return tf.sum(tf.square(inner));
      })(x);
    };
    await useBackend('wasm', { fixes: only(false) });
    const chain = tf.tidy(() => values(f()));
    await useBackend('wasm', { fixes: only(true) });
    expect(tf.tidy(() => values(f()))).toEqual(chain);
  });

  it("the seed's MLP GAN trains to the same weights on wasm, with every default fix", async () => {
    const train = () =>
      trainTinyMlp(3, async (trainer) =>
        [...trainer.gan.generator.weights, ...trainer.gan.discriminator.weights].map((w) => w.read()),
      );
    await useBackend('wasm', { fixes: { [FIX]: false } as never });
    const chain = await train();
    await useBackend('wasm');
    expect(await train()).toEqual(chain);
  });

  it('remove() takes the kernel away', async () => {
    await useBackend('wasm', { fixes: only(true) });
    await useBackend('wasm', { fixes: only(false) });
    expect(getFix(FIX)?.isApplied()).toBe(false);
    expect(tf.getKernel('TsGanBatchNormGrad', 'wasm')).toBeUndefined();
  });
});
