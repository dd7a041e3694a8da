/**
 * The library's gradient patches (in `src/kernels/`, backend-neutral) as switchable backend fixes.
 * Each is global to every backend: a gradient, not a kernel.
 *
 * @packageDocumentation
 */
import {
  applyBatchNormGradient,
  batchNormGradientApplied,
  removeBatchNormGradient,
} from '../../kernels/batchnorm-gradient.js';
import {
  greaterGradientRegistered,
  registerGreaterGradient,
  unregisterGreaterGradient,
} from '../../kernels/greater-gradient.js';
import {
  applyLazyFusedGradients,
  lazyFusedGradientsApplied,
  removeLazyFusedGradients,
} from '../../kernels/lazy-fused-gradients.js';
import { applyMeanGradient, meanGradientApplied, removeMeanGradient } from '../../kernels/mean-gradient.js';
import type { BackendFix } from './fix.js';

/** A zero gradient for `Greater`, so that gradient penalties through LeakyReLU work. */
export const greaterGradientFix: BackendFix = {
  name: 'greater-gradient',
  description: 'Registers a zero gradient for Greater, so gradient penalties through LeakyReLU (WGAN-GP, R1) work.',
  backends: '*',
  apply: () => {
    registerGreaterGradient();
  },
  remove: () => {
    unregisterGreaterGradient();
  },
  isApplied: greaterGradientRegistered,
};

/** tfjs's `FusedBatchNorm` gradient without its `Tile` of the batch. */
export const batchNormGradientFix: BackendFix = {
  name: 'batchnorm-gradient',
  description:
    "tfjs's FusedBatchNorm gradient with a broadcasting multiply in place of a Tile of the batch (slow on wasm); same bits.",
  backends: '*',
  apply: applyBatchNormGradient,
  remove: removeBatchNormGradient,
  isApplied: batchNormGradientApplied,
};

/** tfjs's `Mean` gradient without its tensor of ones. */
export const meanGradientFix: BackendFix = {
  name: 'mean-gradient',
  description:
    "tfjs's Mean gradient divides the reduced gradient first and spreads it with a broadcasting multiply by onesLike(x), instead of filling and uploading a tensor of ones of the whole input (BatchNorm's moments); same bits.",
  backends: '*',
  apply: applyMeanGradient,
  remove: removeMeanGradient,
  isApplied: meanGradientApplied,
};

/** Gradients of fused Dense and Conv2D products computed only for the operands the tape needs. */
export const lazyFusedGradientsFix: BackendFix = {
  name: 'lazy-fused-gradients',
  description:
    'Computes the gradients of fused Dense and Conv2D products only for the operands that need them ' +
    '(tfjs computes all of them): no weight gradients for the frozen network, no image gradients in the first layer.',
  backends: '*',
  apply: applyLazyFusedGradients,
  remove: removeLazyFusedGradients,
  isApplied: lazyFusedGradientsApplied,
};
