/**
 * Parity with the cpu backend, the numerics reference: the same seed, the same tiny network and the
 * same few steps give the same losses, weights (BatchNorm statistics included) and samples on this
 * instance's backend. A control run proves the tolerance has teeth: an Adam whose epsilon is 1e-4
 * (what tfjs picks on WebGL when nobody passes one) must NOT pass it.
 */
import * as tf from '@tensorflow/tfjs-core';
import { Trainer } from 'ts-gan';
import { expect, inject, test } from 'vitest';
import { maxAbsDiff } from '../test-shared/compare';
import { tinyData } from '../test-shared/fixtures';
import { selectBackend } from './support/backend';
import { parityGan } from './support/networks';

const STEPS = 5;
/**
 * Measured differences with cpu after 5 steps: losses and samples below 3e-7, weights below 1e-7 on
 * every backend (weights move by about 1e-3 in those steps); the epsilon control moves weights by
 * 3e-5. Losses and samples pass through more reductions, so they get a little more room.
 */
const WEIGHT_TOLERANCE = 5e-6;
const OUTPUT_TOLERANCE = 2e-5;

interface Run {
  dLoss: number[];
  gLoss: number[];
  /** Every weight in model order (names differ between runs: tfjs-layers numbers its layers globally). */
  weights: { name: string; values: Float32Array }[];
  samples: Float32Array;
}

/** Trains on the current backend and reads everything back. `adamEpsilon` replaces the library's Adam. */
async function run(adamEpsilon?: number): Promise<Run> {
  const gan = parityGan(11);
  const optimizers =
    adamEpsilon === undefined
      ? {}
      : {
          generatorOptimizer: tf.train.adam(2e-4, 0.5, 0.999, adamEpsilon),
          discriminatorOptimizer: tf.train.adam(2e-4, 0.5, 0.999, adamEpsilon),
        };
  const trainer = new Trainer(gan, { batchSize: 8, seed: 5, ...optimizers });
  const data = tinyData();
  const history = await trainer.fit(data, { steps: STEPS });
  const sample = gan.sample(4, { seed: 1 });
  const weights: Run['weights'] = [];
  // Read asynchronously: a synchronous read from WebGPU fails on SwiftShader (mapAsync loses its instance).
  for (const w of [...gan.generator.weights, ...gan.discriminator.weights]) {
    weights.push({ name: w.name, values: (await w.read().data()) as Float32Array });
  }
  const result: Run = {
    dLoss: history.values.dLoss ?? [],
    gLoss: history.values.gLoss ?? [],
    weights,
    samples: (await sample.data()) as Float32Array,
  };
  tf.dispose([sample, data]);
  trainer.dispose();
  gan.dispose();
  return result;
}

/** The largest difference of each kind between two runs. */
function compare(actual: Run, reference: Run): { losses: number; weights: number; samples: number; worst: string } {
  let weights = actual.weights.length === reference.weights.length ? 0 : Number.POSITIVE_INFINITY;
  let worst = '';
  reference.weights.forEach((ref, i) => {
    const diff = maxAbsDiff(actual.weights[i]?.values ?? [], ref.values);
    if (diff >= weights) [weights, worst] = [diff, ref.name];
  });
  const losses = Math.max(maxAbsDiff(actual.dLoss, reference.dLoss), maxAbsDiff(actual.gLoss, reference.gLoss));
  return { losses, weights, samples: maxAbsDiff(actual.samples, reference.samples), worst };
}

/** Runs on cpu, then returns to the backend under test, failing if tfjs lands anywhere else. */
async function onCpu<T>(f: () => Promise<T>): Promise<T> {
  const backend = inject('backend');
  expect(await selectBackend('cpu')).toEqual({ active: 'cpu' });
  try {
    return await f();
  } finally {
    expect(await selectBackend(backend)).toEqual({ active: backend });
  }
}

test(`${STEPS} training steps agree with the cpu backend, and an Adam epsilon of 1e-4 does not`, async () => {
  const backend = inject('backend');
  const reference = await onCpu(() => run());
  expect(reference.dLoss).toHaveLength(STEPS);
  // Training moved the weights: parity of untouched weights would prove nothing.
  expect(reference.dLoss[0]).not.toBe(reference.dLoss[STEPS - 1]);

  const same = compare(await run(), reference);
  const control = compare(await run(1e-4), reference);
  console.log(`parity ${backend} vs cpu: ${JSON.stringify(same)}; epsilon-1e-4 control: ${JSON.stringify(control)}`);

  expect(same.losses, 'D/G losses differ from cpu').toBeLessThanOrEqual(OUTPUT_TOLERANCE);
  expect(same.weights, `weight ${same.worst} differs from cpu`).toBeLessThanOrEqual(WEIGHT_TOLERANCE);
  expect(same.samples, 'samples differ from cpu').toBeLessThanOrEqual(OUTPUT_TOLERANCE);
  expect(control.weights, 'the tolerance cannot tell epsilon 1e-4 from 1e-7').toBeGreaterThan(WEIGHT_TOLERANCE);
});
