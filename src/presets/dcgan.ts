/**
 * DCGAN (Radford, Metz and Chintala 2015, "Unsupervised Representation Learning with Deep
 * Convolutional Generative Adversarial Networks") as a preset, for square or rectangular images
 * of 28x28 (MNIST), 32x32, 64x64 and similar sizes. It honours the GAN's conditioning, so the same
 * preset builds a conditional GAN, an ACGAN or an InfoGAN.
 *
 * @packageDocumentation
 */
import * as tfl from '@tensorflow/tfjs-layers';
import { ConfigError } from '../errors.js';
import type { NetworkContext, NetworkFactory } from '../types.js';
import { knownKeys, numberInRange, positiveInteger, show } from '../util/validate.js';

/** The paper's weight initialization: N(0, 0.02). */
const INIT_STDDEV = 0.02;
/** Keras momentum 0.9 is PyTorch's BatchNorm momentum 0.1, what the reference DCGAN uses. */
const DEFAULT_BATCH_NORM_MOMENTUM = 0.9;
/** The paper's LeakyReLU slope in the discriminator. */
const DEFAULT_LEAKY_ALPHA = 0.2;
/** 4x4 kernels with stride 2 double (or halve) a size exactly with 'same' padding, as in the reference DCGAN. */
const DEFAULT_KERNEL_SIZE = 4;
/** Width of the last generator block and first discriminator block (PyTorch's ngf = ndf = 64). */
const DEFAULT_FILTERS = 64;
/** The generator starts from a map no larger than this (7x7 for 28-pixel images, 4x4 for 32 and 64). */
const MAX_START_SIZE = 7;

/**
 * Options of {@link presets.dcgan}.
 * @category Presets
 */
export interface DcganOptions {
  /** Channels of the widest-resolution block; the others double toward the coarsest. Default 64. */
  filters?: number;
  /**
   * Channels of the generator's start map (the Dense layer's output, reshaped), before the first
   * conv-transpose. Default `filters * 2^(doublings - 1)`: the paper's doubling, 2 * filters at 28x28.
   * A wider start map gives an unconditional generator more room to tell the classes apart (MNIST,
   * 32 filters: 128 instead of 64 read 7.44 against 7.23 after 6,000 steps in the PyTorch twin).
   */
  startFilters?: number;
  /**
   * Channels of the discriminator's first block; the others double. Default `filters`, the paper's
   * symmetric widths. A wider discriminator than generator judges strokes more finely (MNIST,
   * 32 generator filters with a 128-channel start map, R1 10, learning rate 4e-4, PyTorch twin:
   * 64 read 7.51 / Frechet 9.0 after 6,000 steps, 32 read 7.44 / 9.2).
   */
  discriminatorFilters?: number;
  /** Convolution kernel size. Default 4. */
  kernelSize?: number;
  /** BatchNormalization momentum (Keras convention), in [0, 1). Default 0.9. */
  batchNormMomentum?: number;
  /** Discriminator LeakyReLU slope, in [0, 1). Default 0.2. */
  leakyAlpha?: number;
  /**
   * BatchNorm in the discriminator, as in the paper. Default false: the Trainer runs the frozen
   * discriminator in inference mode during generator updates, and a BatchNorm discriminator then
   * scores fakes with moving statistics of mixed real and fake batches, a different function from
   * the one it trained (measured on MNIST: D loss 0.09 against G loss 1.2 after 150 steps, then
   * collapse). Without it, both updates see the same discriminator. Also right for WGAN-GP critics.
   */
  discriminatorBatchNorm?: boolean;
}

/**
 * The two factories a {@link GAN} needs; spread them into its config.
 * @category Presets
 */
export interface DcganPreset {
  /** Noise (and condition) to images in (-1, 1): Dense to the start map, then conv-transposes. */
  buildGenerator: NetworkFactory;
  /** Images (and condition) to one logit (and the auxiliary head): strided convolutions. */
  buildDiscriminator: NetworkFactory;
}

const OPTION_KEYS = [
  'filters',
  'startFilters',
  'discriminatorFilters',
  'kernelSize',
  'batchNormMomentum',
  'leakyAlpha',
  'discriminatorBatchNorm',
] as const;

