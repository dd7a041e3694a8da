/**
 * The seed document's MLP GAN (the Keras-GAN `gan.py` architecture) as a preset.
 *
 * @packageDocumentation
 */
import * as tfl from '@tensorflow/tfjs-layers';
import { ConfigError } from '../errors.js';
import type { NetworkContext, NetworkFactory } from '../types.js';
import { knownKeys, numberInRange, positiveInteger, show } from '../util/validate.js';

/** Keras-GAN's generator widths: Dense 256, 512, 1024. */
const DEFAULT_GENERATOR_UNITS = [256, 512, 1024] as const;
/** Keras-GAN's discriminator widths: Dense 512, 256. */
const DEFAULT_DISCRIMINATOR_UNITS = [512, 256] as const;
/** Keras' `BatchNormalization(momentum=0.8)` from the seed; Keras and tfjs-layers define momentum alike. */
const DEFAULT_BATCH_NORM_MOMENTUM = 0.8;
/** Slope of LeakyReLU for negative inputs, as in the seed (and Radford et al. 2015). */
const DEFAULT_LEAKY_ALPHA = 0.2;

/**
 * Options of {@link presets.mlp}.
 * @category Presets
 */
export interface MlpOptions {
  /** Widths of the generator's hidden Dense layers. Default `[256, 512, 1024]`. */
  generatorUnits?: readonly number[];
  /** Widths of the discriminator's hidden Dense layers. Default `[512, 256]`. */
  discriminatorUnits?: readonly number[];
  /** Momentum of the generator's BatchNormalization layers, in [0, 1). Default 0.8. */
  batchNormMomentum?: number;
  /** Negative slope of every LeakyReLU, in [0, 1). Default 0.2. */
  leakyAlpha?: number;
}

/**
 * The two factories a {@link GAN} needs; spread them into its config.
 * @category Presets
 */
export interface MlpPreset {
  /** Noise `[batch, latentDim]` to `[batch, ...dataShape]` in (-1, 1). */
  buildGenerator: NetworkFactory;
  /** `[batch, ...dataShape]` to one logit per sample (no sigmoid: the losses work on logits). */
  buildDiscriminator: NetworkFactory;
}

const OPTION_KEYS = ['generatorUnits', 'discriminatorUnits', 'batchNormMomentum', 'leakyAlpha'] as const;

/**
 * The seed's fully connected GAN. Generator: for each width, Dense, LeakyReLU(0.2),
 * BatchNormalization(momentum 0.8); then Dense to the size of one sample with tanh, reshaped to
 * `dataShape`. Discriminator: Flatten, then for each width Dense and LeakyReLU(0.2), then Dense 1
 * (a logit); vector data (`dataShape` of rank 1) skips the Flatten. Train it on data scaled to [-1, 1].
 *
 * @param options - hidden widths, BatchNorm momentum, LeakyReLU slope; see {@link MlpOptions}.
 * @returns `{ buildGenerator, buildDiscriminator }`.
 * @throws {@link ConfigError} for an invalid option.
 * @example
 * ```ts
 * const gan = new GAN({ ...presets.mlp(), latentDim: 100, dataShape: [28, 28, 1], seed: 1 });
 * ```
 * @category Presets
 */
export function mlp(options: MlpOptions = {}): MlpPreset {
  if (options === null || typeof options !== 'object') {
    throw new ConfigError(`presets.mlp: options must be an object, got ${show(options)}.`);
  }
  knownKeys('presets.mlp', options, OPTION_KEYS);
  const gUnits = widths('generatorUnits', options.generatorUnits ?? DEFAULT_GENERATOR_UNITS);
  const dUnits = widths('discriminatorUnits', options.discriminatorUnits ?? DEFAULT_DISCRIMINATOR_UNITS);
  const momentum = numberInRange(
    'presets.mlp',
    'batchNormMomentum',
    options.batchNormMomentum ?? DEFAULT_BATCH_NORM_MOMENTUM,
    0,
    1,
  );
  const alpha = numberInRange('presets.mlp', 'leakyAlpha', options.leakyAlpha ?? DEFAULT_LEAKY_ALPHA, 0, 1);

  const buildGenerator = ({ latentDim, dataShape }: NetworkContext): tfl.LayersModel => {
    const model = tfl.sequential({ name: 'generator' });
    gUnits.forEach((units, i) => {
      model.add(tfl.layers.dense(i === 0 ? { units, inputShape: [latentDim] } : { units }));
      model.add(tfl.layers.leakyReLU({ alpha }));
      model.add(tfl.layers.batchNormalization({ momentum }));
    });
    const size = dataShape.reduce((a, b) => a * b, 1);
    const last = { units: size, activation: 'tanh' } as const;
    model.add(tfl.layers.dense(gUnits.length === 0 ? { ...last, inputShape: [latentDim] } : last));
    model.add(tfl.layers.reshape({ targetShape: [...dataShape] }));
    return model;
  };

  const buildDiscriminator = ({ dataShape }: NetworkContext): tfl.LayersModel => {
    const model = tfl.sequential({ name: 'discriminator' });
    // Flatten needs rank >= 3 with the batch; vector data goes straight into the first Dense.
    const flat = dataShape.length === 1;
    if (!flat) model.add(tfl.layers.flatten({ inputShape: [...dataShape] }));
    [...dUnits, 1].forEach((units, i) => {
      model.add(tfl.layers.dense(flat && i === 0 ? { units, inputShape: [...dataShape] } : { units }));
      if (i < dUnits.length) model.add(tfl.layers.leakyReLU({ alpha }));
    });
    return model;
  };

  return { buildGenerator, buildDiscriminator };
}

function widths(name: string, value: unknown): readonly number[] {
  if (!Array.isArray(value)) {
    throw new ConfigError(`presets.mlp: ${name} must be an array of positive integers, got ${show(value)}.`);
  }
  return Object.freeze(value.map((units, i) => positiveInteger('presets.mlp', `${name}[${i}]`, units)));
}
