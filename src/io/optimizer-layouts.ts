/**
 * Where each tfjs optimizer class keeps its state: the private slot lists and scalars that
 * optimizer-state.ts reads and writes (tfjs-core 4.x).
 *
 * @packageDocumentation
 */

/** A slot list inside a tfjs optimizer: the private field and the suffix tfjs names its slots with. */
interface SlotList {
  readonly field: string;
  readonly suffix: string;
}

/** Where a tfjs optimizer class keeps its state (private fields of tfjs-core 4.x). */
export interface Layout {
  readonly lists: readonly SlotList[];
  /** Scalar variables updated every step (bias-correction products, Adamax's step). */
  readonly scalars: readonly string[];
}

export const LAYOUTS: Readonly<Record<string, Layout>> = {
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
