/**
 * The wasm `Conv2DBackpropFilter` kernel alone on the DCGAN's shapes at batch 64, with the default
 * fixes, with `wasm-simd-conv2d-backprop-filter-skip-padding` on and off in alternation after a
 * warm-up; CPU time (the process's, user + system) per call, medians and the ratio off / on
 * (above 1: the fix is faster).
 *
 *   npx tsx bench/conv-filter-gradient.ts [--rounds 15] [--calls 5] [--batch 64]
 */
import * as tf from '@tensorflow/tfjs-core';
import { getFix, useBackend } from '../src/backends/index.js';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const ROUNDS = arg('--rounds', 15);
const CALLS = arg('--calls', 5);
const BATCH = arg('--batch', 64);
const FIX = 'wasm-simd-conv2d-backprop-filter-skip-padding';

/** [x, dy, filter] of the DCGAN's filter gradients: its 64 -> 128 layer, its grayscale layer, the generator's last layer. */
const SHAPES: [number[], number[], number[]][] = [
  [
    [BATCH, 14, 14, 64],
    [BATCH, 7, 7, 128],
    [4, 4, 64, 128],
  ],
  [
    [BATCH, 28, 28, 1],
    [BATCH, 14, 14, 64],
    [4, 4, 1, 64],
  ],
  [
    [BATCH, 28, 28, 64],
    [BATCH, 14, 14, 1],
    [4, 4, 64, 1],
  ],
];

await useBackend('wasm');
const fix = getFix(FIX);
if (!fix) throw new Error(`no fix ${FIX}`);
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const median = (a: number[]) => [...a].sort((x, y) => x - y)[a.length >> 1] as number;

console.log(`${process.version}, batch ${BATCH}, ${ROUNDS} rounds of ${CALLS} calls, medians (CPU ms per call)`);
for (const [xs, dys, fs] of SHAPES) {
  const x = tf.randomUniform(xs, -1, 1, 'float32', 1);
  const dy = tf.randomUniform(dys, -1, 1, 'float32', 2);
  const attrs = { strides: 2, pad: 'same', dataFormat: 'NHWC', filterShape: fs };
  const sample = (on: boolean) => {
    if (on) fix.apply();
    else fix.remove();
    const t0 = cpuMs();
    for (let i = 0; i < CALLS; i++)
      (tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, attrs) as tf.Tensor).dispose();
    return (cpuMs() - t0) / CALLS;
  };
  sample(false);
  sample(true);
  const off: number[] = [];
  const on: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    off.push(sample(false));
    on.push(sample(true));
  }
  fix.apply();
  tf.dispose([x, dy]);
  const a = median(off);
  const b = median(on);
  console.log(
    `x [${xs}] dy [${dys}]`.padEnd(40) + `off ${a.toFixed(2)}  on ${b.toFixed(2)}  off/on x${(a / b).toFixed(3)}`,
  );
}
