/**
 * The library's SIMD GEMM (the variant the engine runs: relaxed SIMD where it has it) against
 * PyTorch's `torch.mm`, both on one thread, on the shapes of `bench/gemm-shapes.ts`: GFLOP/s of
 * each and the ratio. Rounds alternate between the two (one PyTorch process per round), and each
 * side reports the median of its rounds. This is the bound under the step-time ratios of
 * `npm run bench`: a step cannot run its products faster than this GEMM does. Needs Debian's
 * python3-torch.
 *
 *   npx -y -p node@24 node --import tsx bench/gemm-vs-torch.ts [--rounds 5]
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { GemmMemory, gemmVariant, setRelaxedSimd } from '../src/backends/fixes/wasm-simd-gemm.js';
import { GEMM_SHAPES, gemmTimer } from './gemm-shapes.js';

const i = process.argv.indexOf('--rounds');
const ROUNDS = i >= 0 ? Number(process.argv[i + 1]) : 5;
const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
const SCRIPT = fileURLToPath(new URL('./torch_gemm.py', import.meta.url));

setRelaxedSimd(true);
const built = GemmMemory.create();
if (!built) throw new Error('the SIMD GEMM could not be built');
const g: GemmMemory = built;
const median = (a: number[]) => [...a].sort((x, y) => x - y)[a.length >> 1] as number;

/** ms per product of the library's GEMM, the fastest of 3 samples of about 20 ms each. */
function ours(m: number, k: number, n: number): number {
  const sample = gemmTimer(g, m, k, n);
  sample();
  return Math.min(sample(), sample(), sample());
}

function torch(): { version: string; ms: number[] } {
  const run = spawnSync(PYTHON, [SCRIPT], {
    input: `${JSON.stringify({ shapes: GEMM_SHAPES, target_ms: 20 })}\n`,
    env: { ...process.env, OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1' },
    encoding: 'utf8',
  });
  const answer = JSON.parse(run.stdout.trim().split('\n').pop() ?? '{}') as {
    version?: string;
    ms?: number[];
    error?: string;
  };
  if (!answer.ms || !answer.version) throw new Error(`bench/torch_gemm.py: ${answer.error ?? run.stderr}`);
  return { version: answer.version, ms: answer.ms };
}

const mine: number[][] = GEMM_SHAPES.map(() => []);
const theirs: number[][] = GEMM_SHAPES.map(() => []);
let version = '';
for (let r = 0; r < ROUNDS; r++) {
  for (const [s, [m, k, n]] of GEMM_SHAPES.entries()) mine[s]?.push(ours(m, k, n));
  const t = torch();
  version = t.version;
  for (const [s, ms] of t.ms.entries()) theirs[s]?.push(ms);
}
console.log(
  `${process.version}, GEMM ${gemmVariant()}, PyTorch ${version}, one thread each, ${ROUNDS} rounds, medians`,
);
const gflops = (m: number, k: number, n: number, ms: number) => (2 * m * k * n) / ms / 1e6;
GEMM_SHAPES.forEach(([m, k, n], s) => {
  const a = median(mine[s] ?? []);
  const b = median(theirs[s] ?? []);
  console.log(
    `[${m},${k}]·[${k},${n}]`.padEnd(22) +
      `ts-gan ${gflops(m, k, n, a).toFixed(1).padStart(6)} GFLOP/s   PyTorch ${gflops(m, k, n, b).toFixed(1).padStart(6)} GFLOP/s   ts-gan/PyTorch time x${(a / b).toFixed(2)}`,
  );
});
setRelaxedSimd(false);
