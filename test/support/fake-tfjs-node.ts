/**
 * A stand-in for `@tensorflow/tfjs-node` and `@tensorflow/tfjs-node-gpu`, which cannot be installed
 * where the tests run (they download libtensorflow). Like them, importing it registers a backend
 * named `tensorflow` and makes it the active one; here that backend is tfjs's cpu backend under the
 * other name, with every cpu kernel registered for it. test/library/docs-snippets.test.ts maps both package
 * names to this file (tsconfig `paths`) for the doc snippets marked `"standIn": "tfjs-node"`, so
 * their own code path (the import, `tf.setBackend('tensorflow')`, `useBackend('tensorflow')`) runs.
 */

import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';

const NAME = 'tensorflow';

if (tf.findBackendFactory(NAME) === null) {
  for (const kernel of tf.getKernelsForBackend('cpu')) tf.registerKernel({ ...kernel, backendName: NAME });
  // Priority 3, as tfjs-node registers it: above every other backend, so it becomes the default.
  tf.registerBackend(NAME, () => new MathBackendCPU(), 3);
}
(globalThis as { __fakeTfjsNode?: boolean }).__fakeTfjsNode = true;
