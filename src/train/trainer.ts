/**
 * The training loop: per step, `discriminatorSteps` discriminator updates then one generator
 * update, with callbacks between steps.
 *
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
// tfjs-layers registers the gradients of tfjs-core's ops; importing it here makes sure they are
// there whenever a Trainer exists, even if the application imported only tfjs-core itself.
import '@tensorflow/tfjs-layers';
import { type Callback, CallbackList, type TrainBeginInfo, type TrainEndInfo } from '../callbacks/callback.js';
import { History } from '../callbacks/history.js';
import { TerminateOnNaN } from '../callbacks/terminate-on-nan.js';
import {
  createStepSource,
  isLabelledData,
  type LabelledTrainingData,
  type StepBatchSource,
} from '../conditional/labelled-data.js';
import type { TrainingData } from '../data/batches.js';
import { ConfigError, StateError } from '../errors.js';
import type { GAN } from '../gan.js';
import type { CheckpointManifest } from '../io/manifest.js';
import type { CheckpointLocation } from '../io/store.js';
import { type RandomState, SeededRandom, withSeededMathRandom } from '../random.js';
import type { ExponentialMovingAverage } from '../regularizers/ema.js';
import type { InstanceNoise } from '../regularizers/instance-noise.js';
import type { StepLogs } from '../types.js';
import { knownKeys, positiveInteger, show } from '../util/validate.js';
import { STANDARD_LOG_KEYS, type StepFunction } from './custom-step.js';
import { DataChecks } from './data-checks.js';
import type { Regularizers } from './regularizer-options.js';
import { runStep } from './run-step.js';
import { standardStep } from './standard-step.js';
import { checkRegularizers, StepHooks } from './step-hooks.js';
import { type TrainerLoadOptions, trainerIO } from './trainer-io.js';
import {
  adamBetasOption,
  type FitOptions,
  optimizerChoice,
  optimizerFrom,
  resolveOptions,
  TRAINER_OPTION_KEYS,
  type TrainerOptions,
} from './trainer-options.js';
import { trainableVariables } from './updates.js';

export type { FitOptions, TrainerOptions } from './trainer-options.js';

/**
 * Marks a GAN that a `fit` is training, with the trainer that runs it. A registered symbol, so that
 * an ESM and a CommonJS copy of the library see each other's mark.
 */
const FITTING = Symbol.for('ts-gan.Trainer.fitting');
type MarkedGan = GAN & { [FITTING]?: Trainer };

/**
 * Trains a {@link GAN}. One step is `discriminatorSteps` discriminator updates, each on a fresh
 * real batch and as many generated samples, then one generator update on `batchSize` samples.
 * The network not being trained is frozen through the optimizer's variable list and runs in
 * inference mode (see {@link discriminatorUpdate}).
 *
 * @example
 * ```ts
 * const trainer = new Trainer(gan, { batchSize: 32, callbacks: [{ onStepEnd: (s, l) => console.log(s, l.gLoss) }] });
 * const history = await trainer.fit(images, { steps: 1000 });
 * trainer.dispose();
 * ```
 * @category Training
 */
export class Trainer {
  /** The GAN this trainer trains. */
  readonly gan: GAN;
  /** Real samples per discriminator update. */
  readonly batchSize: number;
  /** Discriminator updates per step. */
  readonly discriminatorSteps: number;
  /** One-sided label smoothing. */
  readonly labelSmoothing: number;
  /** Discriminator-only steps at the start. */
  readonly warmupSteps: number;
  /** Logging interval in steps. */
  readonly logEvery: number;
  /** The regularizers the options configured (penalties, clipping, instance noise). */
  readonly regularizers: Regularizers;
  /**
   * The options as given to the constructor (a shallow copy), for checkpoints.
   * @internal
   */
  readonly initialOptions: Readonly<TrainerOptions>;

  /** The step function: the `step` option, or {@link standardStep}. */
  private readonly stepFunction: StepFunction;
  /** The regularizers' hooks on the step. */
  private readonly hooks: StepHooks;
  /** How the frozen network runs (option `frozenNetworkMode`). */
  private readonly frozenMode: 'inference' | 'training';
  private readonly callbacks: readonly Callback[];
  /** The optimizers as the options chose them: given ones, or the default Adam's learning rate. */
  private readonly optimizerChoices: {
    generator: tf.Optimizer | number;
    discriminator: tf.Optimizer | number;
    betas: readonly [number, number];
  };
  private optimizers: { generator: tf.Optimizer; discriminator: tf.Optimizer } | undefined;
  private readonly dataChecks = new DataChecks();
  private readonly now: () => number;
  private rng: SeededRandom;
  private stepCount = 0;
  private running = false;
  private stopRequested = false;
  private disposed = false;

