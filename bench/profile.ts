/**
 * `npm run bench:profile`: which kernels a Trainer step of the seed MLP GAN runs, how often, and
 * how long each takes (tf.profile), on one backend.
 *
 *   npx tsx bench/profile.ts [wasm|cpu] [batch] [--no-fixes]
 */
import * as tf from '@tensorflow/tfjs-core';
import { type BackendName, useBackend } from '../src/backends/index.js';
import { makeData, trainerRunner } from './mlp-gan.js';

const backend = (process.argv[2] ?? 'wasm') as BackendName;
const batch = Number(process.argv[3] ?? 32);
const fixes = !process.argv.includes('--no-fixes');
await useBackend(backend, { fixes });
const data = makeData();
const runner = trainerRunner(batch, data);
await runner.run(3);
const steps = 5;
const info = await tf.profile(async () => {
  await runner.run(steps);
});
const byKernel = new Map<string, { count: number; ms: number }>();
let total = 0;
for (const k of info.kernels) {
  // Op scopes appear as names like "fusedMatMul__op"; count kernels only.
  const name = k.name;
  const ms = typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
  total += ms;
  const e = byKernel.get(name) ?? { count: 0, ms: 0 };
  e.count++;
  e.ms += ms;
  byKernel.set(name, e);
}
const rows = [...byKernel.entries()].sort((a, b) => b[1].ms - a[1].ms);
console.log(
  `${backend} batch ${batch} fixes ${fixes}: ${info.kernels.length / steps} kernels per step, ${(total / steps).toFixed(1)} ms kernel time per step`,
);
console.log('kernel                      calls/step   ms/step');
for (const [name, e] of rows.slice(0, 30)) {
  console.log(
    `${name.padEnd(28)} ${(e.count / steps).toFixed(1).padStart(10)} ${(e.ms / steps).toFixed(2).padStart(9)}`,
  );
}
runner.dispose();
data.dispose();
