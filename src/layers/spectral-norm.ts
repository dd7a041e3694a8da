/**
 * Spectral normalization (Miyato et al. 2018, "Spectral Normalization for Generative Adversarial
 * Networks") as a tfjs-layers wrapper: the wrapped layer computes with `W / sigma(W)`, where
 * sigma is the largest singular value of the kernel (reshaped to `[-1, lastDim]`), estimated by
 * power iteration with a persistent vector `u`.
 *
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { ConfigError } from '../errors.js';
import { positiveInteger, show } from '../util/validate.js';

type Layer = tfl.layers.Layer;
type LayerVariable = tfl.LayerVariable;
type Kwargs = { [key: string]: unknown };

/** Keeps the normalizations finite for an all-zero kernel. */
const EPSILON = 1e-12;

/**
 * Options of {@link spectralNormalization}.
 * @category Layers
 */
export interface SpectralNormalizationArgs {
  /** The layer to normalize: any layer whose weight is in a `kernel` property (Dense, Conv2D, Conv2DTranspose...). */
  layer: Layer;
  /** Power iterations per training call. Default 1, as in the paper (u persists between calls). */
  powerIterations?: number;
  /** Layer name. */
  name?: string;
  /** Input shape, when this is the first layer of a sequential model. */
  inputShape?: (number | null)[];
}

/** Gradient barrier: the power iteration's vectors are constants for backpropagation, as in the paper. */
const stopGradient = tf.customGrad(((x: tf.Tensor) => ({
  value: tf.clone(x),
  gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy),
})) as unknown as Parameters<typeof tf.customGrad>[0]) as (x: tf.Tensor) => tf.Tensor;

function l2Normalize(x: tf.Tensor): tf.Tensor {
  return tf.div(x, tf.add(tf.norm(x), EPSILON));
}

/**
 * The spectral-normalization wrapper layer. Serializable: it is registered with
 * `tf.serialization.registerClass`, so models that use it save and load like any other.
 *
 * @example
 * ```ts
 * const critic = tfl.sequential({ layers: [
 *   spectralNormalization({ layer: tfl.layers.dense({ units: 64 }), inputShape: [2] }),
 *   tfl.layers.leakyReLU({ alpha: 0.2 }),
 *   spectralNormalization({ layer: tfl.layers.dense({ units: 1 }) }),
 * ] });
 * ```
 * @category Layers
 */
export class SpectralNormalization extends tfl.layers.Layer {
  /** The name it is registered under. */
  static className = 'TsGanSpectralNormalization';
  /** The wrapped layer. */
  readonly layer: Layer;
  /** Power iterations per training call. */
  readonly powerIterations: number;
  private u: LayerVariable | undefined;

  /**
   * @param args - see {@link SpectralNormalizationArgs}.
   * @throws {@link ConfigError} when `layer` is not a layer or powerIterations is not a positive integer.
   */
  constructor(args: SpectralNormalizationArgs) {
    const { layer, powerIterations, ...base } = args ?? ({} as SpectralNormalizationArgs);
    super(base);
    if (!(layer instanceof tfl.layers.Layer)) {
      throw new ConfigError(`spectralNormalization: layer must be a tfjs-layers layer, got ${show(layer)}.`);
    }
    this.layer = layer;
    this.powerIterations = positiveInteger('spectralNormalization', 'powerIterations', powerIterations ?? 1);
  }

  override build(inputShape: tfl.Shape | tfl.Shape[]): void {
    if (!this.layer.built) {
      this.layer.build(inputShape);
      this.layer.built = true;
    }
    const kernel = this.kernelOf();
    const columns = kernel.shape[kernel.shape.length - 1] as number;
    this.u = this.addWeight('sn_u', [1, columns], 'float32', tfl.initializers.randomNormal({}), undefined, false);
    this.built = true;
  }

  override get trainableWeights(): LayerVariable[] {
    return this.trainable ? this.layer.trainableWeights : [];
  }

  override get nonTrainableWeights(): LayerVariable[] {
    const own = this.u ? [this.u] : [];
    return this.trainable ? [...this.layer.nonTrainableWeights, ...own] : [...this.layer.weights, ...own];
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape | tfl.Shape[] {
    return this.layer.computeOutputShape(inputShape);
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor | tf.Tensor[] {
    return tf.tidy(() => {
      const kernelVariable = this.kernelOf();
      const u = this.u as LayerVariable;
      const w = kernelVariable.read();
      const matrix = tf.reshape(w, [-1, w.shape[w.shape.length - 1] as number]);
      let uVec = stopGradient(u.read());
      let vVec = uVec;
      for (let i = 0; i < this.powerIterations; i++) {
        vVec = stopGradient(l2Normalize(tf.matMul(uVec, matrix, false, true)));
        uVec = stopGradient(l2Normalize(tf.matMul(vVec, matrix)));
      }
      // sigma = v W u^T, differentiable in W (u and v are constants).
      const sigma = tf.sum(tf.mul(tf.matMul(vVec, matrix), uVec));
      const normalized = tf.div(w, sigma);
      if (kwargs?.training === true) u.write(uVec);
      // The wrapped layer reads its weight through `kernel.read()`; it reads the normalized one
      // for the duration of this call.
      const holder = this.layer as unknown as { kernel: { read(): tf.Tensor } };
      const original = holder.kernel;
      holder.kernel = { read: () => normalized };
      try {
        return this.layer.call(inputs, kwargs);
      } finally {
        holder.kernel = original;
      }
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      powerIterations: this.powerIterations,
      layer: { className: this.layer.getClassName(), config: this.layer.getConfig() },
    };
  }

  /** Rebuilds the wrapper and its wrapped layer from {@link SpectralNormalization.getConfig}'s output. */
  static override fromConfig<T extends tf.serialization.Serializable>(
    cls: tf.serialization.SerializableConstructor<T>,
    config: tf.serialization.ConfigDict,
  ): T {
    const { layer: inner, ...rest } = config as { layer: { className: string; config: tf.serialization.ConfigDict } };
    const entry = tf.serialization.SerializationMap.getMap().classNameMap[inner.className];
    if (!entry) throw new ConfigError(`spectralNormalization: unknown wrapped layer class "${inner.className}".`);
    const [innerClass, innerFromConfig] = entry;
    const layer = innerFromConfig(innerClass, inner.config) as unknown as Layer;
    return new cls({ ...rest, layer } as unknown as tf.serialization.ConfigDict);
  }

  private kernelOf(): LayerVariable {
    const kernel = (this.layer as unknown as { kernel?: LayerVariable }).kernel;
    if (!kernel || typeof kernel.read !== 'function') {
      throw new ConfigError(
        `spectralNormalization: the wrapped ${this.layer.getClassName()} layer has no kernel to normalize.`,
      );
    }
    return kernel;
  }
}

tf.serialization.registerClass(SpectralNormalization);

/**
 * Wraps a layer with spectral normalization (Miyato et al. 2018).
 *
 * @param args - the layer, power iterations, and the usual name/inputShape.
 * @returns the wrapper layer.
 * @throws {@link ConfigError} for a bad argument.
 * @category Layers
 */
export function spectralNormalization(args: SpectralNormalizationArgs): SpectralNormalization {
  return new SpectralNormalization(args);
}