  /**
   * @param gan - the GAN to train.
   * @param options - see {@link TrainerOptions}.
   * @throws {@link ConfigError} for an invalid option, naming it and what it got.
   */
  constructor(gan: GAN, options: TrainerOptions = {}) {
    if (!gan || typeof gan !== 'object' || typeof (gan as GAN).assertUsable !== 'function') {
      throw new ConfigError(`Trainer: gan must be a GAN, got ${show(gan)}.`);
    }
    gan.assertUsable('(Trainer constructor)');
    if (options === null || typeof options !== 'object') {
      throw new ConfigError(`Trainer: options must be an object, got ${show(options)}.`);
    }
    knownKeys('Trainer', options, TRAINER_OPTION_KEYS);
    this.gan = gan;
    const resolved = resolveOptions(options, gan);
    this.batchSize = resolved.batchSize;
    this.discriminatorSteps = resolved.discriminatorSteps;
    this.labelSmoothing = resolved.labelSmoothing;
    this.warmupSteps = resolved.warmupSteps;
    this.logEvery = resolved.logEvery;
    this.rng = new SeededRandom(resolved.seed);
    this.now = resolved.now;
    this.stepFunction = resolved.step ?? standardStep;
    this.frozenMode = resolved.frozenNetworkMode;
    // Checked before anything is allocated, so that a refused option leaks nothing.
    const regularizers = checkRegularizers(gan, options as Readonly<Record<string, unknown>>);
    this.initialOptions = Object.freeze({ ...options });
    const betas = adamBetasOption(options);
    const generatorChoice = optimizerChoice('generator', options.generatorOptimizer, options.generatorLearningRate);
    const discriminatorChoice = optimizerChoice(
      'discriminator',
      options.discriminatorOptimizer,
      options.discriminatorLearningRate,
    );
    if (generatorChoice === discriminatorChoice && typeof generatorChoice !== 'number') {
      throw new ConfigError(
        'Trainer: generatorOptimizer and discriminatorOptimizer must be two different optimizers; ' +
          'one optimizer would share its moment estimates between the networks.',
      );
    }
    // The default Adams hold tensors from birth: made at the first step (or first access), so that
    // a fit refused before any step leaves nothing allocated.
    this.optimizerChoices = { generator: generatorChoice, discriminator: discriminatorChoice, betas };
    this.callbacks = [...(options.terminateOnNaN === false ? [] : [new TerminateOnNaN()]), ...resolved.callbacks];
    // Built last (the moving average allocates): nothing after it can throw and leak.
    this.hooks = new StepHooks(regularizers, gan);
    this.regularizers = Object.freeze({
      penalties: this.hooks.penalties,
      weightClip: this.hooks.state.weightClip as number | undefined,
      instanceNoise: this.hooks.state.instanceNoise as InstanceNoise | undefined,
    });
  }

  /**
   * The moving average of the generator's weights, when the `ema` option is set; updated after
   * every generator update and disposed with the trainer. Sample from it with
   * `trainer.ema.withAveragedWeights(() => gan.sample(n))`.
   */
  get ema(): ExponentialMovingAverage | undefined {
    return this.hooks.state.ema as ExponentialMovingAverage | undefined;
  }

  /** The generator's optimizer (the default Adam is created on first use). */
  get generatorOptimizer(): tf.Optimizer {
    return this.ownOptimizers().generator;
  }

  /** The discriminator's optimizer (the default Adam is created on first use). */
  get discriminatorOptimizer(): tf.Optimizer {
    return this.ownOptimizers().discriminator;
  }

  private ownOptimizers(): { generator: tf.Optimizer; discriminator: tf.Optimizer } {
    if (this.optimizers) return this.optimizers;
    const { generator, discriminator, betas } = this.optimizerChoices;
    if (this.disposed && (typeof generator === 'number' || typeof discriminator === 'number')) {
      throw new StateError('Trainer: this trainer has been disposed; its optimizers are gone.');
    }
    this.optimizers = {
      generator: optimizerFrom(generator, betas),
      discriminator: optimizerFrom(discriminator, betas),
    };
    return this.optimizers;
  }

  /** How the frozen network runs during the other network's update (option `frozenNetworkMode`). */
  get frozenNetworkMode(): 'inference' | 'training' {
    return this.frozenMode;
  }

  /** Steps completed by this trainer so far. */
  get step(): number {
    return this.stepCount;
  }

  /** Whether a `fit` is running. */
  get isTraining(): boolean {
    return this.running;
  }

  /** The training stream's state (for checkpoints). */
  getRandomState(): RandomState {
    return this.rng.getState();
  }

  /** Whether {@link Trainer.dispose} has run. */
  get isDisposed(): boolean {
    return this.disposed;
  }

