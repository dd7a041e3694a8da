/**
 * One training step: the context a {@link StepFunction} receives, the call, the hooks a step
 * left to run, and the logged numbers packed into one tensor.
 *
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { ConfigError } from '../errors.js';
import { withSeededMathRandom } from '../random.js';
import type { InstanceNoise } from '../regularizers/instance-noise.js';
import { show } from '../util/validate.js';
import { STANDARD_LOG_KEYS, type StepContext, type StepFunction } from './custom-step.js';
import type { StepHooks } from './step-hooks.js';

/** The parts of a step's context that change from step to step. */
export type StepInputs = Pick<StepContext, 'real' | 'reals' | 'labels' | 'labelBatches' | 'step' | 'logged' | 'warmup'>;

/** The parts of a step's context that a trainer keeps for every step. */
export type StepBase = Omit<
  StepContext,
  | keyof StepInputs
  | 'penalties'
  | 'instanceNoiseStd'
  | 'inputTransforms'
  | 'afterDiscriminatorUpdate'
  | 'afterGeneratorUpdate'
>;

/**
 * Runs `step` on the context of one step, synchronously inside one tidy with Math.random seeded
 * from the trainer's stream (so dropout masks repeat too). Hooks the step did not call run once
 * after it (the generator's only outside warm-up).
 * @returns `[dLoss, gLoss, dReal, dFake, ...extras]` on logged steps, and the log keys in that order.
 */
export function runStep(
  step: StepFunction,
  base: StepBase,
  hooks: StepHooks,
  inputs: StepInputs,
): { packed: tf.Tensor1D | undefined; keys: readonly string[] } {
  let keys: readonly string[] = [];
  const packed = withSeededMathRandom(base.rng, () =>
    tf.tidy(() => {
      const out = stepInTidy(step, base, hooks, inputs);
      keys = out.keys;
      return out.packed;
    }),
  );
  return { packed, keys };
}

function stepInTidy(
  step: StepFunction,
  base: StepBase,
  hooks: StepHooks,
  inputs: StepInputs,
): { packed: tf.Tensor1D | undefined; keys: readonly string[] } {
  let dHooksRan = false;
  let gHooksRan = false;
  const afterDiscriminatorUpdate = () => {
    dHooksRan = true;
    hooks.afterDiscriminatorUpdate(base.discriminatorVariables);
  };
  const afterGeneratorUpdate = () => {
    gHooksRan = true;
    hooks.afterGeneratorUpdate();
  };
  const noise = hooks.state.instanceNoise as InstanceNoise | undefined;
  const out = step({
    ...base,
    ...inputs,
    penalties: hooks.penaltiesAt(inputs.step),
    instanceNoiseStd: noise?.stdAt(inputs.step) ?? 0,
    inputTransforms: hooks.inputTransformsAt(inputs.step),
    afterDiscriminatorUpdate,
    afterGeneratorUpdate,
  });
  if (!dHooksRan) afterDiscriminatorUpdate();
  if (!gHooksRan && !inputs.warmup) afterGeneratorUpdate();
  const entries = stepEntries(out);
  return {
    keys: entries.map(([k]) => k),
    packed: inputs.logged ? (tf.stack(entries.map(([, v]) => v)) as tf.Tensor1D) : undefined,
  };
}

/**
 * Checks what a step returned and orders it as the trainer logs it: the four standard entries
 * (NaN for a missing dReal or dFake), then the extras in the order given.
 */
function stepEntries(out: unknown): [string, tf.Tensor][] {
  const isScalar = (v: unknown): v is tf.Scalar => v instanceof tf.Tensor && v.size === 1;
  const o = out as Record<string, unknown> | null;
  if (o === null || typeof o !== 'object' || !isScalar(o.dLoss) || !isScalar(o.gLoss)) {
    throw new ConfigError(
      `Trainer: the custom step must return an object with scalar tensors dLoss and gLoss, got ${show(out)}.`,
    );
  }
  const entries: [string, tf.Tensor][] = [];
  for (const key of STANDARD_LOG_KEYS) {
    const v = o[key];
    if (v !== undefined && !isScalar(v)) {
      throw new ConfigError(`Trainer: the custom step's ${key} must be a scalar tensor, got ${show(v)}.`);
    }
    entries.push([key, isScalar(v) ? tf.reshape(v, []) : tf.scalar(Number.NaN)]);
  }
  for (const [key, v] of Object.entries(o)) {
    if ((STANDARD_LOG_KEYS as readonly string[]).includes(key) || v === undefined) continue;
    if (!isScalar(v))
      throw new ConfigError(`Trainer: the custom step's ${key} must be a scalar tensor, got ${show(v)}.`);
    entries.push([key, tf.reshape(v, [])]);
  }
  return entries;
}
