/**
 * CPU time per Trainer step of the seed's MLP GAN on wasm with the default fixes, in one process:
 * 20 steps of warm-up, then `--steps` steps timed with `process.cpuUsage()`. Run it alternately in
 * two checkouts to compare two versions of the library.
 *
 *   npx tsx bench/step-cpu.ts [batch] [--steps N]
 */
import { parseArgs } from 'node:util';
import { useBackend } from '../src/backends/index.js';
import { makeData, trainerRunner } from './mlp-gan.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { steps: { type: 'string', default: '150' } },
});
const batch = Number(positionals[0] ?? 32);
const steps = Number(values.steps);
await useBackend('wasm');
const data = makeData();
const runner = trainerRunner(batch, data);
await runner.run(20);
const cpu0 = process.cpuUsage();
const t0 = performance.now();
await runner.run(steps);
const used = process.cpuUsage(cpu0);
console.log(
  `batch ${batch}: ${((used.user + used.system) / 1000 / steps).toFixed(2)} ms CPU per step, ${((performance.now() - t0) / steps).toFixed(2)} ms wall (${process.version})`,
);
runner.dispose();
data.dispose();
