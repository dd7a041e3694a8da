/**
 * `npm run bench:profile`: which kernels a Trainer step runs, how often, and how long each takes
 * (tf.profile), on one backend. The seed MLP GAN by default; `--arch dcgan` profiles the command's
 * DCGAN (`--filters N`, default 64, and the command's `--start-filters`, `--discriminator-filters`,
 * `--kernel-size`, `--r1`) on random 28x28 images. `--shapes` splits the table by input shapes;
 * `--without NAME` turns one backend fix off.
 *
 *   npx tsx bench/profile.ts [wasm|cpu] [batch] [--no-fixes | --without NAME] [--arch dcgan] [--filters N] [--shapes]
 *     [--start-filters N] [--discriminator-filters N] [--kernel-size N] [--r1 GAMMA]
 */
import * as tf from '@tensorflow/tfjs-core';
import { type BackendName, type FixName, useBackend } from '../src/backends/index.js';
import { DCGAN_OPTIONS, dcganRunner, dcganShapeFromArgs } from './dcgan.js';
import { makeData, trainerRunner } from './mlp-gan.js';

const args = process.argv.slice(2);
const option = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const VALUE_OPTIONS = ['--arch', '--without', ...DCGAN_OPTIONS];
const positional = args.filter((a, i) => !a.startsWith('--') && !VALUE_OPTIONS.includes(args[i - 1] ?? ''));
const backend = (positional[0] ?? 'wasm') as BackendName;
const batch = Number(positional[1] ?? 32);
const without = option('--without');
const fixes = args.includes('--no-fixes') ? false : without ? ({ [without]: false } as Record<FixName, boolean>) : true;
const arch = option('--arch') ?? 'mlp';
const byShape = args.includes('--shapes');
await useBackend(backend, { fixes });

if (arch !== 'mlp' && arch !== 'dcgan') throw new Error(`bench:profile: --arch must be mlp or dcgan, got ${arch}.`);
const data = arch === 'mlp' ? makeData() : undefined;
const runner = data ? trainerRunner(batch, data) : dcganRunner(batch, dcganShapeFromArgs(args));
await runner.run(3);
const steps = 5;
const start = performance.now();
const info = await tf.profile(async () => {
  await runner.run(steps);
});
const wallMs = (performance.now() - start) / steps;
const byKernel = new Map<string, { count: number; ms: number }>();
let total = 0;
for (const k of info.kernels) {
  // Op scopes appear as names like "fusedMatMul__op" and repeat their kernel's time: not counted.
  if (k.name.endsWith('__op')) continue;
  const name = byShape ? `${k.name} ${JSON.stringify(k.inputShapes)}` : k.name;
  const ms = typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
  total += ms;
  const e = byKernel.get(name) ?? { count: 0, ms: 0 };
  e.count++;
  e.ms += ms;
  byKernel.set(name, e);
}
const kernels = [...byKernel.values()].reduce((n, e) => n + e.count, 0);
const rows = [...byKernel.entries()].sort((a, b) => b[1].ms - a[1].ms);
console.log(
  `${backend} ${arch} batch ${batch} fixes ${fixes === true ? 'all' : fixes === false ? 'none' : `all but ${without}`}: ${kernels / steps} kernels per step, ${(total / steps).toFixed(1)} ms kernel time per step (${wallMs.toFixed(1)} ms wall, profiled)`,
);
console.log('kernel                      calls/step   ms/step');
for (const [name, e] of rows.slice(0, 30)) {
  console.log(
    `${name.padEnd(28)} ${(e.count / steps).toFixed(1).padStart(10)} ${(e.ms / steps).toFixed(2).padStart(9)}`,
  );
}
runner.dispose();
data?.dispose();
