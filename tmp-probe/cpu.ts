import * as tf from '@tensorflow/tfjs-core';
import { GAN, presets, Trainer } from '../src/index.js';
import { useBackend } from '../src/backends/index.js';
const cond = process.argv[2] === 'cond';
await useBackend(process.argv[3] as 'cpu' ?? 'cpu');
const fast = presets.fast(cond ? {} : { numClasses: 0 });
const gan = new GAN({ ...fast.gan, dataShape: [28, 28, 1], seed: 1 });
const trainer = new Trainer(gan, fast.trainer);
const x = tf.randomUniform([256, 28, 28, 1], -1, 1);
const labels = new Int32Array(256).map((_, i) => i % 10);
for (let s = 1; s <= 4; s++) {
  const t0 = performance.now();
  await trainer.fit(cond ? { x, labels } : x, { steps: 1 });
  console.log(`step ${s}: ${(performance.now() - t0).toFixed(0)} ms`);
}