  /**
   * Saves everything that decides the next step: both networks (BatchNorm statistics included),
   * both optimizers' state, the step count, the options and the random stream (which also orders
   * a tensor dataset's batches). The state is captured when called: call it between fits or from
   * a callback, and await it. See docs/checkpoints.md.
   *
   * @param destination - a URL (`file://` or a path on Node with `ts-gan/node`, `indexeddb://`,
   *   `localstorage://`, `downloads://`, `http(s)://`), a tfjs IOHandler, or one handler per part.
   * @returns the manifest written.
   * @throws {@link CheckpointError} when it cannot be written (a file checkpoint keeps its previous version);
   *   code `ERR_GAN_NON_FINITE` when a weight or optimizer slot is NaN or infinite (nothing is written),
   *   `ERR_GAN_CHECKPOINT_LOCKED` when another writer is saving into the same folder.
   * @example
   * ```ts
   * await trainer.save('file://./runs/mnist');
   * ```
   */
  save(destination: CheckpointLocation): Promise<CheckpointManifest> {
    return trainerIO('Trainer.save').save(this, destination);
  }

  /**
   * Loads a trainer saved with {@link Trainer.save}; `fit` then continues exactly where the saved
   * run was. `trainer.gan` is the restored GAN (dispose it too when done).
   *
   * @param source - where the checkpoint is (as for {@link Trainer.save}).
   * @param options - callbacks and clock (not saved), and `expect` to check the checkpoint.
   * @returns the restored trainer.
   * @throws {@link CheckpointError} naming the field that differs from `expect`, or the damaged
   *   part; nothing is left allocated.
   * @example
   * ```ts
   * const trainer = await Trainer.load('file://./runs/mnist', { expect: { dataShape: [28, 28, 1] } });
   * await trainer.fit(images, { steps: 1000 });
   * ```
   */
  static load(source: CheckpointLocation, options?: TrainerLoadOptions): Promise<Trainer> {
    return trainerIO('Trainer.load').load(source, options);
  }

  /**
   * Continues a saved run's step count and random stream. Used by {@link Trainer.load}.
   * @internal
   */
  restoreProgress(step: number, randomState: RandomState): void {
    if (this.stepCount !== 0 || this.running) {
      throw new StateError('Trainer.restoreProgress: only a trainer that has not trained can take a saved state.');
    }
    this.rng = SeededRandom.fromState(randomState);
    this.stepCount = step;
  }

  /**
   * Trains for `steps` steps, continuing the step count.
   *
   * @param data - a tensor `[N, ...dataShape]` in the generator's output range (usually [-1, 1]),
   *   or an (async) iterable of batches; see {@link TrainingData}.
   * @param options - `steps`, and callbacks for this call.
   * @returns the {@link History} of this call's logged steps.
   * @throws {@link StateError} when another `fit` runs or after dispose;
   *   {@link ShapeError}/{@link DataError} for bad data (before any update);
   *   {@link NonFiniteLossError} when a loss goes NaN (with the default `terminateOnNaN`);
   *   whatever a callback throws.
   */
  async fit(data: TrainingData | LabelledTrainingData, options: FitOptions): Promise<History> {
    this.assertUsable('fit');
    if (this.running) {
      throw new StateError('Trainer.fit: a fit is already running on this trainer; await it or call stop() first.');
    }
    if (options === null || typeof options !== 'object') {
      throw new ConfigError(`Trainer.fit: options must be an object like { steps: 1000 }, got ${show(options)}.`);
    }
    knownKeys('Trainer.fit', options, ['steps', 'callbacks']);
    const steps = positiveInteger('Trainer.fit', 'steps', options.steps);
    const gan = this.gan as MarkedGan;
    if (gan[FITTING] !== undefined) {
      throw new StateError(
        'Trainer.fit: another Trainer is fitting this GAN; two fits at once would interleave their updates of ' +
          'the same networks. Await that fit (or stop it) first, or train a separate GAN.',
      );
    }
    const source = createStepSource(data, this.gan, this.batchSize, this.rng);
    const history = new History();
    const callbacks = new CallbackList([history, ...this.callbacks, ...(options.callbacks ?? [])]);
    const begin: TrainBeginInfo = { gan: this.gan, steps, initialStep: this.stepCount, stop: () => this.stop() };
    this.running = true;
    this.stopRequested = false;
    gan[FITTING] = this;
    try {
      await callbacks.onTrainBegin(begin);
      const dataset = data instanceof tf.Tensor ? data : isLabelledData(data) ? data.x : undefined;
      for (const warning of await this.dataChecks.dataset(dataset, this.batchSize, this.stepCount + 1)) {
        await callbacks.onWarning(warning);
      }
      const reason = await this.loop(source, steps, callbacks, dataset === undefined);
      await callbacks.onTrainEnd({ ...begin, finalStep: this.stepCount, reason } satisfies TrainEndInfo);
      return history;
    } finally {
      this.running = false;
      delete gan[FITTING];
      await source.close();
    }
  }

