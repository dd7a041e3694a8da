/**
 * How often a conditional MNIST GAN draws the digit it was asked for: for each label 0-9, `--n`
 * samples with that label, classified by the MNIST judge of `ts-gan/metrics`; prints the share
 * the judge reads as the requested digit, per label and overall.
 *
 *   npx tsx bench/family-label-accuracy.ts --from runs/cgan [--n 200] [--seed 0] [--backend wasm]
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { useBackend } from '../src/backends/index.js';
import { loadGan } from '../src/cli/persist.js';
import { MnistJudge } from '../src/metrics/judge.js';

const { values: v } = parseArgs({
  options: {
    from: { type: 'string' },
    n: { type: 'string', default: '200' },
    seed: { type: 'string', default: '0' },
    backend: { type: 'string', default: 'wasm' },
  },
});
if (!v.from) throw new Error('--from DIR is required (a run folder or its gan/)');
await useBackend(v.backend as 'wasm');
const gan = await loadGan(v.from.endsWith('gan') ? v.from : join(v.from, 'gan'));
const judge = MnistJudge.load();
const n = Number(v.n);
const hits: number[] = [];
for (let label = 0; label < 10; label++) {
  const images = gan.sample(n, { seed: Number(v.seed) + label, labels: new Array(n).fill(label) });
  const { probabilities } = await judge.run(images);
  const p = probabilities.data;
  let hit = 0;
  for (let i = 0; i < n; i++) {
    const row = Array.from(p.subarray(10 * i, 10 * i + 10));
    if (row.indexOf(Math.max(...row)) === label) hit++;
  }
  hits.push(hit / n);
  images.dispose();
}
console.log(`label accuracy per digit 0..9: ${hits.map((h) => h.toFixed(2)).join(' ')}`);
console.log(`overall: ${(hits.reduce((a, b) => a + b, 0) / 10).toFixed(3)} (${n} samples per digit)`);
judge.dispose();
gan.dispose();
