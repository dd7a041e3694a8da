/**
 * GAN checkpoints: both networks in the tfjs Layers format plus the GAN's configuration, and the
 * shared reading path (read, check, rebuild) that trainer checkpoints build on.
 *
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import * as tfl from '@tensorflow/tfjs-layers';
import { conditioningConfig } from '../conditional/conditioning.js';
import { CheckpointError, ConfigError } from '../errors.js';
import { type GanLoss, getLoss, LOSS_NAMES, type LossName } from '../losses/gan-loss.js';
import type { GANConfig, GanState } from '../types.js';
import { knownKeys, show } from '../util/validate.js';
import {
  digestWeights,
  disposeSnapshot,
  encodeNetwork,
  findNonFinite,
  loadNetwork,
  messageOf,
  type NamedTensor,
  type NetworkSnapshot,
  snapshotNetwork,
} from './artifacts.js';
import { type CheckpointExpectations, checkExpectations } from './expectations.js';
import type { CheckpointManifest, GanConfigJSON, TrainerStateJSON } from './manifest.js';
import { type ReadCheckpoint, readCheckpoint } from './read-checkpoint.js';
import {
  CHECKPOINT_PARTS,
  type CheckpointArtifacts,
  type CheckpointLocation,
  type CheckpointStore,
  resolveCheckpointStore,
} from './store.js';
import { CHECKPOINT_FORMAT, CHECKPOINT_FORMAT_VERSION, LIBRARY_VERSION } from './version.js';

export type { CheckpointExpectations } from './expectations.js';
export { type ReadCheckpoint, readCheckpoint } from './read-checkpoint.js';

/**
 * Options of {@link GAN.load}.
 * @category IO
 */
export interface GanLoadOptions {
  /** Checks to run before loading. */
  expect?: CheckpointExpectations;
}

/**
 * The constructor of the GAN to rebuild (the {@link GAN} class), passed in: this module reads GANs
 * through {@link GanState} and never imports the class.
 */
export type GanConstructor<G extends GanState = GanState> = new (config: GANConfig) => G;

/** A GAN's networks and config captured synchronously; the clones are the caller's to dispose. */
export interface GanSnapshot {
  config: GanConfigJSON;
  generator: NetworkSnapshot;
  discriminator: NetworkSnapshot;
}

/** Captures a GAN synchronously (see {@link snapshotNetwork}). */
export function snapshotGan(gan: GanState): GanSnapshot {
  const generator = snapshotNetwork(gan.generator);
  try {
    return {
      config: {
        latentDim: gan.latentDim,
        dataShape: [...gan.dataShape],
        loss: gan.loss.name,
        seed: gan.seed,
        ...(gan.conditioning ? { conditional: conditioningConfig(gan.conditioning) } : {}),
      },
      generator,
      discriminator: snapshotNetwork(gan.discriminator),
    };
  } catch (err) {
    disposeSnapshot(generator);
    throw err;
  }
}

/** Frees the clones of a snapshot. */
export function disposeGanSnapshot(snapshot: GanSnapshot): void {
  disposeSnapshot(snapshot.generator);
  disposeSnapshot(snapshot.discriminator);
}

/**
 * Encodes a snapshot into the three parts and writes them.
 * @param trainer - the trainer's JSON state (its `weights` digest is filled in here) and the optimizer tensors.
 * @returns the manifest written.
 */
export async function writeCheckpoint(
  store: CheckpointStore,
  gan: GanSnapshot,
  trainer?: { state: Omit<TrainerStateJSON, 'weights'>; tensors: NamedTensor[] },
): Promise<CheckpointManifest> {
  const generator = await encodeNetwork(gan.generator);
  const discriminator = await encodeNetwork(gan.discriminator);
  const checkpoint: tf.io.ModelArtifacts = { format: CHECKPOINT_FORMAT, generatedBy: `ts-gan ${LIBRARY_VERSION}` };
  const manifest: CheckpointManifest = {
    format: CHECKPOINT_FORMAT,
    formatVersion: CHECKPOINT_FORMAT_VERSION,
    kind: trainer ? 'trainer' : 'gan',
    library: { name: 'ts-gan', version: LIBRARY_VERSION },
    tfjs: { core: tf.version_core, layers: tfl.version_layers, backend: tf.getBackend() },
    gan: gan.config,
    networks: { generator: digestWeights(generator), discriminator: digestWeights(discriminator) },
  };
  if (trainer) {
    const { data, specs } = await tf.io.encodeWeights(trainer.tensors);
    checkpoint.weightSpecs = specs;
    checkpoint.weightData = data;
    manifest.trainer = { ...trainer.state, weights: digestWeights(checkpoint) };
  } else {
    checkpoint.weightSpecs = [];
    checkpoint.weightData = new ArrayBuffer(0);
  }
  checkpoint.modelTopology = manifest as unknown as object;
  refuseNonFinite(store, { generator, discriminator, checkpoint });
  await store.write({ generator, discriminator, checkpoint });
  return manifest;
}

