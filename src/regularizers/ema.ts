/**
 * An exponential moving average of a network's weights (Yazıcı et al. 2019, "The Unusual
 * Effectiveness of Averaging in GAN Training"; Karras et al. 2018): the averaged generator usually
 * samples better than the last iterate.
 *
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { ConfigError, StateError } from '../errors.js';
import { knownKeys, numberInRange, show } from '../util/validate.js';
import { defineRegularizer } from './hooks.js';

/**
 * Options of {@link ExponentialMovingAverage} (trainer option `ema`).
 * @category Regularizers
 */
export interface EmaOptions {
  /** Weight of the old average per update, in [0, 1). Default 0.999. */
  decay?: number;
}

/** A common choice for GAN generators (ProGAN uses 0.999). */
const DEFAULT_DECAY = 0.999;

/**
 * Keeps `average = decay * average + (1 - decay) * weight` for each trainable weight of a model,
 * starting from the weights it has when constructed. BatchNorm moving statistics are not averaged:
 * the model's own are used.
 *
 * The averages are plain `tf.Variable`s in {@link ExponentialMovingAverage.variables}, in the order
 * of `model.trainableWeights`, so that a checkpoint can save and restore them.
 *
 * @example
 * ```ts
 * const trainer = new Trainer(gan, { ema: { decay: 0.999 } });
 * await trainer.fit(data, { steps: 1000 });
 * const images = trainer.ema!.withAveragedWeights(() => gan.sample(16));
 * ```
 * @category Regularizers
 */
export class ExponentialMovingAverage {
  /** The decay. */
  readonly decay: number;
  /** The averages, one per trainable weight of the model, in order. Owned by this object. */
  readonly variables: readonly tf.Variable[];
  private readonly model: LayersModel;
  private updatesDone = 0;
  private disposed = false;

  /**
   * @param model - the network to average (usually `gan.generator`). Not owned.
   * @param options - the decay.
   * @throws {@link ConfigError} for a decay outside [0, 1).
   */
  constructor(model: LayersModel, options: EmaOptions = {}) {
    this.decay = checkEmaOptions(options);
    this.model = model;
    // Unnamed: tfjs names them uniquely, so that two averages of one model can coexist.
    this.variables = model.trainableWeights.map((w) => tf.variable(w.read(), false));
  }

  /** How many updates have been averaged in (for checkpoints). */
  get updates(): number {
    return this.updatesDone;
  }

  /** Restores the update count (for checkpoints; the variables are restored by assigning them). */
  set updates(value: number) {
    this.updatesDone = value;
  }

  /** Averages the model's current weights in. */
  update(): void {
    this.assertUsable('update');
    const weights = this.model.trainableWeights;
    tf.tidy(() => {
      this.variables.forEach((avg, i) => {
        const w = (weights[i] as (typeof weights)[number]).read();
        // avg + (1 - decay) * (w - avg): one fused form of decay * avg + (1 - decay) * w.
        avg.assign(tf.add(avg, tf.mul(1 - this.decay, tf.sub(w, avg))));
      });
    });
    this.updatesDone++;
  }

  /**
   * Runs `fn` with the model's trainable weights replaced by their averages, then puts the
   * trained weights back (also when `fn` throws). `fn` must be synchronous.
   *
   * @param fn - for example `() => gan.sample(16)`.
   * @returns what `fn` returns.
   */
  withAveragedWeights<T>(fn: () => T): T {
    this.assertUsable('withAveragedWeights');
    const weights = this.model.trainableWeights.map((w) => w.read() as tf.Variable);
    const saved = weights.map((v) => tf.clone(v));
    try {
      for (const [i, v] of weights.entries()) v.assign(this.variables[i] as tf.Variable);
      return fn();
    } finally {
      for (const [i, v] of weights.entries()) v.assign(saved[i] as tf.Tensor);
      for (const t of saved) t.dispose();
    }
  }

  /** Frees the averages. Safe to call twice. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const v of this.variables) v.dispose();
  }

  private assertUsable(method: string): void {
    if (this.disposed) throw new StateError(`ExponentialMovingAverage.${method}: it has been disposed.`);
  }
}

/**
 * Checks {@link EmaOptions} without allocating anything.
 * @param options - the options.
 * @returns the decay.
 * @throws {@link ConfigError} for an unknown key or a decay outside [0, 1).
 */
export function checkEmaOptions(options: EmaOptions): number {
  if (options === null || typeof options !== 'object') {
    throw new ConfigError(`ema: options must be an object like { decay: 0.999 }, got ${show(options)}.`);
  }
  knownKeys('ema', options, ['decay']);
  return numberInRange('ema', 'decay', options.decay ?? DEFAULT_DECAY, 0, 1);
}

/** Trainer option `ema`: averages the generator's weights after each of its updates; `trainer.ema`. */
export const emaRegularizer = defineRegularizer({
  option: 'ema',
  checkpoint: 'json',
  check(value: EmaOptions): EmaOptions {
    checkEmaOptions(value);
    return value;
  },
  create(options, gan) {
    const ema = new ExponentialMovingAverage(gan.generator, options);
    return { afterGeneratorUpdate: () => ema.update(), state: ema, dispose: () => ema.dispose() };
  },
});
