/**
 * Trainer checkpoints: everything that decides the next training step, so that training N steps,
 * saving, loading (in another process) and training N more gives the same weights as 2N steps in
 * one go: both networks (BatchNorm statistics included), both optimizers' state, the step count,
 * the options, and the state of the training stream (which also draws the batch indices of a
 * tensor dataset, so the data order continues too).
 *
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { CheckpointError, ConfigError, GanError } from '../errors.js';
import { GAN } from '../gan.js';
import type { RandomState } from '../random.js';
import { Trainer, type TrainerOptions } from '../train/trainer.js';
import { registerTrainerIO, type TrainerLoadOptions } from '../train/trainer-io.js';
import { LOAD_OPTION_KEYS as TRAINER_LOAD_KEYS } from '../train/trainer-options.js';
import { trainableVariables } from '../train/updates.js';
import { knownKeys, show } from '../util/validate.js';
import { decodeWeightData, joinWeightData, messageOf, type NamedTensor } from './artifacts.js';
import { refuse } from './expectations.js';
import {
  buildGan,
  disposeGanSnapshot,
  type GanSnapshot,
  readCheckpoint,
  resolveLoss,
  snapshotGan,
  writeCheckpoint,
} from './gan-checkpoint.js';
import { type CheckpointManifest, randomStateJSON, type TrainerStateJSON } from './manifest.js';
import {
  checkOptimizerState,
  createOptimizer,
  type OptimizerSnapshot,
  restoreOptimizer,
  snapshotOptimizer,
} from './optimizer-state.js';
import { type CheckpointLocation, resolveCheckpointStore } from './store.js';
import { resolveExpectations, trainerDifferences } from './trainer-expectations.js';
import { checkCode, checkEmaState, EMA_PREFIX, restoreEma, runtimeOptions, savedOptions } from './trainer-state.js';

/** Weight-name prefixes of the two optimizers in the `checkpoint` part. */
const G_PREFIX = 'generatorOptimizer';
const D_PREFIX = 'discriminatorOptimizer';

const LOAD_OPTION_KEYS = [...TRAINER_LOAD_KEYS, 'expect'] as const;

/**
 * Saves a trainer (see {@link Trainer.save}). The state is captured synchronously when this is
 * called, so a save from a callback, or between fits, is consistent.
 * @returns the manifest written.
 */
export async function saveTrainer(trainer: Trainer, location: CheckpointLocation): Promise<CheckpointManifest> {
  if (trainer.isDisposed) throw new CheckpointError('Trainer.save: this trainer has been disposed.');
  trainer.gan.assertUsable('save (through its Trainer)');
  const store = resolveCheckpointStore('Trainer.save', location);
  const step = trainer.step;
  const randomState = randomStateJSON(trainer.getRandomState());
  const options = savedOptions(trainer);
  const code = {
    step: trainer.initialOptions.step !== undefined,
    penalties: (trainer.initialOptions.penalties ?? []).map((p) => p.name),
  };
  const ema = trainer.ema;
  let gan: GanSnapshot | undefined;
  let gOpt: OptimizerSnapshot | undefined;
  let dOpt: OptimizerSnapshot | undefined;
  let emaSnapshot: NamedTensor[] | undefined;
  const emaUpdates = ema?.updates ?? 0;
  try {
    gan = snapshotGan(trainer.gan);
    emaSnapshot = ema?.variables.map((v, i) => ({ name: `${EMA_PREFIX}/${i}`, tensor: tf.clone(v) }));
    // Synchronous for the tfjs optimizers, so that the whole capture happens in one go; other
    // optimizer classes report their state asynchronously (checked by the step count below).
    const g = snapshotOptimizer(G_PREFIX, trainer.generatorOptimizer);
    if (!(g instanceof Promise)) gOpt = g;
    let d: ReturnType<typeof snapshotOptimizer>;
    try {
      d = snapshotOptimizer(D_PREFIX, trainer.discriminatorOptimizer);
    } catch (err) {
      if (g instanceof Promise) g.then((s) => tf.dispose(s.named.map((n) => n.tensor))).catch(() => undefined);
      throw err;
    }
    if (!(d instanceof Promise)) dOpt = d;
    if (g instanceof Promise) gOpt = await g;
    if (d instanceof Promise) dOpt = await d;
    if (!gOpt || !dOpt) throw new CheckpointError('Trainer.save: the optimizers could not be captured.');
    // A step is synchronous and counted at once, so an unchanged count means a consistent capture.
    if (trainer.step !== step) {
      throw new CheckpointError(
        'Trainer.save: the trainer took a step while its state was being captured; save between fits ' +
          'or from a callback, and await the save.',
      );
    }
    const state: Omit<TrainerStateJSON, 'weights'> = {
      step,
      randomState,
      options,
      code,
      optimizers: { generator: gOpt.json, discriminator: dOpt.json },
    };
    if (emaSnapshot) state.ema = { updates: emaUpdates, count: emaSnapshot.length };
    return await writeCheckpoint(store, gan, {
      state,
      tensors: [...gOpt.named, ...dOpt.named, ...(emaSnapshot ?? [])],
    });
  } catch (err) {
    if (err instanceof GanError) throw err;
    throw new CheckpointError(`Trainer.save: checkpoint ${store.description} could not be written: ${messageOf(err)}`, {
      cause: err,
    });
  } finally {
    if (gan) disposeGanSnapshot(gan);
    for (const o of [gOpt, dOpt]) if (o) tf.dispose(o.named.map((n) => n.tensor));
    if (emaSnapshot) tf.dispose(emaSnapshot.map((n) => n.tensor));
  }
}