/**
 * Refuses to write weights that hold NaN or an infinity, before the store is touched, so that a
 * run that diverged never replaces its last good checkpoint. Checked on the encoded bytes, for
 * every store.
 * @throws {@link CheckpointError} with code `ERR_GAN_NON_FINITE`, naming the first such weight.
 */
function refuseNonFinite(store: CheckpointStore, parts: CheckpointArtifacts): void {
  for (const part of CHECKPOINT_PARTS) {
    const bad = findNonFinite(parts[part]);
    if (!bad) continue;
    const what = part === 'checkpoint' ? 'trainer state (optimizers, moving average)' : part;
    throw new CheckpointError(
      `Checkpoint ${store.description} not written: the ${what}'s weight "${bad.name}" holds ${bad.value} ` +
        `(${bad.count} of ${bad.size} values are not finite), so training has diverged. What was saved there ` +
        'before is left as it was; resume from it with a lower learning rate, or check the data range.',
      { code: 'ERR_GAN_NON_FINITE' },
    );
  }
}

/**
 * The loss a checkpoint was trained with, as an object.
 * @throws {@link CheckpointError} when it is a custom loss the caller did not pass.
 */
export function resolveLoss(read: ReadCheckpoint, expected: LossName | GanLoss | undefined): GanLoss {
  const name = read.manifest.gan.loss;
  if (expected !== undefined && typeof expected === 'object') return expected;
  if ((LOSS_NAMES as readonly string[]).includes(name)) return getLoss(name as LossName);
  throw new CheckpointError(
    `${read.where}: the checkpoint was trained with the custom loss "${name}"; pass it as expect.loss to load it.`,
  );
}

/**
 * Rebuilds both networks and the GAN. On failure, nothing is left allocated.
 */
export async function buildGan<G extends GanState>(
  GANClass: GanConstructor<G>,
  read: ReadCheckpoint,
  loss: GanLoss,
): Promise<G> {
  const { where, parts, manifest } = read;
  const generator = await loadNetwork(`${where}, generator`, parts.generator);
  let discriminator: LayersModel;
  try {
    discriminator = await loadNetwork(`${where}, discriminator`, parts.discriminator);
  } catch (err) {
    generator.dispose();
    throw err;
  }
  const g = manifest.gan;
  try {
    // The GAN adopts both networks, and disposes them itself if a shape check fails.
    return new GANClass({
      latentDim: g.latentDim,
      dataShape: g.dataShape,
      generator,
      discriminator,
      loss,
      seed: g.seed,
      ...(g.conditional ?? {}),
    });
  } catch (err) {
    throw new CheckpointError(`${where}: the saved networks do not form a GAN: ${messageOf(err)}`, { cause: err });
  }
}

/**
 * Saves a GAN (see {@link GAN.save}).
 * @returns the manifest written.
 */
export async function saveGan(gan: GanState, location: CheckpointLocation): Promise<CheckpointManifest> {
  gan.assertUsable('save');
  const store = resolveCheckpointStore('GAN.save', location);
  const snapshot = snapshotGan(gan);
  try {
    return await writeCheckpoint(store, snapshot);
  } catch (err) {
    if (err instanceof CheckpointError) throw err;
    throw new CheckpointError(`GAN.save: checkpoint ${store.description} could not be written: ${messageOf(err)}`, {
      cause: err,
    });
  } finally {
    disposeGanSnapshot(snapshot);
  }
}

/**
 * Loads a GAN from a GAN or trainer checkpoint (see {@link GAN.load}).
 */
export async function loadGan<G extends GanState>(
  GANClass: GanConstructor<G>,
  location: CheckpointLocation,
  options: GanLoadOptions = {},
): Promise<G> {
  if (options === null || typeof options !== 'object') {
    throw new ConfigError(`GAN.load: options must be an object, got ${show(options)}.`);
  }
  knownKeys('GAN.load', options, ['expect']);
  const read = await readCheckpoint('GAN.load', location);
  checkExpectations(read, options.expect);
  return buildGan(GANClass, read, resolveLoss(read, options.expect?.loss));
}

/**
 * Reads and checks a checkpoint's manifest (format, versions, GAN config, step) without building
 * anything, for example to see whether a run can be resumed and at which step.
 *
 * @param location - where the checkpoint is.
 * @returns the manifest.
 * @throws {@link CheckpointError} when there is no checkpoint there or it is damaged.
 * @example
 * ```ts
 * const { kind, trainer } = await readCheckpointManifest('file://./runs/mnist');
 * console.log(kind, trainer?.step);
 * ```
 * @category IO
 */
export async function readCheckpointManifest(location: CheckpointLocation): Promise<CheckpointManifest> {
  return (await readCheckpoint('readCheckpointManifest', location)).manifest;
}
