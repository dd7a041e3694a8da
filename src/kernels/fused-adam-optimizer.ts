/**
 * Adam with a one-kernel-per-variable update. tf.train.adam runs about a dozen element-wise kernels
 * per variable per step (two moments, bias corrections, square root, ...), each reading and
 * writing the whole tensor; on wasm and cpu that is a large part of a GAN step. This optimizer
 * computes the same formula, in the same float32 operation order, in one kernel
 * (`TsGanAdamUpdate`) when the active backend has one registered (`ts-gan/backends` registers it
 * for wasm and cpu), and otherwise is exactly tf.train.adam.
 *
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { ADAM_UPDATE_KERNEL, type AdamUpdateAttrs } from './adam-update.js';

/** tfjs-core's NamedTensor (not exported from its index). */
interface NamedTensor {
  name: string;
  tensor: tf.Tensor;
}

/** AdamOptimizer's state, private in its typings. */
interface AdamState {
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
  accumulatedFirstMoment: ({ originalName: string; variable: tf.Variable } | undefined)[];
  accumulatedSecondMoment: ({ originalName: string; variable: tf.Variable } | undefined)[];
}

/**
 * tf.train.adam's optimizer, with its per-variable update done by one fused kernel where the
 * active backend registers one (see `ts-gan/backends`, fix `fused-adam`). Same results as
 * tf.train.adam (the kernel follows its float32 operation order), same weights for checkpoints
 * (`getWeights`/`setWeights`), same serialized class name (`Adam`).
 *
 * @example
 * ```ts
 * const optimizer = new FusedAdamOptimizer(2e-4, 0.5, 0.999, 1e-7);
 * ```
 * @category Training
 */
export class FusedAdamOptimizer extends tf.AdamOptimizer {
  /**
   * @param learningRate - step size.
   * @param beta1 - decay of the first moment.
   * @param beta2 - decay of the second moment.
   * @param epsilon - added to the denominator; pass it explicitly (tfjs picks 1e-4 on WebGL).
   */
  constructor(learningRate: number, beta1: number, beta2: number, epsilon: number) {
    super(learningRate, beta1, beta2, epsilon);
  }

  /** Applies one update; falls back to tf.train.adam's op sequence without a fused kernel. */
  override applyGradients(variableGradients: tf.NamedTensorMap | NamedTensor[]): void {
    if (tf.getKernel(ADAM_UPDATE_KERNEL, tf.getBackend()) === undefined) {
      super.applyGradients(variableGradients as Parameters<tf.AdamOptimizer['applyGradients']>[0]);
      return;
    }
    const state = this as unknown as AdamState;
    const names = Array.isArray(variableGradients)
      ? variableGradients.map((v) => v.name)
      : Object.keys(variableGradients);
    const accBeta1 = (state.accBeta1.dataSync() as Float32Array)[0] as number;
    const accBeta2 = (state.accBeta2.dataSync() as Float32Array)[0] as number;
    const f = Math.fround;
    const attrs: AdamUpdateAttrs = {
      beta1: f(this.beta1),
      oneMinusBeta1: f(1 - this.beta1),
      beta2: f(this.beta2),
      oneMinusBeta2: f(1 - this.beta2),
      oneMinusAccBeta1: f(1 - accBeta1),
      oneMinusAccBeta2: f(1 - accBeta2),
      epsilon: f(this.epsilon),
      negLearningRate: f(-this.learningRate),
    };
    tf.tidy(() => {
      names.forEach((name, i) => {
        const value = tf.engine().registeredVariables[name] as tf.Variable;
        if (state.accumulatedFirstMoment[i] == null) {
          state.accumulatedFirstMoment[i] = {
            originalName: `${name}/m`,
            variable: tf.tidy(() => tf.variable(tf.zerosLike(value), false)),
          };
        }
        if (state.accumulatedSecondMoment[i] == null) {
          state.accumulatedSecondMoment[i] = {
            originalName: `${name}/v`,
            variable: tf.tidy(() => tf.variable(tf.zerosLike(value), false)),
          };
        }
        const gradient = Array.isArray(variableGradients)
          ? (variableGradients[i] as NamedTensor).tensor
          : variableGradients[name];
        if (gradient == null) return;
        const m = (state.accumulatedFirstMoment[i] as { variable: tf.Variable }).variable;
        const v = (state.accumulatedSecondMoment[i] as { variable: tf.Variable }).variable;
        if (value.dtype !== 'float32' || gradient.dtype !== 'float32') {
          throw new Error(`FusedAdamOptimizer: ${name} must be float32, got ${value.dtype}.`);
        }
        const [x2, m2, v2] = tf
          .engine()
          .runKernel(ADAM_UPDATE_KERNEL, { x: value, m, v, g: gradient }, attrs) as tf.Tensor[];
        m.assign(m2 as tf.Tensor);
        v.assign(v2 as tf.Tensor);
        value.assign(x2 as tf.Tensor);
      });
      state.accBeta1.assign(tf.mul(state.accBeta1, this.beta1));
      state.accBeta2.assign(tf.mul(state.accBeta2, this.beta2));
    });
    this.incrementIterations();
  }
}
