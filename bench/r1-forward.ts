/**
 * R1 with and without reusing the loss's forward pass: the built-in `r1` option (which asks the
 * update for the real batch's input gradient) against the same penalty run as a plain custom
 * penalty (which differentiates a second forward pass of its own), on the command's DCGAN recipe.
 * The two trainers alternate in rounds within one process; the table gives median ms per step.
 *
 *   npx tsx bench/r1-forward.ts [wasm|cpu] [rounds]
 */
import * as tf from '@tensorflow/tfjs-core';
import { type BackendName, useBackend } from '../src/backends/index.js';
import { archConfig, archTrainerOptions } from '../src/cli/arch.js';
import { GAN, r1Penalty, Trainer, type TrainerOptions } from '../src/index.js';

const backend = (process.argv[2] ?? 'wasm') as BackendName;
const rounds = Number(process.argv[3] ?? 5);
const STEPS = 4;
await useBackend(backend);

const shape = { filters: 32, startFilters: 128, discriminatorFilters: 64, kernelSize: 5, r1: true };
const images = tf.randomUniform([1024, 28, 28, 1], -1, 1, 'float32', 1);
const { compute } = r1Penalty({ gamma: 10 });
const variants: [string, TrainerOptions][] = [
  ['r1 option (one forward pass)', { r1: { gamma: 10 } }],
  ['r1 as a custom penalty (two)', { penalties: [{ name: 'r1', compute }] }],
];
const runs = variants.map(([name, options]) => {
  const gan = new GAN({ ...archConfig('dcgan', shape), latentDim: 100, dataShape: [28, 28, 1], seed: 1 });
  const trainer = new Trainer(gan, { batchSize: 64, logEvery: 1_000_000, ...archTrainerOptions('dcgan'), ...options });
  return { name, gan, trainer, times: [] as number[] };
});
for (const r of runs) await r.trainer.fit(images, { steps: 2 });
for (let round = 0; round < rounds; round++) {
  for (const r of runs) {
    const start = performance.now();
    await r.trainer.fit(images, { steps: STEPS });
    r.times.push((performance.now() - start) / STEPS);
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const base = median(runs[1]?.times ?? []);
console.log(`${backend}, DCGAN recipe, batch 64, ${rounds} alternating rounds of ${STEPS} steps`);
for (const r of runs) {
  const m = median(r.times);
  console.log(`${r.name.padEnd(32)} ${m.toFixed(0).padStart(6)} ms/step   ${(m / base).toFixed(2)}x`);
  r.trainer.dispose();
  r.gan.dispose();
}
images.dispose();
