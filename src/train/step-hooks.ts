/**
 * The regularizers of a trainer as hooks on its step: checked from the options, built, and run.
 *
 * @packageDocumentation
 */
import type * as tf from '@tensorflow/tfjs-core';
import { ConfigError } from '../errors.js';
import type { GAN } from '../gan.js';
import type { InputTransform, Regularizer, RegularizerHooks } from '../regularizers/hooks.js';
import type { InstanceNoise } from '../regularizers/instance-noise.js';
import { type DiscriminatorPenalty, penaltyActiveAt } from '../regularizers/penalty.js';
import { REGULARIZERS } from '../regularizers/registry.js';
import type { Regularizers } from './regularizer-options.js';

/** Regularizer options that passed their checks, in registry order; nothing is allocated yet. */
export type CheckedRegularizers = readonly (readonly [Regularizer<never, unknown>, unknown])[];

/**
 * Checks every regularizer option that is set.
 * @throws {@link ConfigError} for a bad value or combination.
 */
export function checkRegularizers(gan: GAN, options: Readonly<Record<string, unknown>>): CheckedRegularizers {
  const checked: (readonly [Regularizer<never, unknown>, unknown])[] = [];
  for (const r of REGULARIZERS as readonly Regularizer<never, unknown>[]) {
    const value = options[r.option];
    if (value !== undefined) checked.push([r, r.check(value as never, gan, options)]);
  }
  return checked;
}

/**
 * The hooks of a trainer's regularizers.
 */
export class StepHooks {
  /** Every penalty, in order. */
  readonly penalties: readonly DiscriminatorPenalty[];
  /** The penalties, the clipping bound and the instance-noise schedule (`Trainer.regularizers`). */
  readonly regularizers: Regularizers;
  /** What each regularizer exposes, by option key (`ema`: the moving average). */
  readonly state: Readonly<Record<string, unknown>>;
  private readonly hooks: readonly RegularizerHooks[];

  /**
   * Builds the hooks of checked options (allocates: the moving average's variables).
   * @throws {@link ConfigError} when two penalties share a name.
   */
  constructor(checked: CheckedRegularizers, gan: GAN) {
    const hooks: RegularizerHooks[] = [];
    const state: Record<string, unknown> = {};
    try {
      for (const [r, c] of checked) {
        const h = r.create(c as never, gan);
        hooks.push(h);
        if (h.state !== undefined) state[r.option] = h.state;
      }
      checkPenaltyNames(hooks.flatMap((h) => h.penalties ?? []));
    } catch (err) {
      for (const h of hooks) h.dispose?.();
      throw err;
    }
    this.hooks = hooks;
    this.state = Object.freeze(state);
    this.penalties = Object.freeze(hooks.flatMap((h) => h.penalties ?? []));
    this.regularizers = Object.freeze({
      penalties: this.penalties,
      weightClip: state.weightClip as number | undefined,
      instanceNoise: state.instanceNoise as InstanceNoise | undefined,
    });
  }

  /** The penalties that run at a step (lazy ones on their steps only). */
  penaltiesAt(step: number): readonly DiscriminatorPenalty[] {
    return this.penalties.filter((p) => penaltyActiveAt(p, step));
  }

  /** The input transforms at a step. */
  inputTransformsAt(step: number): readonly InputTransform[] {
    const out: InputTransform[] = [];
    for (const h of this.hooks) {
      const t = h.inputTransform?.(step);
      if (t) out.push(t);
    }
    return out;
  }

  /** Runs every after-discriminator-update hook. */
  afterDiscriminatorUpdate(variables: readonly tf.Variable[]): void {
    for (const h of this.hooks) h.afterDiscriminatorUpdate?.(variables);
  }

  /** Runs every after-generator-update hook. */
  afterGeneratorUpdate(): void {
    for (const h of this.hooks) h.afterGeneratorUpdate?.();
  }

  /** Frees what the hooks hold. */
  dispose(): void {
    for (const h of this.hooks) h.dispose?.();
  }
}

/** Throws when two penalties share a name (it is their log key). */
export function checkPenaltyNames(penalties: readonly DiscriminatorPenalty[]): void {
  const names = penalties.map((p) => p.name);
  const duplicate = names.find((n, i) => names.indexOf(n) !== i);
  if (duplicate !== undefined) {
    throw new ConfigError(
      `Trainer: two penalties are named "${duplicate}"; give each a distinct name (it is its log key).`,
    );
  }
}
