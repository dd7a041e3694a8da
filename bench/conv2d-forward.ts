/**
 * The forward convolution of `wasm-simd-conv2d` alone on the DCGAN's 14x14x64 -> 7x7x128 layer
 * (FusedConv2D with a bias, 4x4 stride 2 'same'), timed alternately in one process in CPU time:
 * with `wasm-simd-conv2d-skip-padding` (every padding tap left out), and without it as by default
 * (one whole-K product per chunk with the relaxed-SIMD GEMM, slices of 256 floats of K added up
 * with the plain one), as one whole-K product, and in slices.
 * `--chunks 128,512` adds the skip-padding path at other chunk sizes (output pixels). Medians, ms
 * per call, and the ratio to the path without the fix (above 1: faster).
 *
 *   npx -y -p node@24 node --import tsx bench/conv2d-forward.ts [--batch 64] [--rounds 15] [--chunks N,N]
 */
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { setConv2dSkipPadding, setSimdConv2dBlocking } from '../src/backends/fixes/wasm-simd-conv2d.js';
import { useBackend } from '../src/backends/index.js';

const { values } = parseArgs({
  options: {
    batch: { type: 'string', default: '64' },
    rounds: { type: 'string', default: '15' },
    chunks: { type: 'string', default: '' },
  },
});
const N = Number(values.batch);
const ROUNDS = Number(values.rounds);
const CALLS = 5;

await useBackend('wasm');
const DEFAULTS = { rows: 256, slice: null };
const x = tf.randomUniform([N, 14, 14, 64], -1, 1, 'float32', 1) as tf.Tensor4D;
const w = tf.randomUniform([4, 4, 64, 128], -1, 1, 'float32', 2) as tf.Tensor4D;
const b = tf.randomUniform([128], -1, 1, 'float32', 3) as tf.Tensor1D;

const variant = (skip: boolean, rows: number, slice: number | null) => () => {
  setConv2dSkipPadding(skip);
  setSimdConv2dBlocking(rows, slice);
};
const BASE = 'without';
const VARIANTS: Record<string, () => void> = {
  'skip-padding': variant(true, DEFAULTS.rows, DEFAULTS.slice),
  ...Object.fromEntries(
    values.chunks
      .split(',')
      .filter(Boolean)
      .map((r) => [`skip-padding, ${r} px`, variant(true, Number(r), DEFAULTS.slice)]),
  ),
  [BASE]: variant(false, DEFAULTS.rows, DEFAULTS.slice),
  'without, whole K': variant(false, DEFAULTS.rows, Number.POSITIVE_INFINITY),
  'without, slices 256': variant(false, DEFAULTS.rows, 256),
};

function time(name: string): number {
  VARIANTS[name]?.();
  const u = process.cpuUsage();
  for (let i = 0; i < CALLS; i++) {
    const y = tf.fused.conv2d({ x, filter: w, strides: 2, pad: 'same', bias: b });
    y.dataSync();
    y.dispose();
  }
  const d = process.cpuUsage(u);
  return (d.user + d.system) / 1000 / CALLS;
}

const names = Object.keys(VARIANTS);
const samples = new Map(names.map((n) => [n, [] as number[]]));
for (const n of names) time(n);
for (let r = 0; r < ROUNDS; r++) for (const n of names) samples.get(n)?.push(time(n));
const median = (a: number[]) => [...a].sort((p, q) => p - q)[a.length >> 1] as number;
console.log(`${process.version}, batch ${N}, ${ROUNDS} rounds of ${CALLS} calls, CPU ms per call (median)`);
const base = median(samples.get(BASE) ?? []);
for (const n of names) {
  const m = median(samples.get(n) ?? []);
  console.log(`${n.padEnd(24)} ${m.toFixed(2)}  x${(base / m).toFixed(2)}`);
}
setConv2dSkipPadding(true);
setSimdConv2dBlocking(DEFAULTS.rows, DEFAULTS.slice);
tf.dispose([x, w, b]);
