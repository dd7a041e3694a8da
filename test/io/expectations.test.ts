/**
 * `Trainer.load`'s expectations of the run: the GAN's seed, the options a checkpoint keeps in JSON,
 * the optimizers' learning rates and Adam betas, a conditional GAN's architecture, and an
 * expectation computed from the saved options. A refusal names every difference, carries them as
 * `mismatches`, and leaves nothing allocated.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { CheckpointError, type NetworkContext, Trainer, type TrainerExpectations, type TrainerOptions } from 'ts-gan';
import 'ts-gan/node';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { JSON_KEPT_OPTION_KEYS, TRAINER_OPTIONS } from '../../src/train/trainer-options';
import { tinyGan } from '../../test-shared/fixtures';

const root = mkdtempSync(path.join(tmpdir(), 'ts-gan-expect-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Saves a fresh trainer (seed 1, batch size 4) with `options` into a new folder. */
async function saved(name: string, options: TrainerOptions = {}, gan = tinyGan()): Promise<string> {
  const dir = path.join(root, name);
  const trainer = new Trainer(gan, { batchSize: 4, ...options });
  await trainer.save(dir);
  trainer.dispose();
  gan.dispose();
  return dir;
}

/** Loads with `expect`, then disposes what was loaded. */
async function loads(dir: string, expectations: NonNullable<Parameters<typeof Trainer.load>[1]>['expect']) {
  const t = await Trainer.load(dir, { expect: expectations });
  const { gan } = t;
  t.dispose();
  gan.dispose();
}

