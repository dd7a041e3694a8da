/**
 * A GAN's two networks: built (or adopted) on one seeded stream, their inputs and outputs checked
 * against the latent size, the data shape and the conditioning, and run in inference mode.
 *
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { Conditioning } from './conditional/conditioning.js';
import { ConfigError, ShapeError } from './errors.js';
import { type GanLoss, getLoss } from './losses/gan-loss.js';
import { INIT_STREAM_OFFSET, SeededRandom, withSeededMathRandom } from './random.js';
import type { GANConfig, NetworkContext, NetworkFactory } from './types.js';
import { assertBatchShape, describeTensor, formatShape } from './util/shapes.js';
import { knownKeys, positiveInteger, show } from './util/validate.js';

/** Every key a {@link GANConfig} may hold. */
const GAN_CONFIG_KEYS = [
  'latentDim',
  'dataShape',
  'buildGenerator',
  'buildDiscriminator',
  'generator',
  'discriminator',
  'loss',
  'seed',
  'numClasses',
  'conditioning',
  'auxiliaryWeight',
  'infoCodes',
] as const;

/** A GAN's settings read from its config and checked: everything but the networks. */
export interface GanSettings {
  latentDim: number;
  dataShape: readonly number[];
  seed: number;
  loss: GanLoss;
  conditioning: Conditioning | undefined;
}

/**
 * Reads and checks a {@link GANConfig}'s settings (the networks are built by {@link buildNetworks}).
 * @throws {@link ConfigError} for an invalid option or unknown loss.
 */
export function readGanConfig(config: GANConfig): GanSettings {
  if (config === null || typeof config !== 'object') {
    throw new ConfigError(`GAN: config must be an object, got ${show(config)}.`);
  }
  knownKeys('GAN', config, GAN_CONFIG_KEYS);
  return {
    latentDim: positiveInteger('GAN', 'latentDim', config.latentDim),
    dataShape: checkDataShape(config.dataShape),
    seed: checkSeed(config.seed ?? 0),
    loss: getLoss(config.loss ?? 'non-saturating'),
    conditioning: Conditioning.fromConfig(config),
  };
}

/** What the networks must fit: the GAN's settings, already checked. */
export interface NetworkSpec {
  readonly latentDim: number;
  readonly dataShape: readonly number[];
  readonly seed: number;
  readonly conditioning: Conditioning | undefined;
}

/**
 * Builds (or adopts) both networks and checks their shapes.
 * @throws {@link ConfigError} for a missing, doubled or failing factory; {@link ShapeError} when a
 *   network does not fit. Nothing is leaked: the networks are disposed before the error leaves.
 */
export function buildNetworks(
  config: GANConfig,
  spec: NetworkSpec,
): { generator: LayersModel; discriminator: LayersModel } {
  const { latentDim, dataShape, conditioning: cond } = spec;
  const context = networkContext(latentDim, dataShape, cond);
  // One stream for both factories, so each seed gives one set of initial weights.
  const initRng = new SeededRandom(spec.seed + INIT_STREAM_OFFSET);
  const built: LayersModel[] = [];
  try {
    const generator = obtain('generator', config.generator, config.buildGenerator, context, initRng);
    built.push(generator);
    const discriminator = obtain('discriminator', config.discriminator, config.buildDiscriminator, context, initRng);
    built.push(discriminator);
    const c = cond ? [[null, cond.conditionDim]] : [];
    checkModelShape('buildGenerator', generator, 'input', [[null, latentDim], ...c]);
    checkModelShape('buildGenerator', generator, 'output', [[null, ...dataShape]]);
    const dIn = cond?.discriminatorTakesCondition ? c : [];
    checkModelShape('buildDiscriminator', discriminator, 'input', [[null, ...dataShape], ...dIn]);
    const aux = cond && cond.auxiliaryDim > 0 ? [[null, cond.auxiliaryDim]] : [];
    checkModelShape('buildDiscriminator', discriminator, 'output', [[null, 1], ...aux]);
    return { generator, discriminator };
  } catch (err) {
    for (const model of built) model.dispose();
    throw err;
  }
}

/** What a GAN gives its network factories: its dimensions and, when conditional, its conditioning's widths. */
export function networkContext(
  latentDim: number,
  dataShape: readonly number[],
  cond: Conditioning | undefined,
): NetworkContext {
  return Object.freeze({
    latentDim,
    dataShape: [...dataShape],
    ...(cond && {
      conditionDim: cond.conditionDim,
      discriminatorTakesCondition: cond.discriminatorTakesCondition,
      auxiliaryDim: cond.auxiliaryDim,
      numClasses: cond.kind === 'info' ? 0 : cond.numClasses,
    }),
  });
}

/** The networks and settings a GAN runs with. */
export interface GanNetworks extends NetworkSpec {
  readonly generator: LayersModel;
  readonly discriminator: LayersModel;
}

/**
 * {@link GAN.generate}: the generator on `z` (and the condition), in inference mode.
 * @throws {@link ShapeError} when `z` is not `[batch, latentDim]` or the condition does not fit.
 */
