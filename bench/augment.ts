/**
 * DiffAugment on a small MNIST subset: the same networks (the fast recipe), seed, subset and steps,
 * trained without and with `augment`, scored by the shipped MNIST judge's Fréchet distance every
 * `--every` steps. Prints one JSON line per run; `--modes real` scores the subset itself (the
 * Fréchet distance of a generator that memorises it). Raw results: docs/benchmarks/augment-2026-12-07.md.
 *
 * Run: npx tsx bench/augment.ts --n 100 --steps 1200 --every 300 --r1 none --policy translation
 *      [--probability 1] [--samples 2000] [--seed 3] [--modes off,on|real]
 */
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { type DiffAugmentPolicy, GAN, presets, Trainer } from 'ts-gan';
import { useBackend } from 'ts-gan/backends';
import { evaluateMnist, generatorSource, MnistJudge } from 'ts-gan/metrics';
import { loadMnist } from 'ts-gan/node';

const { values: v } = parseArgs({
  options: {
    n: { type: 'string', default: '100' },
    steps: { type: 'string', default: '1200' },
    every: { type: 'string' },
    r1: { type: 'string', default: '40/4' }, // "none" or gamma/every, the recipe's own is 40/4
    policy: { type: 'string', default: 'color,translation,cutout' },
    probability: { type: 'string', default: '1' },
    samples: { type: 'string', default: '2000' },
    seed: { type: 'string', default: '3' },
    modes: { type: 'string', default: 'off,on' },
  },
});
const n = Number(v.n);
const steps = Number(v.steps);
const every = Number(v.every ?? v.steps);
const samples = Number(v.samples);
const seed = Number(v.seed);
const policy = (v.policy as string).split(',') as DiffAugmentPolicy[];
const probability = Number(v.probability);
const [gamma, r1Every] = (v.r1 as string).split('/').map(Number);

await useBackend('wasm');
const { images, labels } = await loadMnist({ limit: n });
const judge = MnistJudge.load();
const fast = presets.fast();
for (const mode of (v.modes as string).split(',')) {
  if (mode === 'real') {
    const tiled = tf.tidy(() =>
      tf.gather(
        images,
        Int32Array.from({ length: samples }, (_, i) => i % n),
      ),
    );
    const m = await evaluateMnist(tiled, { judge, kid: { subsets: 2 } });
    console.log(JSON.stringify({ n, mode, samples, fid: Number(m.frechetDistance.toFixed(1)) }));
    tiled.dispose();
    continue;
  }
  const gan = new GAN({ ...fast.gan, dataShape: [28, 28, 1], seed });
  const trainer = new Trainer(gan, {
    ...fast.trainer,
    r1: v.r1 === 'none' ? undefined : { gamma: gamma as number, every: r1Every as number },
    ...(mode === 'on' ? { augment: { policy, probability } } : {}),
  });
  const fid: number[] = [];
  const start = Date.now();
  for (let done = 0; done < steps; done += every) {
    await trainer.fit({ x: images, labels: Int32Array.from(labels) }, { steps: every });
    const m = await evaluateMnist(generatorSource(gan, samples, { seed: 0 }), { judge, kid: { subsets: 2 } });
    fid.push(Number(m.frechetDistance.toFixed(1)));
  }
  const setting = { n, steps, every, r1: v.r1, seed, samples };
  const aug = mode === 'on' ? { policy: policy.join('+'), probability } : { policy: 'none' };
  console.log(JSON.stringify({ ...setting, ...aug, fid, seconds: (Date.now() - start) / 1000 }));
  trainer.dispose();
  gan.dispose();
}
judge.dispose();
images.dispose();