/**
 * The DCGAN architecture with the paper's choices: no pooling (strided convolutions in D,
 * fractionally-strided ones in G), BatchNorm in G (not on its output; in D only with
 * `discriminatorBatchNorm: true`, see {@link DcganOptions}),
 * ReLU in G with tanh output, LeakyReLU(0.2) in D, N(0, 0.02) initialization. Train with Adam
 * (2e-4, beta1 0.5), the Trainer's defaults, on images scaled to [-1, 1].
 *
 * The image size is halved while it is even and above 7: 28 = 7 * 2^2, 32 = 4 * 2^3, 64 = 4 * 2^4.
 * Conditioning (from the GAN's config): the one-hot label or codes are joined to the noise; a
 * conditional GAN's discriminator gets the label as an extra image channel; ACGAN and InfoGAN
 * discriminators get a second Dense head.
 *
 * @param options - widths, kernel, BatchNorm and LeakyReLU settings; see {@link DcganOptions}.
 * @returns `{ buildGenerator, buildDiscriminator }`.
 * @throws {@link ConfigError} for an invalid option, or (when the GAN builds it) data that is not
 *   an image `[height, width, channels]` that can be halved at least once.
 * @example
 * ```ts
 * const gan = new GAN({ ...presets.dcgan(), latentDim: 100, dataShape: [28, 28, 1], numClasses: 10 });
 * ```
 * @category Presets
 */
