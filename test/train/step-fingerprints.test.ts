import { readFileSync, writeFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, test } from 'vitest';
import { type Fingerprint, fingerprint, RUNS } from '../support/step-fingerprints';

const FIXTURE = new URL('../fixtures/step-fingerprints.json', import.meta.url);
/** `WRITE_STEP_FINGERPRINTS=1 npx vitest run test/train/step-fingerprints.test.ts` rewrites the fixture. */
const WRITE = process.env.WRITE_STEP_FINGERPRINTS === '1';

describe('a cpu run is bit-identical to the recorded one', () => {
  const recorded: Record<string, Fingerprint> = WRITE ? {} : JSON.parse(readFileSync(FIXTURE, 'utf8'));

  test('the fixture records every run', () => {
    if (!WRITE) expect(Object.keys(recorded).sort()).toEqual(Object.keys(RUNS).sort());
  });

  for (const name of Object.keys(RUNS)) {
    test(name, async () => {
      const before = tf.memory().numTensors;
      const got = await fingerprint(name);
      expect(tf.memory().numTensors).toBe(before);
      expect(got.weights.length).toBeGreaterThan(0);
      if (WRITE) recorded[name] = got;
      else expect(got).toEqual(recorded[name]);
    });
  }

  afterAll(() => {
    if (WRITE) writeFileSync(FIXTURE, `${JSON.stringify(recorded, null, 1)}\n`);
  });
});