/** Asserts that the load is refused with a CheckpointError, allocating nothing; returns the error. */
async function refused(dir: string, expectations: TrainerExpectations): Promise<CheckpointError> {
  const before = tf.memory().numTensors;
  const variables = Object.keys(tf.engine().registeredVariables).length;
  const err = await Trainer.load(dir, { expect: expectations }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(CheckpointError);
  expect(tf.memory().numTensors).toBe(before);
  expect(Object.keys(tf.engine().registeredVariables).length).toBe(variables);
  return err as CheckpointError;
}

let plain: string;
beforeAll(async () => {
  plain = await saved('plain');
  // Warm-up: the first load creates tfjs-layers' cached scalars.
  await loads(plain, undefined);
});

describe('Trainer.load expectations of the run', () => {
  test("seed: the GAN's seed is checked", async () => {
    await loads(plain, { seed: 1 });
    const err = await refused(plain, { seed: 2 });
    expect(err.mismatches).toEqual([{ field: 'seed', saved: 1, expected: 2 }]);
    expect(err.message).toMatch(/seed differs: the checkpoint has 1, expected 2\./);
  });

  test('every difference is named and carried, the first in its own words', async () => {
    const err = await refused(plain, { latentDim: 8, seed: 2, batchSize: 64 });
    expect(err.mismatches.map((m) => [m.field, m.saved, m.expected])).toEqual([
      ['latentDim', 4, 8],
      ['seed', 1, 2],
      ['batchSize', 4, 64],
    ]);
    expect(err.message).toMatch(
      /: latentDim differs: the checkpoint has 4, expected 8\. seed differs: .* batchSize differs/,
    );
  });

  test('the options kept in JSON: r1 as saved, keys in any order; absent when the run has none', async () => {
    const dir = await saved('r1', { r1: { gamma: 10 } });
    await loads(dir, { r1: { gamma: 10 } });
    const err = await refused(dir, { r1: { gamma: 5 } });
    expect(err.mismatches).toEqual([{ field: 'r1', saved: { gamma: 10 }, expected: { gamma: 5 } }]);
    const none = await refused(plain, { r1: { gamma: 10 } });
    expect(none.mismatches).toEqual([{ field: 'r1', saved: undefined, expected: { gamma: 10 } }]);
    expect(none.message).toMatch(/r1 differs: the checkpoint has none, expected \{"gamma":10\}/);
  });

  test('every option the table keeps in JSON is an expectation', async () => {
    const kept = Object.entries(TRAINER_OPTIONS)
      .filter(([, spec]) => spec.keep === 'json')
      .map(([key]) => key);
    expect([...JSON_KEPT_OPTION_KEYS].sort()).toEqual(kept.sort());
    expect(kept).toContain('r1');
    // frozenNetworkMode is saved as given, so a checkpoint without it has none.
    const expectations = Object.fromEntries(kept.map((k) => [k, { marker: k }])) as TrainerExpectations;
    const err = await refused(plain, expectations);
    expect(err.mismatches.map((m) => m.field).sort()).toEqual(kept.sort());
  });

  test('learning rates and Adam betas are compared with the saved optimizers', async () => {
    const dir = await saved('adam', {
      generatorLearningRate: 1e-3,
      discriminatorLearningRate: 3e-3,
      adamBetas: [0.4, 0.9],
    });
    await loads(dir, { generatorLearningRate: 1e-3, discriminatorLearningRate: 3e-3, adamBetas: [0.4, 0.9] });
    const err = await refused(dir, {
      generatorLearningRate: 2e-4,
      discriminatorLearningRate: 2e-4,
      adamBetas: [0.5, 0.999],
    });
    expect(err.mismatches).toEqual([
      { field: 'generatorLearningRate', saved: 1e-3, expected: 2e-4 },
      { field: 'discriminatorLearningRate', saved: 3e-3, expected: 2e-4 },
      { field: 'adamBetas', saved: [0.4, 0.9], expected: [0.5, 0.999] },
    ]);
  });

  test('an expectation computed from the saved options', async () => {
    const dir = await saved('computed', { r1: { gamma: 10 } });
    let seen: unknown;
    await loads(dir, (options) => {
      seen = options;
      return { r1: options.r1 };
    });
    expect(seen).toMatchObject({ batchSize: 4, r1: { gamma: 10 } });
    const before = tf.memory().numTensors;
    const err = await Trainer.load(dir, { expect: (o) => ({ batchSize: (o.batchSize ?? 0) * 2 }) }).catch((e) => e);
    expect((err as CheckpointError).mismatches).toEqual([{ field: 'batchSize', saved: 4, expected: 8 }]);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe("a conditional GAN's architecture", () => {
  /** Noise and condition in, one sample out: needs the context's conditionDim. */
  function generator(ctx: NetworkContext) {
    const z = tfl.input({ shape: [ctx.latentDim] });
    const c = tfl.input({ shape: [ctx.conditionDim as number] });
    const h = tfl.layers.concatenate().apply([z, c]) as tfl.SymbolicTensor;
    const size = ctx.dataShape.reduce((a, b) => a * b, 1);
    const out = tfl.layers.dense({ units: size, activation: 'tanh' }).apply(h) as tfl.SymbolicTensor;
    return tfl.model({
      inputs: [z, c],
      outputs: tfl.layers.reshape({ targetShape: ctx.dataShape }).apply(out) as tfl.SymbolicTensor,
    });
  }
  /** A sample, and the condition when the context says the discriminator takes it. */
  function discriminator(ctx: NetworkContext) {
    const x = tfl.input({ shape: ctx.dataShape });
    let h = tfl.layers.flatten().apply(x) as tfl.SymbolicTensor;
    const inputs = [x];
    if (ctx.discriminatorTakesCondition) {
      const c = tfl.input({ shape: [ctx.conditionDim as number] });
      inputs.push(c);
      h = tfl.layers.concatenate().apply([h, c]) as tfl.SymbolicTensor;
    }
    return tfl.model({ inputs, outputs: tfl.layers.dense({ units: 1 }).apply(h) as tfl.SymbolicTensor });
  }

  test('factories get the conditioning widths; the conditioning itself is an expectation', async () => {
    const dir = await saved(
      'cgan',
      {},
      tinyGan({ numClasses: 3, buildGenerator: generator, buildDiscriminator: discriminator }),
    );
    await loads(dir, { generator, discriminator, conditional: { numClasses: 3 } });
    const other = await refused(dir, { generator, discriminator, conditional: { numClasses: 5 } });
    // The networks are not compared for another conditioning: their factories would get the checkpoint's.
    expect(other.mismatches).toEqual([
      {
        field: 'conditional',
        saved: { numClasses: 3, conditioning: 'concat' },
        expected: { numClasses: 5, conditioning: 'concat' },
      },
    ]);
    const unconditional = await refused(dir, { conditional: false });
    expect(unconditional.mismatches.map((m) => m.field)).toEqual(['conditional']);
    const narrower = (ctx: NetworkContext) => generator({ ...ctx, latentDim: ctx.latentDim + 1 });
    const err = await refused(dir, { generator: narrower });
    expect(err.mismatches).toHaveLength(1);
    expect(err.mismatches[0]).toMatchObject({ field: 'generator', saved: 4, expected: 5 });
    expect(err.mismatches[0]?.path).toEqual(expect.any(String));
  });
});
