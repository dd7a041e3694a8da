/**
 * The cpu backend's matrix products, tfjs-backend-cpu's kernel against the `cpu-simd-matmul` fix,
 * on the seed MLP GAN's product shapes (forward, and the two backward products of every Dense
 * layer), timed alternately in one run; medians and ratios.
 *
 *   npx tsx bench/cpu-matmul.ts [--rounds 7] [--batches 32,256]
 */
import * as tf from '@tensorflow/tfjs-core';
import { getFix, useBackend } from '../src/backends/index.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}

const ROUNDS = Number(arg('rounds', '7'));
const BATCHES = arg('batches', '32,256').split(',').map(Number);
/** Dense layers (inputs, units) of the seed GAN: generator 100-256-512-1024-784, discriminator 784-512-256-1. */
const LAYERS: [string, number, number][] = [
  ['G1', 100, 256],
  ['G2', 256, 512],
  ['G3', 512, 1024],
  ['G4', 1024, 784],
  ['D1', 784, 512],
  ['D2', 512, 256],
  ['D3', 256, 1],
];

interface Case {
  name: string;
  a: tf.Tensor;
  b: tf.Tensor;
  bias?: tf.Tensor;
  transposeA: boolean;
  transposeB: boolean;
  flops: number;
}

function cases(batch: number): Case[] {
  const out: Case[] = [];
  const r = (shape: number[], seed: number) => tf.randomUniform(shape, -1, 1, 'float32', seed);
  for (const [name, n, units] of LAYERS) {
    const flops = 2 * batch * n * units;
    // Forward, as tfjs-layers runs Dense: fused product with the bias.
    out.push({
      name: `${name} fwd  [${batch},${n}]x[${n},${units}]+bias`,
      a: r([batch, n], 1),
      b: r([n, units], 2),
      bias: r([units], 3),
      transposeA: false,
      transposeB: false,
      flops,
    });
    // Input gradient: dY [B,units] x W^T.
    out.push({
      name: `${name} dX   [${batch},${units}]x[${n},${units}]^T`,
      a: r([batch, units], 4),
      b: r([n, units], 5),
      transposeA: false,
      transposeB: true,
      flops,
    });
    // Weight gradient: X^T x dY.
    out.push({
      name: `${name} dW   [${batch},${n}]^Tx[${batch},${units}]`,
      a: r([batch, n], 6),
      b: r([batch, units], 7),
      transposeA: true,
      transposeB: false,
      flops,
    });
  }
  return out;
}

function run(c: Case): void {
  tf.tidy(() => {
    const y = c.bias
      ? tf.fused.matMul({ a: c.a, b: c.b, bias: c.bias, transposeA: c.transposeA, transposeB: c.transposeB })
      : tf.matMul(c.a, c.b, c.transposeA, c.transposeB);
    y.dataSync();
  });
}

/** ms per call, averaged over `reps` calls. */
function time(c: Case, reps: number): number {
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) run(c);
  return (performance.now() - t0) / reps;
}

function median(xs: number[]): number {
  const s = [...xs].sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

await useBackend('cpu', { fixes: false });
const fix = getFix('cpu-simd-matmul');
if (!fix) throw new Error('cpu-simd-matmul is not registered');
fix.apply();
if (!fix.isApplied()) {
  console.log('cpu-simd-matmul did not apply here (no WebAssembly SIMD): nothing to compare.');
  process.exit(0);
}
console.log(`cpu matmul: tfjs-backend-cpu vs cpu-simd-matmul, ${ROUNDS} rounds alternating, medians`);
console.log(
  `load average at start: ${(await import('node:os'))
    .loadavg()
    .map((x) => x.toFixed(1))
    .join(' ')}`,
);
for (const batch of BATCHES) {
  const list = cases(batch);
  // Warm-up (JIT, the GEMM memory's growth) and a repetition count per side aiming at ~30 ms.
  const reps = list.map((c) => {
    fix.remove();
    const tOrig = time(c, 1);
    fix.apply();
    const tFix = time(c, 2);
    return {
      orig: Math.max(1, Math.min(20, Math.round(30 / tOrig))),
      fix: Math.max(1, Math.min(200, Math.round(30 / tFix))),
    };
  });
  const samples = list.map(() => ({ orig: [] as number[], fix: [] as number[] }));
  for (let round = 0; round < ROUNDS; round++) {
    list.forEach((c, i) => {
      const s = samples[i] as { orig: number[]; fix: number[] };
      const n = reps[i] as { orig: number; fix: number };
      fix.remove();
      s.orig.push(time(c, n.orig));
      fix.apply();
      s.fix.push(time(c, n.fix));
    });
  }
  console.log(`\nbatch ${batch}`);
  console.log(
    `${'product'.padEnd(40)} ${'tfjs ms'.padStart(9)} ${'fix ms'.padStart(8)} ${'ratio'.padStart(7)} ${'fix GFLOP/s'.padStart(12)}`,
  );
  let sumOrig = 0;
  let sumFix = 0;
  list.forEach((c, i) => {
    const s = samples[i] as { orig: number[]; fix: number[] };
    const o = median(s.orig);
    const f = median(s.fix);
    sumOrig += o;
    sumFix += f;
    console.log(
      `${c.name.padEnd(40)} ${o.toFixed(2).padStart(9)} ${f.toFixed(2).padStart(8)} ${(o / f).toFixed(1).padStart(6)}x ${(c.flops / f / 1e6).toFixed(2).padStart(12)}`,
    );
  });
  console.log(
    `${'all 21 products (one of each)'.padEnd(40)} ${sumOrig.toFixed(1).padStart(9)} ${sumFix.toFixed(1).padStart(8)} ${(sumOrig / sumFix).toFixed(1).padStart(6)}x`,
  );
  for (const c of list) tf.dispose([c.a, c.b, ...(c.bias ? [c.bias] : [])]);
}
fix.remove();