  /** Asks a running `fit` to stop after the current step. It resolves normally. */
  stop(): void {
    this.stopRequested = true;
  }

  /** Frees both optimizers' state. The GAN is not disposed. Safe to call twice. */
  dispose(): void {
    if (this.disposed) return;
    if (this.running) throw new StateError('Trainer.dispose: a fit is running; stop it and await it first.');
    this.disposed = true;
    // The optimizers the caller gave are the trainer's to dispose (it took ownership), made or not.
    const { generator, discriminator } = this.optimizers ?? this.optimizerChoices;
    for (const optimizer of [generator, discriminator]) if (typeof optimizer !== 'number') optimizer.dispose();
    this.hooks.dispose();
  }

  private async loop(
    source: StepBatchSource,
    steps: number,
    callbacks: CallbackList,
    checkFirstBatch: boolean,
  ): Promise<TrainEndInfo['reason']> {
    let lastLogTime = this.now();
    let lastLogStep = this.stepCount;
    for (let i = 0; i < steps; i++) {
      if (this.stopRequested) return 'stopped';
      const step = this.stepCount + 1;
      await callbacks.onStepBegin(step);
      const batches: tf.Tensor[] = [];
      const labelBatches: (tf.Tensor1D | undefined)[] = [];
      try {
        for (let k = 0; k < this.discriminatorSteps; k++) {
          const batch = await source.next();
          if (batch === null) return 'data-exhausted';
          batches.push(batch.x);
          labelBatches.push(batch.labels);
        }
        if (i === 0 && checkFirstBatch) {
          for (const warning of await this.dataChecks.batch(batches[0] as tf.Tensor, step)) {
            await callbacks.onWarning(warning);
          }
        }
        const logged = step % this.logEvery === 0 || i === steps - 1;
        const { packed, keys } = this.runStep(batches, labelBatches, step, step <= this.warmupSteps, logged);
        this.stepCount = step;
        if (packed) {
          const values = await packed.data();
          packed.dispose();
          const time = this.now();
          const logs: StepLogs = {
            dLoss: values[0] as number,
            gLoss: values[1] as number,
            dReal: values[2] as number,
            dFake: values[3] as number,
            stepsPerSecond: time > lastLogTime ? ((step - lastLogStep) * 1000) / (time - lastLogTime) : 0,
          };
          for (let j = STANDARD_LOG_KEYS.length; j < keys.length; j++) logs[keys[j] as string] = values[j] as number;
          lastLogTime = time;
          lastLogStep = step;
          await callbacks.onStepEnd(step, logs);
        }
      } finally {
        for (const b of batches) b.dispose();
        for (const l of labelBatches) l?.dispose();
      }
    }
    return this.stopRequested ? 'stopped' : 'completed';
  }

  /**
   * One synchronous step inside one tidy: the step function decides the updates. Returns
   * `[dLoss, gLoss, dReal, dFake, ...extras]` on logged steps, with the log keys in the same order.
   * Math.random is seeded for its duration, so dropout masks repeat too.
   */
  private runStep(
    batches: readonly tf.Tensor[],
    labelBatches: readonly (tf.Tensor1D | undefined)[],
    step: number,
    warmup: boolean,
    logged: boolean,
  ): { packed: tf.Tensor1D | undefined; keys: readonly string[] } {
    const gan = this.gan;
    const { generator: generatorOptimizer, discriminator: discriminatorOptimizer } = this.ownOptimizers();
    const base = {
      gan,
      generatorOptimizer,
      discriminatorOptimizer,
      generatorVariables: trainableVariables(gan.generator),
      discriminatorVariables: trainableVariables(gan.discriminator),
      batchSize: this.batchSize,
      rng: this.rng,
      realLabel: 1 - this.labelSmoothing,
      frozenNetworkMode: this.frozenMode,
    };
    const inputs = {
      real: batches[batches.length - 1] as tf.Tensor,
      reals: batches,
      labels: labelBatches[labelBatches.length - 1],
      labelBatches,
      step,
      logged,
      warmup,
    };
    let keys: readonly string[] = STANDARD_LOG_KEYS;
    const packed = withSeededMathRandom(this.rng, () =>
      tf.tidy(() => {
        const out = runStep(this.stepFunction, base, this.hooks, inputs);
        keys = out.keys;
        return out.packed;
      }),
    );
    return { packed, keys };
  }

  private assertUsable(method: string): void {
    if (this.disposed) throw new StateError(`Trainer.${method}: this trainer has been disposed.`);
    this.gan.assertUsable(`${method} (through its Trainer)`);
  }
}
