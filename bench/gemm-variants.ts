/**
 * The library's SIMD GEMM alone, plain (`wat/gemm.wat`) against relaxed SIMD (`wat/gemm-relaxed.wat`,
 * fused multiply-add), on product shapes of the MLP GAN and the DCGAN, timed alternately in one
 * process; medians and the ratio plain / relaxed (above 1: the relaxed variant is faster). Needs an
 * engine with relaxed SIMD (Node 22 or later).
 *
 *   npx tsx bench/gemm-variants.ts [--rounds 9]
 */
import { GemmMemory, hasRelaxedSimd, setRelaxedSimd } from '../src/backends/fixes/wasm-simd-gemm.js';
import { gemmTimer, GEMM_SHAPES as SHAPES } from './gemm-shapes.js';

const i = process.argv.indexOf('--rounds');
const ROUNDS = i >= 0 ? Number(process.argv[i + 1]) : 9;

if (!hasRelaxedSimd()) {
  console.log(`${process.version}: no WebAssembly relaxed SIMD here; only the plain GEMM runs.`);
  process.exit(0);
}
const g = GemmMemory.create();
if (!g) throw new Error('the SIMD GEMM could not be built');
const median = (a: number[]) => [...a].sort((x, y) => x - y)[a.length >> 1] as number;
console.log(`${process.version}, ${ROUNDS} rounds, medians (ms per product)`);
for (const [m, k, n] of SHAPES) {
  const sample = gemmTimer(g, m, k, n);
  const time = (relaxed: boolean) => {
    setRelaxedSimd(relaxed);
    return sample();
  };
  time(false);
  time(true);
  const plain: number[] = [];
  const relaxed: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    plain.push(time(false));
    relaxed.push(time(true));
  }
  const p = median(plain);
  const q = median(relaxed);
  const gflops = (ms: number) => ((2 * m * k * n) / ms / 1e6).toFixed(1);
  console.log(
    `[${m},${k}]·[${k},${n}]`.padEnd(22) +
      `plain ${p.toFixed(3)} (${gflops(p)} GFLOP/s)  relaxed ${q.toFixed(3)} (${gflops(q)} GFLOP/s)  plain/relaxed x${(p / q).toFixed(2)}`,
  );
}
setRelaxedSimd(false);
