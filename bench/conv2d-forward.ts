/**
 * The forward convolution of `wasm-simd-conv2d` alone on the DCGAN's 14x14x64 -> 7x7x128 layer
 * (FusedConv2D with a bias, 4x4 stride 2 'same'), timed alternately in one process in CPU time:
 * with `wasm-simd-conv2d-skip-padding` (every padding tap left out), without it in slices of
 * taps (256 floats), and without it in whole-K products. Medians, ms per call.
 *
 *   npx -y -p node@24 node --import tsx bench/conv2d-forward.ts [--batch 64] [--rounds 15]
 */
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { setConv2dSkipPadding, setSimdConv2dBlocking } from '../src/backends/fixes/wasm-simd-conv2d.js';
import { useBackend } from '../src/backends/index.js';

const { values } = parseArgs({
  options: { batch: { type: 'string', default: '64' }, rounds: { type: 'string', default: '15' } },
});
const N = Number(values.batch);
const ROUNDS = Number(values.rounds);
const CALLS = 5;

await useBackend('wasm');
const x = tf.randomUniform([N, 14, 14, 64], -1, 1, 'float32', 1) as tf.Tensor4D;
const w = tf.randomUniform([4, 4, 64, 128], -1, 1, 'float32', 2) as tf.Tensor4D;
const b = tf.randomUniform([128], -1, 1, 'float32', 3) as tf.Tensor1D;

const VARIANTS: Record<string, () => void> = {
  'skip-padding': () => {
    setConv2dSkipPadding(true);
    setSimdConv2dBlocking(256, 256);
  },
  ...Object.fromEntries(
    (process.env.CHUNKS ?? '')
      .split(',')
      .filter(Boolean)
      .map((r) => [
        `skip, ${r} rows`,
        () => {
          setConv2dSkipPadding(true);
          setSimdConv2dBlocking(Number(r), 256);
        },
      ]),
  ),
  'slices of 256': () => {
    setConv2dSkipPadding(false);
    setSimdConv2dBlocking(256, 256);
  },
  'whole K': () => {
    setConv2dSkipPadding(false);
    setSimdConv2dBlocking(256, 1 << 30);
  },
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
const samples = Object.fromEntries(names.map((n) => [n, [] as number[]]));
for (const n of names) time(n);
for (let r = 0; r < ROUNDS; r++) for (const n of names) samples[n]?.push(time(n));
const median = (a: number[]) => [...a].sort((p, q) => p - q)[a.length >> 1] as number;
console.log(`${process.version}, batch ${N}, ${ROUNDS} rounds of ${CALLS} calls, CPU ms per call (median)`);
const base = median(samples['slices of 256'] ?? []);
for (const n of names) {
  const m = median(samples[n] ?? []);
  console.log(`${n.padEnd(16)} ${m.toFixed(2)}  x${(base / m).toFixed(2)} vs slices`);
}
tf.dispose([x, w, b]);
