/**
 * What {@link Trainer.load} checks of a trainer checkpoint besides its GAN: the step-shaping
 * options, the JSON-kept options of the option table, and the optimizers' learning rates and
 * Adam betas, each against what the checkpoint saved.
 *
 * @packageDocumentation
 */
import { ConfigError } from '../errors.js';
import type { SavedTrainerOptions, TrainerExpectations, TrainerLoadOptions } from '../train/trainer-io.js';
import { EXPECTABLE_OPTION_KEYS, JSON_KEPT_OPTION_KEYS } from '../train/trainer-options.js';
import { show } from '../util/validate.js';
import { canonicalJSON, type Difference, ganDifferences, showJSON } from './expectations.js';
import type { TrainerStateJSON } from './manifest.js';
import type { ReadCheckpoint } from './read-checkpoint.js';

/**
 * The expectations of a load, computed from the saved options when given as a function.
 * @throws {@link ConfigError} when the function throws or returns something else than an object.
 */
export function resolveExpectations(
  where: string,
  expect: TrainerLoadOptions['expect'],
  state: TrainerStateJSON,
): TrainerExpectations | undefined {
  if (typeof expect !== 'function') return expect;
  let out: unknown;
  try {
    out = expect(structuredClone(state.options) as SavedTrainerOptions);
  } catch (err) {
    throw new ConfigError(`${where}: expect threw: ${err instanceof Error ? err.message : String(err)}`, {
      cause: err,
    });
  }
  if (out === null || typeof out !== 'object') {
    throw new ConfigError(`${where}: expect must return an object, got ${show(out)}.`);
  }
  return out as TrainerExpectations;
}

/** Every expectation, of the GAN and of the trainer, that the checkpoint does not meet. */
export function trainerDifferences(
  read: ReadCheckpoint,
  state: TrainerStateJSON,
  expect: TrainerExpectations | undefined,
): Difference[] {
  const out = ganDifferences(read, expect);
  if (expect === undefined) return out;
  const saved = state.options as Record<string, unknown>;
  for (const key of EXPECTABLE_OPTION_KEYS) {
    const expected = expect[key];
    if (expected !== undefined && expected !== saved[key]) {
      out.push({
        field: key,
        saved: saved[key],
        expected,
        says: `${key} differs: the checkpoint has ${saved[key]}, expected ${expected}.`,
      });
    }
  }
  for (const key of JSON_KEPT_OPTION_KEYS) {
    const expected = expect[key];
    if (expected !== undefined && canonicalJSON(expected) !== canonicalJSON(saved[key])) {
      out.push({
        field: key,
        saved: saved[key],
        expected,
        says: `${key} differs: the checkpoint has ${showJSON(saved[key])}, expected ${showJSON(expected)}.`,
      });
    }
  }
  const configs = {
    generator: state.optimizers.generator.config as Record<string, unknown>,
    discriminator: state.optimizers.discriminator.config as Record<string, unknown>,
  };
  for (const role of ['generator', 'discriminator'] as const) {
    const field = `${role}LearningRate` as const;
    const expected = expect[field];
    const rate = configs[role].learningRate;
    if (expected !== undefined && expected !== rate) {
      out.push({
        field,
        saved: rate,
        expected,
        says: `${field} differs: the ${role} optimizer has ${showJSON(rate)}, expected ${expected}.`,
      });
    }
  }
  if (expect.adamBetas !== undefined) {
    const expected = [...expect.adamBetas];
    const sides = [state.optimizers.generator, state.optimizers.discriminator].map((o) =>
      o.className === 'Adam' ? [o.config.beta1, o.config.beta2] : undefined,
    );
    const differing = sides.find((b) => b === undefined || b[0] !== expected[0] || b[1] !== expected[1]);
    if (sides.some((b) => b === undefined || b[0] !== expected[0] || b[1] !== expected[1])) {
      out.push({
        field: 'adamBetas',
        saved: differing,
        expected,
        says: `adamBetas differs: the checkpoint has ${differing === undefined ? 'an optimizer other than Adam' : showJSON(differing)}, expected ${showJSON(expected)}.`,
      });
    }
  }
  return out;
}
