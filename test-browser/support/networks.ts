/**
 * The tiny GAN of the cross-backend tests. Its generator has no bias before BatchNorm, as in DCGAN:
 * a bias there has a zero gradient (the normalization removes it), and Adam turns the rounding noise
 * in that zero into full-size steps whose sign differs between backends, which says nothing about
 * the backend.
 */
import * as tfl from '@tensorflow/tfjs-layers';
import { GAN, type NetworkContext } from 'ts-gan';
import { tinyDiscriminator } from '../../test-shared/fixtures';

export function parityGenerator({ latentDim, dataShape }: NetworkContext): tfl.LayersModel {
  const size = dataShape.reduce((a, b) => a * b, 1);
  return tfl.sequential({
    layers: [
      tfl.layers.dense({ units: 8, useBias: false, inputShape: [latentDim] }),
      tfl.layers.batchNormalization({ momentum: 0.8 }),
      tfl.layers.leakyReLU({ alpha: 0.2 }),
      tfl.layers.dense({ units: size, activation: 'tanh' }),
      tfl.layers.reshape({ targetShape: [...dataShape] }),
    ],
  });
}

/** The tiny GAN (latent 4, data [2, 2, 1]) with {@link parityGenerator}. */
export function parityGan(seed: number): GAN {
  return new GAN({
    latentDim: 4,
    dataShape: [2, 2, 1],
    buildGenerator: parityGenerator,
    buildDiscriminator: (ctx) => tinyDiscriminator(ctx),
    seed,
  });
}
