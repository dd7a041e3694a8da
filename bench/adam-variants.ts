/**
 * The SIMD Adam update alone (`wat/adam.wat`), against a relaxed-SIMD variant made from it here (its
 * three multiply-then-add steps, m', v' and x', as `f32x4.relaxed_madd`), on a plain WebAssembly
 * memory, timed alternately in one process; medians and the ratio relaxed / plain (below 1: the
 * relaxed variant is faster), and the largest relative difference of the outputs. The library ships
 * only the plain kernel: this is what decides whether a relaxed one is worth shipping. Needs an engine
 * with relaxed SIMD (Node 22 or later).
 *
 *   npx -y -p node@24 node --import tsx bench/adam-variants.ts [--rounds 15]
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { assembleWat, WAT_DIR } from '../scripts/build-wasm.js';
import { hasRelaxedSimd } from '../src/backends/fixes/wasm-simd-gemm.js';

const i = process.argv.indexOf('--rounds');
const ROUNDS = i >= 0 ? Number(process.argv[i + 1]) : 15;
/** Parameter counts: a Dense layer of the MLP GAN, and a whole network's worth. */
const SIZES = [100_000, 1_500_000];

type Adam = (...args: number[]) => void;

/** `adam.wat` with `(f32x4.add (f32x4.mul a b) c)` as `(f32x4.relaxed_madd a b c)` for m', v' and x'. */
function relaxedSource(plain: string): string {
  const relaxed = plain
    // m' and v': the multiply by beta1 or beta2 and the add around it.
    .replace(
      /\(f32x4\.add\n(\s+)\(f32x4\.mul (\(v128\.load align=4 \(i32\.add \(local\.get \$[mv]\) \(local\.get \$off\)\)\)) (\(local\.get \$b[12]\))\)/g,
      '(f32x4.relaxed_madd\n$1$2 $3',
    )
    // x': the multiply by -lr and the add of x.
    .replace(/\(f32x4\.add\n\s+\(f32x4\.mul\n/, '(f32x4.relaxed_madd\n')
    .replace('(local.get $nlr))', '(local.get $nlr)');
  if ((relaxed.match(/relaxed_madd/g) ?? []).length !== 3) throw new Error('adam.wat changed: update relaxedSource');
  return relaxed;
}

if (!hasRelaxedSimd()) {
  console.log(`${process.version}: no WebAssembly relaxed SIMD here.`);
  process.exit(0);
}
const plainSource = readFileSync(join(WAT_DIR, 'adam.wat'), 'utf8');
const median = (a: number[]) => [...a].sort((p, q) => p - q)[a.length >> 1] as number;
console.log(`${process.version}, ${ROUNDS} rounds, medians (ms per update)`);
for (const n of SIZES) {
  const memory = new WebAssembly.Memory({ initial: Math.ceil((7 * n * 4) / 65536) + 1 });
  const build = async (source: string, file: string) =>
    new WebAssembly.Instance(new WebAssembly.Module((await assembleWat(source, file)) as BufferSource), {
      env: { memory },
    }).exports.adam as Adam;
  const plain = await build(plainSource, 'adam.wat');
  const relaxed = await build(relaxedSource(plainSource), 'adam-relaxed.wat');
  const f = new Float32Array(memory.buffer);
  // x, m, g in [-1, 1); v in [0, 1).
  for (let j = 0; j < 4 * n; j++) f[j] = j >= 2 * n && j < 3 * n ? Math.random() : Math.random() * 2 - 1;
  const args = [0, 1, 2, 3, 4, 5, 6].map((k) => k * n * 4);
  const constants = [0.9, 0.1, 0.999, 0.001, 0.5, 0.01, 1e-7, -0.001].map(Math.fround);
  const reps = Math.max(1, Math.round(2e7 / n));
  const time = (fn: Adam) => {
    const t = performance.now();
    for (let r = 0; r < reps; r++) fn(...args, n * 4, ...constants);
    return (performance.now() - t) / reps;
  };
  for (let w = 0; w < 3; w++) [time(plain), time(relaxed)];
  const p: number[] = [];
  const r: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    p.push(time(plain));
    r.push(time(relaxed));
  }
  plain(...args, n * 4, ...constants);
  const out = f.slice(4 * n, 7 * n);
  relaxed(...args, n * 4, ...constants);
  let maxRel = 0;
  for (let j = 0; j < out.length; j++) {
    const a = out[j] as number;
    maxRel = Math.max(maxRel, Math.abs(a - (f[4 * n + j] as number)) / Math.max(Math.abs(a), 1e-30));
  }
  console.log(
    `n=${n}: plain ${median(p).toFixed(3)} ms, relaxed ${median(r).toFixed(3)} ms, relaxed/plain ${(median(r) / median(p)).toFixed(2)}, largest relative output difference ${maxRel.toExponential(1)}`,
  );
}
