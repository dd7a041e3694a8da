/**
 * Checkpoint save/load timings and sizes for the seed MLP GAN on MNIST's shape (presets.mlp,
 * latentDim 100, 28x28x1; about 1.5 M generator and 0.5 M discriminator parameters), after one
 * training step so that the Adam slots exist.
 *
 * Run: npx tsx bench/checkpoint-io.ts [--backend cpu|wasm] [--repeats 5]
 */
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { GAN, presets, Trainer } from 'ts-gan';
import 'ts-gan/node';

const { values } = parseArgs({
  options: { backend: { type: 'string', default: 'cpu' }, repeats: { type: 'string', default: '5' } },
});
if (values.backend === 'wasm') await import('@tensorflow/tfjs-backend-wasm');
await tf.setBackend(values.backend as string);
await tf.ready();

const repeats = Number(values.repeats);
const dir = mkdtempSync(join(tmpdir(), 'ts-gan-bench-ckpt-'));
const target = join(dir, 'run');
const gan = new GAN({ latentDim: 100, dataShape: [28, 28, 1], ...presets.mlp(), seed: 1 });
const trainer = new Trainer(gan, { batchSize: 32 });
const data = tf.randomUniform([64, 28, 28, 1], -1, 1);
await trainer.fit(data, { steps: 1 });

const saves: number[] = [];
const loads: number[] = [];
for (let i = 0; i < repeats; i++) {
  let t0 = performance.now();
  await trainer.save(target);
  saves.push(performance.now() - t0);
  t0 = performance.now();
  const loaded = await Trainer.load(target);
  loads.push(performance.now() - t0);
  loaded.dispose();
  loaded.gan.dispose();
}

const size = (p: string): number =>
  statSync(p).isDirectory() ? readdirSync(p).reduce((n, e) => n + size(join(p, e)), 0) : statSync(p).size;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
console.log(
  JSON.stringify({
    backend: tf.getBackend(),
    bytes: size(target),
    generatorBytes: size(join(target, 'generator')),
    saveMsMedian: Math.round(median(saves)),
    loadMsMedian: Math.round(median(loads)),
    saves: saves.map(Math.round),
    loads: loads.map(Math.round),
  }),
);
data.dispose();
trainer.dispose();
gan.dispose();
rmSync(dir, { recursive: true, force: true });
