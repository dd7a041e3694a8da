/**
 * Where each tfjs optimizer class keeps its state: the private slot lists and scalar variables of
 * tfjs-core 4.x, read and written directly so that a checkpoint holds an optimizer's exact state.
 *
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';

/** A slot list inside a tfjs optimizer: the private field and the suffix tfjs names its slots with. */
export interface SlotList {
  readonly field: string;
  readonly suffix: string;
}

/** Where a tfjs optimizer class keeps its state (private fields of tfjs-core 4.x). */
export interface Layout {
  readonly lists: readonly SlotList[];
  /** Scalar variables updated every step (bias-correction products, Adamax's step). */
  readonly scalars: readonly string[];
}

const LAYOUTS: Readonly<Record<string, Layout>> = {
  Adam: {
    lists: [
      { field: 'accumulatedFirstMoment', suffix: 'm' },
      { field: 'accumulatedSecondMoment', suffix: 'v' },
    ],
    scalars: ['accBeta1', 'accBeta2'],
  },
  Adamax: {
    lists: [
      { field: 'accumulatedFirstMoment', suffix: 'm' },
      { field: 'accumulatedWeightedInfNorm', suffix: 'v' },
    ],
    scalars: ['iteration', 'accBeta1'],
  },
  SGD: { lists: [], scalars: [] },
  Momentum: { lists: [{ field: 'accumulations', suffix: 'momentum' }], scalars: [] },
  RMSProp: {
    lists: [
      { field: 'accumulatedMeanSquares', suffix: 'rms' },
      { field: 'accumulatedMoments', suffix: 'momentum' },
      { field: 'accumulatedMeanGrads', suffix: 'mg' },
    ],
    scalars: [],
  },
  Adagrad: { lists: [{ field: 'accumulatedGrads', suffix: 'accumulator' }], scalars: [] },
  Adadelta: {
    lists: [
      { field: 'accumulatedGrads', suffix: 'accum_grad' },
      { field: 'accumulatedUpdates', suffix: 'accum_var' },
    ],
    scalars: [],
  },
};

export interface OptimizerVariable {
  originalName: string;
  variable: tf.Variable;
}

/** The private view of a tfjs optimizer this module reads and writes. */
export type OptimizerInternals = tf.Optimizer & Record<string, unknown> & { iterations_?: number };

/** The layout of `optimizer`'s class, when its fields are where tfjs-core 4.x keeps them. */
export function layoutOf(optimizer: tf.Optimizer): Layout | undefined {
  const name = optimizer.getClassName();
  const layout = Object.hasOwn(LAYOUTS, name) ? LAYOUTS[name] : undefined;
  if (!layout) return undefined;
  // Trust the layout only when the fields are where tfjs-core 4.x keeps them.
  const o = optimizer as OptimizerInternals;
  const ok =
    layout.lists.every((l) => Array.isArray(o[l.field])) && layout.scalars.every((s) => o[s] instanceof tf.Variable);
  return ok ? layout : undefined;
}
