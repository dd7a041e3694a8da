/**
 * `npm run bench:ablation`: what each backend fix is worth in a Trainer step of the seed's MLP GAN.
 * For one backend and batch size, times the Trainer with the default fixes, with each default fix
 * turned off in turn and with each opt-in fix turned on, chunk by chunk in alternation after a
 * warm-up; prints medians and the ratio to "default fixes" (above 1: slower than the defaults).
 *
 * `--only a,b` limits the configurations to those fixes (and the defaults); when it names several
 * default fixes, one more configuration turns them all off together. `--arch dcgan` times the
 * command's DCGAN instead (`--filters N`, default 64, `--start-filters`, `--discriminator-filters`,
 * `--kernel-size`, `--r1 GAMMA`, as in `bench:profile`). `--threads` (default `auto`, every core) sizes the
 * worker pool of the opt-in `wasm-threaded-gemm`.
 *
 * `--clock cpu` times the process's CPU time instead of the wall clock: on a machine that other
 * work shares, a single-threaded backend's CPU time per step stays put while its wall time does not.
 *
 *   npx tsx bench/fixes-ablation.ts [wasm|cpu] [batch] [--rounds N] [--steps N] [--only NAME,NAME] [--clock wall|cpu]
 *     [--threads N|auto] [--arch dcgan] [--filters N] [--start-filters N] [--discriminator-filters N] [--kernel-size N] [--r1 GAMMA]
 */

import { availableParallelism, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import {
  applicableFixes,
  applyFixes,
  type BackendName,
  type FixName,
  setGemmThreads,
  useBackend,
} from '../src/backends/index.js';
import { dcganRunner } from './dcgan.js';
import { makeData, trainerRunner } from './mlp-gan.js';

const { values: v, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    rounds: { type: 'string', default: '7' },
    steps: { type: 'string', default: '10' },
    clock: { type: 'string', default: 'wall' },
    only: { type: 'string' },
    arch: { type: 'string', default: 'mlp' },
    filters: { type: 'string', default: '64' },
    'start-filters': { type: 'string' },
    'discriminator-filters': { type: 'string' },
    'kernel-size': { type: 'string' },
    r1: { type: 'string' },
    threads: { type: 'string', default: 'auto' },
  },
});
const num = (s: string | undefined) => (s === undefined ? undefined : Number(s));
if (v.arch !== 'mlp' && v.arch !== 'dcgan')
  throw new Error(`bench:ablation: --arch must be mlp or dcgan, got ${v.arch}.`);
const backend = (positionals[0] ?? 'wasm') as BackendName;
const batch = Number(positionals[1] ?? 32);
const rounds = Number(v.rounds);
const steps = Number(v.steps);
if (v.clock !== 'wall' && v.clock !== 'cpu')
  throw new Error(`bench:ablation: --clock must be wall or cpu, got ${v.clock}.`);
/** Milliseconds on the chosen clock. */
const now =
  v.clock === 'cpu'
    ? () => {
        const u = process.cpuUsage();
        return (u.user + u.system) / 1000;
      }
    : () => performance.now();

await useBackend(backend);
// The threads of the opt-in `wasm-threaded-gemm` (the pool idles while the fix is off).
const threads = await setGemmThreads(v.threads === 'auto' ? availableParallelism() : Number(v.threads));
const only = v.only?.split(',');
const fixes = applicableFixes(backend).filter((f) => !only || only.includes(f.name));
const names = fixes.filter((f) => f.defaultOn !== false).map((f) => f.name);
const optIn = fixes.filter((f) => f.defaultOn === false).map((f) => f.name);
// Each configuration: the default fixes, the defaults but one (or but all of --only), or the
// defaults plus an opt-in one.
const configs: { label: string; off?: FixName[]; on?: FixName }[] = [
  { label: 'default fixes' },
  ...names.map((off) => ({ label: `without ${off}`, off: [off] })),
  ...(only && names.length > 1 ? [{ label: `without ${names.join(' + ')}`, off: names }] : []),
  ...optIn.map((on) => ({ label: `with ${on}`, on })),
];
const data = v.arch === 'mlp' ? makeData() : undefined;
const runner = data
  ? trainerRunner(batch, data)
  : dcganRunner(batch, {
      filters: Number(v.filters),
      startFilters: num(v['start-filters']),
      discriminatorFilters: num(v['discriminator-filters']),
      kernelSize: num(v['kernel-size']),
      r1: num(v.r1),
    });
const times = new Map<string, number[]>(configs.map((c) => [c.label, []]));
const use = (c: { off?: FixName[]; on?: FixName } = {}) =>
  applyFixes({
    fixes: {
      ...Object.fromEntries((c.off ?? []).map((n) => [n, false])),
      ...(c.on ? { [c.on]: true } : {}),
    } as Partial<Record<FixName, boolean>>,
  });

for (const c of configs) {
  use(c);
  await runner.run(3); // warm-up: kernels, optimizer slots, XNNPACK operators
}
for (let r = 0; r < rounds; r++) {
  for (const c of configs) {
    use(c);
    const t0 = now();
    await runner.run(steps);
    times.get(c.label)?.push((now() - t0) / steps);
  }
}
const median = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)] as number;
const base = median(times.get('default fixes') ?? []);
console.log(
  `${backend}, ${v.arch}, batch ${batch}: ${rounds} rounds of ${steps} steps, medians (ms/step, ${v.clock} clock); ${process.version}, GEMM threads ${threads}, load ${loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')}`,
);
for (const c of configs) {
  const m = median(times.get(c.label) ?? []);
  console.log(`${c.label.padEnd(40)} ${m.toFixed(1).padStart(8)}   x${(m / base).toFixed(2)}`);
}
runner.dispose();
data?.dispose();
use();
console.log(`tensors left: ${tf.memory().numTensors}`);
