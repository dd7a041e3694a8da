/**
 * The library's SIMD GEMM on one thread against the threaded GEMM (`wasm-threaded-gemm`, Node
 * only), on the product shapes of `bench/gemm-shapes.ts` (the seed MLP GAN's forward and gradient
 * products at batch 32 and 256, the DCGAN's, and small ones near the threshold), timed alternately
 * in one process; medians, the ratio one / threaded (above 1: threads are faster), and a check that
 * both give the same bits. Both run on the same shared memory, so the figure is the split alone,
 * without copies. Used to choose `MIN_THREADED_WORK`.
 *
 *   npx tsx bench/gemm-threads.ts [--rounds 9] [--threads 2]
 */
import { availableParallelism } from 'node:os';
import { GemmPool } from '../src/backends/fixes/gemm-pool.js';
import { hasRelaxedSimd, setRelaxedSimd } from '../src/backends/fixes/wasm-simd-gemm.js';
import { GEMM_SHAPES as SHAPES } from './gemm-shapes.js';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const ROUNDS = arg('--rounds', 9);
const THREADS = arg('--threads', availableParallelism());

setRelaxedSimd(hasRelaxedSimd());
const pool = await GemmPool.start(THREADS);
pool.minWork = 0; // split everything: the point is to see where splitting pays
const g = pool.memory;
const median = (a: number[]) => [...a].sort((x, y) => x - y)[a.length >> 1] as number;
const { loadavg } = await import('node:os');
console.log(
  `${process.version}, ${pool.threads} threads, gemm ${hasRelaxedSimd() ? 'relaxed-simd' : 'simd'}, ${ROUNDS} rounds, medians (ms per product), load ${loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')}`,
);
for (const [m, k, n] of SHAPES) {
  const mp = Math.ceil(m / 4) * 4;
  const np = Math.ceil(n / 8) * 8;
  const bAt = mp * k;
  const cAt = bAt + k * np;
  g.reserve((cAt + 2 * mp * np) * 4);
  const f = g.floats();
  for (let j = 0; j < cAt; j++) f[j] = Math.random() * 2 - 1;
  const reps = Math.max(1, Math.round(2e7 / (m * k * n)));
  const time = (threads: boolean, at: number) => {
    pool.minWork = threads ? 0 : Number.POSITIVE_INFINITY;
    const t0 = performance.now();
    for (let r = 0; r < reps; r++) g.gemm(0, bAt * 4, at * 4, mp, k, np);
    return (performance.now() - t0) / reps;
  };
  const one: number[] = [];
  const many: number[] = [];
  time(false, cAt);
  time(true, cAt + mp * np);
  for (let r = 0; r < ROUNDS; r++) {
    one.push(time(false, cAt));
    many.push(time(true, cAt + mp * np));
  }
  const same = f.subarray(cAt, cAt + mp * np).every((v, j) => Object.is(v, f[cAt + mp * np + j]));
  const p = median(one);
  const q = median(many);
  console.log(
    `[${m},${k}]·[${k},${n}]`.padEnd(22) +
      `work ${(mp * k * np).toExponential(1)}  one ${p.toFixed(3)}  threaded ${q.toFixed(3)}  one/threaded x${(p / q).toFixed(2)}  ${same ? 'same bits' : 'DIFFERENT'}`,
  );
}
await pool.dispose();
