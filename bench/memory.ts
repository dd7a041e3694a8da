/**
 * `npm run bench:memory`: trains the seed MLP GAN with the library's Trainer for many steps and
 * checks that tfjs's tensor count and bytes stay flat (no leak), printing them every chunk.
 *
 *   npm run bench:memory -- [--backend wasm] [--steps 10000] [--batch 32] [--narrow] [--threads N|auto]
 *
 * `--narrow` uses the same layers with hidden widths divided by 16 (same kernels and fixes, same
 * Trainer code path, a fraction of the arithmetic): a 10,000-step leak check in minutes on a
 * shared machine. `--threads` gives the library's GEMM that many threads (`auto`: every core), as
 * `useBackend`'s `threads` option; default 1. With threads, products of any number of rows are split
 * (the pool's `minCopiedRows` set to 0), so that the threaded path runs at batch 32 too.
 */
import { writeFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { gemmPool } from '../src/backends/fixes/wasm-threaded-gemm.js';
import { type BackendName, useBackend } from '../src/backends/index.js';
import { GAN, presets, Trainer } from '../src/index.js';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
};
const backend = arg('backend', 'wasm') as BackendName;
const steps = Number(arg('steps', '10000'));
const batch = Number(arg('batch', '32'));
const chunk = Math.min(500, steps);
const out = arg('out', 'bench/results/memory.json');
const narrow = process.argv.includes('--narrow');
const widths = narrow ? { generatorUnits: [16, 32, 64], discriminatorUnits: [32, 16] } : {};

const threadsArg = arg('threads', '1');
const report = await useBackend(backend, { threads: threadsArg === 'auto' ? 'auto' : Number(threadsArg) });
const pool = gemmPool();
if (pool) pool.minCopiedRows = 0;
const gan = new GAN({ ...presets.mlp(widths), latentDim: 100, dataShape: [28, 28, 1], seed: 1 });
const data = tf.randomUniform([1024, 28, 28, 1], -1, 1, 'float32', 7);
const trainer = new Trainer(gan, { batchSize: batch, logEvery: 100 });
await trainer.fit(data, { steps: 1 }); // optimizer slots are created on the first step
const base = tf.memory();
const samples: { step: number; numTensors: number; numBytes: number; rssMiB: number }[] = [];
const t0 = performance.now();
for (let done = 0; done < steps; done += chunk) {
  await trainer.fit(data, { steps: Math.min(chunk, steps - done) });
  const m = tf.memory();
  const s = {
    step: trainer.step,
    numTensors: m.numTensors,
    numBytes: m.numBytes,
    rssMiB: process.memoryUsage().rss / 2 ** 20,
  };
  samples.push(s);
  console.log(`step ${s.step}: ${s.numTensors} tensors, ${s.numBytes} bytes, rss ${s.rssMiB.toFixed(0)} MiB`);
}
const flat = samples.every((s) => s.numTensors === base.numTensors && s.numBytes === base.numBytes);
console.log(
  `${backend}${narrow ? ' (narrow widths)' : ''} (fixes: ${report.fixes.join(', ')}; threads ${report.threads}), batch ${batch}, ${steps} steps in ${((performance.now() - t0) / 1000).toFixed(0)} s: ` +
    `tensors ${base.numTensors} -> ${samples.at(-1)?.numTensors}, bytes ${base.numBytes} -> ${samples.at(-1)?.numBytes}: ${flat ? 'FLAT' : 'GROWING'}`,
);
writeFileSync(
  out,
  `${JSON.stringify({ backend, narrow, batch, steps, threads: report.threads, fixes: report.fixes, base: { numTensors: base.numTensors, numBytes: base.numBytes }, samples, flat }, null, 2)}\n`,
);
trainer.dispose();
gan.dispose();
data.dispose();
process.exitCode = flat ? 0 : 1;
