/**
 * Trains a member of the GAN family on MNIST with a narrow DCGAN and writes sample grids, to show
 * how many steps each needs for recognizable digits (docs/gan-family.md).
 *
 * Run: npx tsx bench/family-mnist.ts --arch cgan --steps 1500 --filters 16 --batch-size 32 --backend wasm --out runs/family-cgan
 *
 * Conditional architectures draw one row per digit (InfoGAN: per categorical code), one noise
 * vector per column. Prints steps per second and writes samples/step-NNNNNN.png every --sample-every steps.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { GAN, type GANConfig, presets, Trainer } from 'ts-gan';
import { useBackend } from 'ts-gan/backends';
import { loadMnist, writeImageGrid } from 'ts-gan/node';
import { CONDITIONAL_COLUMNS, conditionalGrid } from '../src/cli/arch.js';

const { values: v } = parseArgs({
  options: {
    arch: { type: 'string', default: 'cgan' },
    steps: { type: 'string', default: '1500' },
    filters: { type: 'string', default: '16' },
    'batch-size': { type: 'string', default: '32' },
    backend: { type: 'string', default: 'wasm' },
    out: { type: 'string', default: 'runs/family' },
    'sample-every': { type: 'string', default: '250' },
    seed: { type: 'string', default: '1' },
  },
});

async function main(): Promise<void> {
  const report = await useBackend(v.backend as 'wasm');
  console.log(`backend ${report.name} (fixes: ${report.fixes.join(', ')})`);
  const filters = Number(v.filters);
  const base = {
    ...presets.dcgan({ filters, discriminatorBatchNorm: true }),
    latentDim: 64,
    dataShape: [28, 28, 1],
    seed: Number(v.seed),
  };
  const configs: Record<string, GANConfig> = {
    dcgan: base,
    cgan: { ...base, numClasses: 10 },
    acgan: { ...base, numClasses: 10, conditioning: 'auxiliary' },
    infogan: { ...base, infoCodes: { categorical: 10, continuous: 2 } },
  };
  const config = configs[v.arch as string];
  if (!config) throw new Error(`--arch must be one of ${Object.keys(configs).join(', ')}`);
  const gan = new GAN(config);
  // The reference DCGANs' BatchNorm semantics: the frozen network runs on batch statistics.
  const trainer = new Trainer(gan, { batchSize: Number(v['batch-size']), logEvery: 50, frozenNetworkMode: 'training' });
  const mnist = await loadMnist();
  const data = { x: mnist.images, labels: Int32Array.from(mnist.labels) };
  await mkdir(join(v.out as string, 'samples'), { recursive: true });
  const grid = async (step: number) => {
    const byClass = (gan.conditioning?.numClasses ?? 0) > 0;
    const images = byClass ? conditionalGrid(gan, 7) : gan.sample(100, { seed: 7 });
    const file = join(v.out as string, 'samples', `step-${String(step).padStart(6, '0')}.png`);
    await writeImageGrid(images, file, { columns: byClass ? CONDITIONAL_COLUMNS : 10, scale: 2 });
    images.dispose();
  };
  const every = Number(v['sample-every']);
  const total = Number(v.steps);
  const start = performance.now();
  await grid(0);
  for (let done = 0; done < total; ) {
    const steps = Math.min(every, total - done);
    const history = await trainer.fit(data, { steps });
    done += steps;
    await grid(done);
    const last = history.steps.length - 1;
    const seconds = (performance.now() - start) / 1000;
    console.log(
      `step ${done}: dLoss ${history.values.dLoss?.[last]?.toFixed(3)} gLoss ${history.values.gLoss?.[last]?.toFixed(3)} ` +
        `${(done / seconds).toFixed(2)} steps/s overall`,
    );
  }
  trainer.dispose();
  gan.dispose();
  mnist.images.dispose();
  tf.disposeVariables();
}

void main();
