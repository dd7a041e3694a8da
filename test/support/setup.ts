import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll } from 'vitest';

// Node tests run on the cpu backend: the numerics reference. Wasm has its own tests.
beforeAll(async () => {
  tf.env().set('IS_TEST', true);
  await tf.setBackend('cpu');
  await tf.ready();
});