export function runGenerator(gan: GanNetworks, z: tf.Tensor, condition: tf.Tensor | undefined): tf.Tensor {
  if (!(z instanceof tf.Tensor) || z.rank !== 2 || z.shape[1] !== gan.latentDim) {
    throw new ShapeError(
      `GAN.generate: z must be a tensor of shape [batch, ${gan.latentDim}], got ${describeTensor(z)}.`,
    );
  }
  const cond = gan.conditioning;
  if (!cond) return tf.tidy(() => gan.generator.apply(z, { training: false }) as tf.Tensor);
  assertBatchShape('GAN.generate', 'condition', condition, [cond.conditionDim]);
  return tf.tidy(() => cond.generate(gan.generator, z, condition as tf.Tensor, false));
}

/**
 * {@link GAN.discriminate}: the discriminator's logits on `x` (and the condition), in inference mode.
 * @throws {@link ShapeError} when `x` does not have the data shape or the condition does not fit.
 */
export function runDiscriminator(gan: GanNetworks, x: tf.Tensor, condition: tf.Tensor | undefined): tf.Tensor {
  assertBatchShape('GAN.discriminate', 'x', x, gan.dataShape);
  const cond = gan.conditioning;
  if (!cond) return tf.tidy(() => gan.discriminator.apply(x, { training: false }) as tf.Tensor);
  if (cond.discriminatorTakesCondition)
    assertBatchShape('GAN.discriminate', 'condition', condition, [cond.conditionDim]);
  return tf.tidy(() => cond.discriminate(gan.discriminator, x, condition as tf.Tensor, false).logits);
}

function obtain(
  role: 'generator' | 'discriminator',
  model: LayersModel | undefined,
  factory: NetworkFactory | undefined,
  context: NetworkContext,
  rng: SeededRandom,
): LayersModel {
  const factoryName = role === 'generator' ? 'buildGenerator' : 'buildDiscriminator';
  if (model !== undefined && factory !== undefined) {
    throw new ConfigError(`GAN: give either ${role} or ${factoryName}, not both.`);
  }
  if (model !== undefined) {
    if (!isLayersModel(model)) {
      throw new ConfigError(`GAN: ${role} must be a tfjs-layers LayersModel, got ${show(model)}.`);
    }
    return model;
  }
  if (typeof factory !== 'function') {
    throw new ConfigError(
      `GAN: ${factoryName} must be a function returning a tfjs-layers LayersModel, got ${show(factory)}.`,
    );
  }
  let built: unknown;
  try {
    built = withSeededMathRandom(rng, () => factory(context));
  } catch (err) {
    throw new ConfigError(`GAN: ${factoryName} threw: ${err instanceof Error ? err.message : String(err)}`, {
      cause: err,
    });
  }
  if (!isLayersModel(built)) {
    throw new ConfigError(`GAN: ${factoryName} must return a tfjs-layers LayersModel, got ${show(built)}.`);
  }
  return built;
}

function isLayersModel(value: unknown): value is LayersModel {
  const m = value as LayersModel | null;
  return (
    m !== null &&
    typeof m === 'object' &&
    typeof m.apply === 'function' &&
    typeof m.dispose === 'function' &&
    Array.isArray(m.outputs)
  );
}

function checkModelShape(
  factoryName: string,
  model: LayersModel,
  side: 'input' | 'output',
  expectedShapes: (number | null)[][],
): void {
  const tensors = side === 'input' ? model.inputs : model.outputs;
  const expectedText = expectedShapes.map(formatShape).join(' and ');
  if (tensors?.length !== expectedShapes.length) {
    const count = expectedShapes.length === 1 ? 'one' : String(expectedShapes.length);
    throw new ShapeError(
      `GAN: ${factoryName} must return a model with ${count} ${side}${expectedShapes.length === 1 ? '' : 's'} of shape ${expectedText}, ` +
        `got ${tensors ? tensors.length : 0} ${side}s.`,
    );
  }
  expectedShapes.forEach((expected, k) => {
    const shape = (tensors[k] as { shape: (number | null)[] }).shape;
    const matches = shape.length === expected.length && shape.every((d, i) => (i === 0 ? true : d === expected[i]));
    if (!matches) {
      const which = expectedShapes.length === 1 ? side : `${side} ${k}`;
      throw new ShapeError(
        `GAN: ${factoryName} ${which} must have shape ${formatShape(expected)}, got ${formatShape(shape)}.`,
      );
    }
  });
}

/** @throws {@link ConfigError} unless `value` is a non-empty array of positive integers. */
function checkDataShape(value: unknown): readonly number[] {
  if (
    !Array.isArray(value) ||
    value.length === 0 ||
    !value.every((d) => typeof d === 'number' && Number.isInteger(d) && d >= 1)
  ) {
    throw new ConfigError(`GAN: dataShape must be a non-empty array of positive integers, got ${show(value)}.`);
  }
  return Object.freeze([...value]);
}

/** @throws {@link ConfigError} unless `value` is a safe integer. */
export function checkSeed(value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    throw new ConfigError(`GAN: seed must be an integer, got ${show(value)}.`);
  }
  return value;
}
