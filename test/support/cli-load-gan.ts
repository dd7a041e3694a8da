/**
 * Loads a saved GAN in a fresh process and samples from it, as a user's script would:
 * `tsx test/support/cli-load-gan.ts DIR` prints `{ shape, latentDim, maxAbs }` as JSON.
 * Used by test/cli/main.test.ts to prove that gan/ is readable outside the process that wrote it.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { GAN } from 'ts-gan';
import 'ts-gan/node';

const dir = process.argv[2];
if (!dir) throw new Error('usage: cli-load-gan.ts DIR');
await tf.setBackend('cpu');
const gan = await GAN.load(dir);
const x = gan.sample(3);
const values = Array.from(x.dataSync());
process.stdout.write(
  `${JSON.stringify({ shape: x.shape, latentDim: gan.latentDim, maxAbs: Math.max(...values.map(Math.abs)) })}\n`,
);
x.dispose();
gan.dispose();
