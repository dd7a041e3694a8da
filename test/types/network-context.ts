/**
 * Compiled by `tsc --noEmit` (the typecheck), never run: a network factory passes the context's
 * `dataShape` straight to tfjs-layers, as users write it.
 */
import * as tfl from '@tensorflow/tfjs-layers';
import type { NetworkFactory } from 'ts-gan';

export const discriminator: NetworkFactory = ({ dataShape }) =>
  tfl.sequential({
    layers: [tfl.layers.flatten({ inputShape: dataShape }), tfl.layers.dense({ units: 1 })],
  });

export const generator: NetworkFactory = ({ latentDim, dataShape }) =>
  tfl.sequential({
    layers: [
      tfl.layers.dense({ units: dataShape.reduce((a, b) => a * b, 1), inputShape: [latentDim] }),
      tfl.layers.reshape({ targetShape: dataShape }),
    ],
  });