export function dcgan(options: DcganOptions = {}): DcganPreset {
  if (options === null || typeof options !== 'object') {
    throw new ConfigError(`presets.dcgan: options must be an object, got ${show(options)}.`);
  }
  knownKeys('presets.dcgan', options, OPTION_KEYS);
  const filters = positiveInteger('presets.dcgan', 'filters', options.filters ?? DEFAULT_FILTERS);
  const startFiltersOption =
    options.startFilters === undefined
      ? undefined
      : positiveInteger('presets.dcgan', 'startFilters', options.startFilters);
  const dFilters = positiveInteger('presets.dcgan', 'discriminatorFilters', options.discriminatorFilters ?? filters);
  const kernelSize = positiveInteger('presets.dcgan', 'kernelSize', options.kernelSize ?? DEFAULT_KERNEL_SIZE);
  const momentum = numberInRange(
    'presets.dcgan',
    'batchNormMomentum',
    options.batchNormMomentum ?? DEFAULT_BATCH_NORM_MOMENTUM,
    0,
    1,
  );
  const alpha = numberInRange('presets.dcgan', 'leakyAlpha', options.leakyAlpha ?? DEFAULT_LEAKY_ALPHA, 0, 1);
  const dBatchNorm = options.discriminatorBatchNorm ?? false;
  if (typeof dBatchNorm !== 'boolean') {
    throw new ConfigError(`presets.dcgan: discriminatorBatchNorm must be a boolean, got ${show(dBatchNorm)}.`);
  }
  const init = () => tfl.initializers.randomNormal({ mean: 0, stddev: INIT_STDDEV });

  const buildGenerator = (ctx: NetworkContext): tfl.LayersModel => {
    const { height, width, channels, doublings } = geometry(ctx.dataShape);
    const startH = height / 2 ** doublings;
    const startW = width / 2 ** doublings;
    const z = tfl.input({ shape: [ctx.latentDim], name: 'z' });
    const c = ctx.conditionDim ? tfl.input({ shape: [ctx.conditionDim], name: 'condition' }) : undefined;
    let h = (c ? tfl.layers.concatenate().apply([z, c]) : z) as tfl.SymbolicTensor;
    const startFilters = startFiltersOption ?? filters * 2 ** (doublings - 1);
    h = tfl.layers
      .dense({ units: startH * startW * startFilters, useBias: false, kernelInitializer: init() })
      .apply(h) as tfl.SymbolicTensor;
    h = tfl.layers.reshape({ targetShape: [startH, startW, startFilters] }).apply(h) as tfl.SymbolicTensor;
    h = tfl.layers.batchNormalization({ momentum }).apply(h) as tfl.SymbolicTensor;
    h = tfl.layers.reLU().apply(h) as tfl.SymbolicTensor;
    for (let i = 1; i < doublings; i++) {
      h = tfl.layers
        .conv2dTranspose({
          filters: filters * 2 ** (doublings - 1 - i),
          kernelSize,
          strides: 2,
          padding: 'same',
          useBias: false,
          kernelInitializer: init(),
        })
        .apply(h) as tfl.SymbolicTensor;
      h = tfl.layers.batchNormalization({ momentum }).apply(h) as tfl.SymbolicTensor;
      h = tfl.layers.reLU().apply(h) as tfl.SymbolicTensor;
    }
    const out = tfl.layers
      .conv2dTranspose({
        filters: channels,
        kernelSize,
        strides: 2,
        padding: 'same',
        activation: 'tanh',
        kernelInitializer: init(),
      })
      .apply(h) as tfl.SymbolicTensor;
    return tfl.model({ inputs: c ? [z, c] : z, outputs: out, name: 'generator' });
  };

  const buildDiscriminator = (ctx: NetworkContext): tfl.LayersModel => {
    const { height, width, channels, doublings } = geometry(ctx.dataShape);
    const x = tfl.input({ shape: [height, width, channels], name: 'x' });
    const c = ctx.discriminatorTakesCondition
      ? tfl.input({ shape: [ctx.conditionDim as number], name: 'condition' })
      : undefined;
    let h: tfl.SymbolicTensor = x;
    if (c) {
      // The label as one more image channel: a learned H x W map per class (Mirza and Osindero's
      // "y joined to x", in the convolutional form most cGAN implementations use).
      let map = tfl.layers.dense({ units: height * width, kernelInitializer: init() }).apply(c) as tfl.SymbolicTensor;
      map = tfl.layers.reshape({ targetShape: [height, width, 1] }).apply(map) as tfl.SymbolicTensor;
      h = tfl.layers.concatenate().apply([x, map]) as tfl.SymbolicTensor;
    }
    for (let i = 0; i < doublings; i++) {
      h = tfl.layers
        .conv2d({ filters: dFilters * 2 ** i, kernelSize, strides: 2, padding: 'same', kernelInitializer: init() })
        .apply(h) as tfl.SymbolicTensor;
      // No BatchNorm on the first block, as in the paper.
      if (i > 0 && dBatchNorm) h = tfl.layers.batchNormalization({ momentum }).apply(h) as tfl.SymbolicTensor;
      h = tfl.layers.leakyReLU({ alpha }).apply(h) as tfl.SymbolicTensor;
    }
    h = tfl.layers.flatten().apply(h) as tfl.SymbolicTensor;
    const logit = tfl.layers.dense({ units: 1, kernelInitializer: init() }).apply(h) as tfl.SymbolicTensor;
    const outputs = ctx.auxiliaryDim
      ? [logit, tfl.layers.dense({ units: ctx.auxiliaryDim, kernelInitializer: init() }).apply(h) as tfl.SymbolicTensor]
      : logit;
    return tfl.model({ inputs: c ? [x, c] : x, outputs, name: 'discriminator' });
  };

  return { buildGenerator, buildDiscriminator };
}

/** How many times an image can be halved (while even and above 7), and its dimensions. */
function geometry(dataShape: readonly number[]): {
  height: number;
  width: number;
  channels: number;
  doublings: number;
} {
  if (dataShape.length !== 3) {
    throw new ConfigError(
      `presets.dcgan: dataShape must be an image [height, width, channels], got [${dataShape.join(', ')}].`,
    );
  }
  const [height, width, channels] = dataShape as [number, number, number];
  const halvings = (size: number) => {
    let n = 0;
    while (size % 2 === 0 && size > MAX_START_SIZE) {
      size /= 2;
      n++;
    }
    return n;
  };
  const doublings = Math.min(halvings(height), halvings(width));
  if (doublings === 0) {
    throw new ConfigError(
      `presets.dcgan: image sides must be even and above ${MAX_START_SIZE} (28, 32, 64...), got ${height}x${width}.`,
    );
  }
  return { height, width, channels, doublings };
}
