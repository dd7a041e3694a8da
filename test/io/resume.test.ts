/**
 * The exact-resume guarantee: N steps, save, load in a NEW Node process, N more steps gives the
 * same weights as 2N steps in one go: bit for bit on cpu, within float tolerance on wasm.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { Trainer } from 'ts-gan';
import 'ts-gan/node';
import { afterAll, describe, expect, test } from 'vitest';
import {
  buildScenario,
  fingerprint,
  maxAbsDifference,
  SCENARIOS,
  scenarioData,
  type TrainerFingerprint,
} from '../support/io-scenarios';
import { runChild } from '../support/io-spawn';

const N = 3;
const dir = mkdtempSync(path.join(tmpdir(), 'ts-gan-resume-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Trains `steps` in this process; saves afterwards when `saveTo` is given. */
async function train(
  scenario: (typeof SCENARIOS)[number],
  steps: number,
  saveTo?: string,
): Promise<TrainerFingerprint> {
  const trainer = buildScenario(scenario);
  const { data, dispose } = scenarioData(scenario);
  try {
    await trainer.fit(data, { steps });
    if (saveTo) await trainer.save(saveTo);
    return fingerprint(trainer);
  } finally {
    dispose();
    trainer.dispose();
    trainer.gan.dispose();
  }
}

describe('exact resume across processes', () => {
  test('cpu: 2N steps in one go equal N, save, load in a new process, N more (Adam, RMSProp/momentum, Adamax/Adadelta, ACGAN; BatchNorm, dropout, EMA)', async () => {
    const reference: Record<string, TrainerFingerprint> = {};
    for (const scenario of SCENARIOS) {
      reference[scenario] = await train(scenario, 2 * N);
      const half = await train(scenario, N, path.join(dir, scenario));
      expect(half.step).toBe(N);
    }
    const { backend, results } = await runChild(
      'cpu',
      SCENARIOS.map((scenario) => ({ mode: 'resume', scenario, dir: path.join(dir, scenario), steps: N })),
    );
    expect(backend).toBe('cpu');
    SCENARIOS.forEach((scenario, i) => {
      const resumed = results[i] as TrainerFingerprint;
      const ref = reference[scenario] as TrainerFingerprint;
      expect(resumed.step, scenario).toBe(2 * N);
      // Bit-identical: the strings are base64 of the float32 bytes.
      expect(resumed, scenario).toEqual(ref);
    });
    // The trajectories really moved (a checkpoint that restored nothing would not match, but make sure).
    const start = await train('adam', 1);
    expect(maxAbsDifference(start, reference.adam as TrainerFingerprint)).toBeGreaterThan(1e-4);
  });

  test('wasm: N steps saved in one process, N more in another, match 2N in one go; a cpu checkpoint resumes on wasm', async () => {
    const wasmDir = path.join(dir, 'wasm-adam');
    const cpuDir = path.join(dir, 'cpu-to-wasm');
    const cpuReference = await train('adam', 2 * N);
    await train('adam', N, cpuDir);
    const first = await runChild('wasm', [
      { mode: 'train', scenario: 'adam', steps: 2 * N },
      { mode: 'train', scenario: 'adam', steps: N, dir: wasmDir },
      { mode: 'train', scenario: 'rmsprop-momentum', steps: 2 * N },
      { mode: 'train', scenario: 'rmsprop-momentum', steps: N, dir: `${wasmDir}-rms` },
    ]);
    expect(first.backend).toBe('wasm');
    const second = await runChild('wasm', [
      { mode: 'resume', scenario: 'adam', dir: wasmDir, steps: N },
      { mode: 'resume', scenario: 'rmsprop-momentum', dir: `${wasmDir}-rms`, steps: N },
      { mode: 'resume', scenario: 'adam', dir: cpuDir, steps: N },
    ]);
    expect(second.backend).toBe('wasm');
    for (const [i, j] of [
      [0, 0],
      [2, 1],
    ] as const) {
      const ref = first.results[i] as TrainerFingerprint;
      const resumed = second.results[j] as TrainerFingerprint;
      expect(resumed.step).toBe(2 * N);
      expect(resumed.randomState).toEqual(ref.randomState);
      // float32 tolerance; in practice the wasm runs are bit-identical too.
      expect(maxAbsDifference(ref, resumed)).toBeLessThan(1e-6);
    }
    // Saved on cpu, resumed on wasm: the same trajectory up to the backends' float differences.
    const crossed = second.results[2] as TrainerFingerprint;
    expect(crossed.step).toBe(2 * N);
    expect(crossed.randomState).toEqual(cpuReference.randomState);
    expect(maxAbsDifference(cpuReference, crossed)).toBeLessThan(1e-4);
  });

  test('save and load leak no tensors (after a warm-up round)', async () => {
    // adamax-adadelta: tfjs's MomentumOptimizer.dispose itself leaks one scalar, so not rmsprop-momentum.
    const round = async (name: string) => {
      await train('adamax-adadelta', 1, path.join(dir, name));
      const loaded = await Trainer.load(path.join(dir, name));
      loaded.dispose();
      loaded.gan.dispose();
    };
    await round('leak-warmup');
    const before = tf.memory().numTensors;
    await round('leak');
    expect(tf.memory().numTensors).toBe(before);
  });
});
