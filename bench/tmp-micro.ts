import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-layers';
import { useBackend } from '../src/backends/index.js';
await useBackend('wasm');
const med = (v: number[]) => [...v].sort((p, q) => p - q)[v.length >> 1]!.toFixed(2);
const x = tf.randomUniform([64, 14, 14, 64], -1, 1) as tf.Tensor4D;
const w = tf.randomUniform([4, 4, 64, 128], -1, 1) as tf.Tensor4D;
const bias = tf.randomUniform([128], -1, 1);
const big = tf.randomUniform([64, 7, 7, 128], -1, 1);
const t: Record<string, number[]> = {};
const time = (name: string, f: () => tf.Tensor) => {
  const s = performance.now();
  const y = f();
  y.dataSync();
  (t[name] ??= []).push(performance.now() - s);
  y.dispose();
};
for (let r = 0; r < 9; r++) for (const on of [false, true]) {
  await useBackend('wasm', { fixes: { 'wasm-simd-conv2d': on, 'wasm-simd-batch-reductions': on } as never });
  const w2 = tf.add(w, 0) as tf.Tensor4D;
  time(`fresh ${on}`, () => tf.fused.conv2d({ x, filter: w2, strides: 2, pad: 'same', bias }));
  time(`again ${on}`, () => tf.fused.conv2d({ x, filter: w2, strides: 2, pad: 'same', bias }));
  for (let i = 0; i < 5; i++) time(`sum ${on}`, () => tf.sum(big, [0, 1, 2]));
  w2.dispose();
}
for (const [k, v] of Object.entries(t)) console.log(k, med(v));
