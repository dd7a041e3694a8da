/**
 * Puts every browser test file on the backend its vitest instance was given (`provide: { backend }`),
 * and fails every test when tfjs ends up on another one: tfjs quietly falls back (webgpu to webgl
 * when there is no adapter), and a fallback must never pass as the backend asked for. The check runs
 * before each test (not once in beforeAll) so that each test is counted as failed, not skipped.
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, beforeEach, expect, inject } from 'vitest';
import { selectBackend } from './backend';

let setupError: string | undefined;

beforeAll(async () => {
  setupError = (await selectBackend(inject('backend'))).error;
});

beforeEach(() => {
  const requested = inject('backend');
  const active = tf.getBackend();
  expect(active, `asked for the ${requested} backend, tfjs is on ${active} (${setupError ?? 'no error'})`).toBe(
    requested,
  );
});