/**
 * Loads a trainer (see {@link Trainer.load}). Every check runs before anything is built; on any
 * failure, everything built so far is disposed.
 */
export async function loadTrainer(location: CheckpointLocation, options: TrainerLoadOptions = {}): Promise<Trainer> {
  const where = 'Trainer.load';
  if (options === null || typeof options !== 'object') {
    throw new ConfigError(`${where}: options must be an object, got ${show(options)}.`);
  }
  knownKeys(where, options, LOAD_OPTION_KEYS);
  const runtime = runtimeOptions(where, options);
  const read = await readCheckpoint(where, location);
  const { manifest } = read;
  const state = manifest.trainer;
  if (manifest.kind !== 'trainer' || !state) {
    throw new CheckpointError(`${read.where} holds a GAN without trainer state; load it with GAN.load.`);
  }
  const expect = resolveExpectations(read.where, options.expect, state);
  refuse(read.where, trainerDifferences(read, state, expect));
  checkCode(read.where, state, options);
  const loss = resolveLoss(read, expect?.loss);
  const gJSON = state.optimizers.generator;
  const dJSON = state.optimizers.discriminator;
  // Optimizers are built (and supplied ones checked) before the networks: both refusals are cheap.
  const supplied = [options.generatorOptimizer, options.discriminatorOptimizer];
  const built: tf.Optimizer[] = [];
  let gan: GAN | undefined;
  let tensors: tf.NamedTensorMap | undefined;
  let trainer: Trainer | undefined;
  try {
    const gOpt = createOptimizer(where, 'generatorOptimizer', gJSON, supplied[0]);
    if (gOpt !== supplied[0]) built.push(gOpt);
    const dOpt = createOptimizer(where, 'discriminatorOptimizer', dJSON, supplied[1]);
    if (dOpt !== supplied[1]) built.push(dOpt);
    tensors = decodeOptimizerTensors(read.where, read.parts.checkpoint);
    gan = await buildGan(GAN, read, loss);
    const gVars = trainableVariables(gan.generator);
    const dVars = trainableVariables(gan.discriminator);
    checkOptimizerState(read.where, G_PREFIX, gJSON, tensors, gVars);
    checkOptimizerState(read.where, D_PREFIX, dJSON, tensors, dVars);
    checkEmaState(read.where, state, tensors, gVars);
    try {
      trainer = new Trainer(gan, {
        ...(state.options as TrainerOptions),
        ...runtime,
        generatorOptimizer: gOpt,
        discriminatorOptimizer: dOpt,
      });
    } catch (err) {
      // The caller's options were checked above, so what fails here is a saved option.
      throw new CheckpointError(`${read.where}: the saved trainer options are invalid: ${messageOf(err)}`, {
        cause: err,
      });
    }
    // From here the trainer owns both optimizers (and disposes them with itself).
    built.length = 0;
    await restoreOptimizer(read.where, G_PREFIX, gOpt, gJSON, tensors, gVars);
    await restoreOptimizer(read.where, D_PREFIX, dOpt, dJSON, tensors, dVars);
    restoreEma(trainer, state, tensors);
    trainer.restoreProgress(state.step, state.randomState as unknown as RandomState);
    return trainer;
  } catch (err) {
    trainer?.dispose();
    for (const o of built) o.dispose();
    gan?.dispose();
    throw err;
  } finally {
    if (tensors) tf.dispose(Object.values(tensors));
  }
}

function decodeOptimizerTensors(where: string, artifacts: tf.io.ModelArtifacts): tf.NamedTensorMap {
  return decodeWeightData(`${where}: the optimizer state`, joinWeightData(artifacts.weightData), artifacts.weightSpecs);
}

/**
 * Makes {@link Trainer.save} and {@link Trainer.load} use this module (the trainer does not import
 * it, so that io depends on train one way). The library's entry point calls it; safe to call again.
 */
export function registerTrainerCheckpoints(): void {
  registerTrainerIO({ save: saveTrainer, load: loadTrainer });
}
