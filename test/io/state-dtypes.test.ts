/**
 * A trainer checkpoint whose optimizer or moving-average tensors have the wrong dtype or rank is
 * refused with a CheckpointError naming the tensor, before anything is assigned, and leaks nothing
 * (tfjs's own assign error is not a GanError).
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { CheckpointError, Trainer } from 'ts-gan';
import 'ts-gan/node';
import { afterAll, describe, expect, test } from 'vitest';

const FIXTURE = fileURLToPath(new URL('../fixtures/old-checkpoint/trainer', import.meta.url));
const dir = mkdtempSync(path.join(tmpdir(), 'ts-gan-dtypes-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface WeightSpec {
  name: string;
  shape: number[];
  dtype: string;
}

/** A copy of the fixture checkpoint with one weight spec changed. */
function damaged(name: string, change: Partial<WeightSpec>): string {
  const target = path.join(dir, `${name.replace(/\//g, '_')}-${Object.keys(change).join('')}`);
  cpSync(FIXTURE, target, { recursive: true });
  const file = path.join(target, 'checkpoint.json');
  const json = JSON.parse(readFileSync(file, 'utf8'));
  const specs: WeightSpec[] = json.weightsManifest.flatMap((g: { weights: WeightSpec[] }) => g.weights);
  const spec = specs.find((s) => s.name === name);
  if (!spec) throw new Error(`no weight ${name}`);
  Object.assign(spec, change);
  writeFileSync(file, JSON.stringify(json));
  return `file://${target}`;
}

describe('optimizer and moving-average tensors are checked before they are assigned', () => {
  const cases: [string, Partial<WeightSpec>, RegExp][] = [
    ['discriminatorOptimizer/accBeta1', { shape: [1] }, /accBeta1.*float32 scalar/],
    ['generatorOptimizer/accBeta2', { dtype: 'int32' }, /accBeta2.*float32 scalar/],
    ['generatorOptimizer/m/0', { dtype: 'int32' }, /slot m\/0 is int32/],
    ['ema/0', { dtype: 'int32' }, /moving average's tensor 0/],
  ];
  for (const [name, change, message] of cases) {
    test(`${name} with ${JSON.stringify(change)}`, async () => {
      const url = damaged(name, change);
      const tensors = tf.memory().numTensors;
      const error = await Trainer.load(url).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(CheckpointError);
      expect((error as Error).message).toMatch(message);
      expect(tf.memory().numTensors).toBe(tensors);
    });
  }
});
