/**
 * The built-in regularizers, in the order their hooks run (penalties join the loss in this order).
 * A new regularizer is one file that defines it and one entry here; its option is then checked,
 * applied and saved in checkpoints with no other change.
 *
 * @packageDocumentation
 */

import { penaltiesRegularizer } from './custom-penalties.js';
import { diffAugmentRegularizer } from './diff-augment.js';
import { emaRegularizer } from './ema.js';
import { gradientPenaltyRegularizer, r1Regularizer, r2Regularizer } from './gradient-penalty.js';
import type { Regularizer } from './hooks.js';
import { instanceNoiseRegularizer } from './instance-noise.js';
import { weightClipRegularizer } from './weight-clip.js';

/** Every built-in regularizer. */
export const REGULARIZERS = [
  gradientPenaltyRegularizer,
  r1Regularizer,
  r2Regularizer,
  penaltiesRegularizer,
  weightClipRegularizer,
  emaRegularizer,
  instanceNoiseRegularizer,
  diffAugmentRegularizer,
] as const satisfies readonly Regularizer<never, unknown>[];

/** The trainer option keys of the regularizers. */
export type RegularizerKey = (typeof REGULARIZERS)[number]['option'];
