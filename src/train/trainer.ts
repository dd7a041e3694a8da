/**
 * The training loop: per step, `discriminatorSteps` discriminator updates then one generator
 * update, with callbacks between steps.
 *
 * @packageDocumentation
 */
import type * as tf from '@tensorflow/tfjs-core';
// tfjs-layers registers the gradients of tfjs-core's ops; importing it here makes sure they are
// there whenever a Trainer exists, even if the application imported only tfjs-core itself.
import '@tensorflow/tfjs-layers';
import { type Callback, CallbackList, type TrainBeginInfo, type TrainEndInfo } from '../callbacks/callback.js';
import { History } from '../callbacks/history.js';
import { TerminateOnNaN } from '../callbacks/terminate-on-nan.js';
import { createStepSource, type LabelledTrainingData } from '../conditional/labelled-data.js';
import type { TrainingData } from '../data/batches.js';
import { ConfigError, StateError } from '../errors.js';
import type { GAN } from '../gan.js';
import type { CheckpointManifest } from '../io/manifest.js';
import type { CheckpointLocation } from '../io/store.js';
import { type RandomState, SeededRandom } from '../random.js';
import type { ExponentialMovingAverage } from '../regularizers/ema.js';
import { knownKeys, show } from '../util/validate.js';
import type { StepFunction } from './custom-step.js';
import { DataChecks } from './data-checks.js';
import { claimGan, fitLoop, fitSteps, type LoopHost } from './fit-loop.js';
import { TrainerOptimizers } from './optimizers.js';
import type { Regularizers } from './regularizer-options.js';
import { runStep, type StepInputs } from './run-step.js';
import { standardStep } from './standard-step.js';
import { checkRegularizers, StepHooks } from './step-hooks.js';
import { type TrainerLoadOptions, trainerIO } from './trainer-io.js';
import { type FitOptions, resolveOptions, TRAINER_OPTION_KEYS, type TrainerOptions } from './trainer-options.js';
import { trainableVariables } from './updates.js';

export type { FitOptions, TrainerOptions } from './trainer-options.js';

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
  private readonly optimizerSet: TrainerOptimizers;
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
    this.optimizerSet = new TrainerOptimizers(options);
    this.callbacks = [...(options.terminateOnNaN === false ? [] : [new TerminateOnNaN()]), ...resolved.callbacks];
    // Built last (the moving average allocates): nothing after it can throw and leak.
    this.hooks = new StepHooks(regularizers, gan);
    this.regularizers = this.hooks.regularizers;
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
    return this.optimizerSet.get().generator;
  }

  /** The discriminator's optimizer (the default Adam is created on first use). */
  get discriminatorOptimizer(): tf.Optimizer {
    return this.optimizerSet.get().discriminator;
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
    return trainerIO<Trainer>('Trainer.save').save(this, destination);
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
    return trainerIO<Trainer>('Trainer.load').load(source, options);
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
    const steps = fitSteps(options);
    const release = claimGan(this.gan, this);
    let source: ReturnType<typeof createStepSource>;
    try {
      source = createStepSource(data, this.gan, this.batchSize, this.rng);
    } catch (err) {
      release();
      throw err;
    }
    const history = new History();
    const callbacks = new CallbackList([history, ...this.callbacks, ...(options.callbacks ?? [])]);
    const begin: TrainBeginInfo = { gan: this.gan, steps, initialStep: this.stepCount, stop: () => this.stop() };
    this.running = true;
    this.stopRequested = false;
    try {
      await callbacks.onTrainBegin(begin);
      const host: LoopHost = {
        batchSize: this.batchSize,
        discriminatorSteps: this.discriminatorSteps,
        logEvery: this.logEvery,
        warmupSteps: this.warmupSteps,
        now: this.now,
        dataChecks: this.dataChecks,
        completed: () => this.stepCount,
        complete: (step) => {
          this.stepCount = step;
        },
        stopRequested: () => this.stopRequested,
        runStep: (inputs) => this.runStep(inputs),
      };
      const reason = await fitLoop(host, source, steps, callbacks, data);
      await callbacks.onTrainEnd({ ...begin, finalStep: this.stepCount, reason } satisfies TrainEndInfo);
      return history;
    } finally {
      this.running = false;
      release();
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
    this.optimizerSet.dispose();
    this.hooks.dispose();
  }

  /** One synchronous step: the step function inside one tidy, with Math.random seeded (dropout masks repeat too). */
  private runStep(inputs: StepInputs): { packed: tf.Tensor1D | undefined; keys: readonly string[] } {
    const gan = this.gan;
    const { generator: generatorOptimizer, discriminator: discriminatorOptimizer } = this.optimizerSet.get();
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
    return runStep(this.stepFunction, base, this.hooks, inputs);
  }

  private assertUsable(method: string): void {
    if (this.disposed) throw new StateError(`Trainer.${method}: this trainer has been disposed.`);
    this.gan.assertUsable(`${method} (through its Trainer)`);
  }
}
