/**
 * Trainer option `penalties`: discriminator penalties of your own, as a regularizer hook.
 *
 * @packageDocumentation
 */
import { ConfigError } from '../errors.js';
import { show } from '../util/validate.js';
import { defineRegularizer } from './hooks.js';
import { type DiscriminatorPenalty, everyOption } from './penalty.js';

/** Trainer option `penalties`: penalties of your own, added after the built-in ones. Code: a checkpoint keeps their names. */
export const penaltiesRegularizer = defineRegularizer({
  option: 'penalties',
  checkpoint: 'code',
  check(value: readonly DiscriminatorPenalty[]): readonly DiscriminatorPenalty[] {
    if (!Array.isArray(value)) throw new ConfigError(`Trainer: penalties must be an array, got ${show(value)}.`);
    value.forEach((p: DiscriminatorPenalty, i: number) => {
      if (p === null || typeof p !== 'object' || typeof p.name !== 'string' || typeof p.compute !== 'function') {
        throw new ConfigError(`Trainer: penalties[${i}] must be an object { name, compute }, got ${show(p)}.`);
      }
      if (p.inputGradientOf !== undefined && p.inputGradientOf !== 'real' && p.inputGradientOf !== 'fake') {
        throw new ConfigError(
          `Trainer: penalties[${i}].inputGradientOf must be "real", "fake" or left out, got ${show(p.inputGradientOf)}.`,
        );
      }
      everyOption(`Trainer: penalties[${i}]`, p.every);
    });
    return value;
  },
  create: (penalties) => ({ penalties }),
});
