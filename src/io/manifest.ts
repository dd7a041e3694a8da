/**
 * The manifest: the JSON that says what a checkpoint is (format, versions, GAN config, trainer
 * state) and records a checksum of each network's weights. It is the `modelTopology` of the
 * checkpoint's `checkpoint` part, written last.
 *
 * @packageDocumentation
 */
import type * as tf from '@tensorflow/tfjs-core';
import type { ConditioningConfig } from '../conditional/conditioning.js';
import { CheckpointError } from '../errors.js';
import type { RandomState } from '../random.js';
import { digestWeights, type WeightDigest } from './artifacts.js';
import { checkOptimizerJSON, type OptimizerStateJSON } from './optimizer-state.js';
import type { CheckpointArtifacts } from './store.js';
import { CHECKPOINT_FORMAT, CHECKPOINT_FORMAT_VERSION } from './version.js';

/**
 * The GAN's configuration as a checkpoint keeps it.
 * @category IO
 */
export interface GanConfigJSON {
  latentDim: number;
  dataShape: number[];
  /** Name of the loss; a custom loss must be passed again when loading (`expect.loss`). */
  loss: string;
  seed: number;
  /** A conditional GAN's options, as given to the GAN constructor (numClasses, conditioning, auxiliaryWeight, infoCodes). */
  conditional?: ConditioningConfig;
}

/**
 * The trainer's state as a checkpoint keeps it (its tensors are the `checkpoint` part's weights).
 * @category IO
 */
export interface TrainerStateJSON {
  /** Steps completed. */
  step: number;
  /** State of the training stream (noise, batch indices, dropout). */
  randomState: [number, number, number, number];
  /** The trainer options that decide the next step (batchSize, discriminatorSteps, regularizers, ...). */
  options: Record<string, unknown>;
  /** Code the run used, which must be passed again to Trainer.load: a custom step, custom penalties (by name). */
  code?: { step: boolean; penalties: string[] };
  /** The generator's moving average (trainer option `ema`): its update count; its tensors are `ema/<i>`. */
  ema?: { updates: number; count: number };
  optimizers: { generator: OptimizerStateJSON; discriminator: OptimizerStateJSON };
  /** Byte length and CRC-32 of the optimizers' tensors (the `checkpoint` part's weight data). */
  weights: WeightDigest;
}

/**
 * What a checkpoint is: the `modelTopology` of its `checkpoint` part.
 * @category IO
 */
export interface CheckpointManifest {
  format: typeof CHECKPOINT_FORMAT;
  formatVersion: number;
  /** `gan`: networks and config only. `trainer`: also everything a resumed `fit` needs. */
  kind: 'gan' | 'trainer';
  /** Who wrote it. */
  library: { name: 'ts-gan'; version: string };
  /** tfjs versions and the backend active when saving (informational). */
  tfjs: { core: string; layers: string; backend: string };
  gan: GanConfigJSON;
  /** Byte length and CRC-32 of each network's weight data. */
  networks: { generator: WeightDigest; discriminator: WeightDigest };
  trainer?: TrainerStateJSON;
}

const damaged = (where: string, what: string) =>
  new CheckpointError(`${where}: the checkpoint manifest is damaged or not a ts-gan checkpoint: ${what}.`);

/**
 * Reads and checks the manifest.
 * @throws {@link CheckpointError} naming the field that is missing or wrong, or the format version.
 */
export function parseManifest(where: string, artifacts: tf.io.ModelArtifacts): CheckpointManifest {
  const m = artifacts.modelTopology as Partial<CheckpointManifest> | undefined;
  if (m === null || typeof m !== 'object' || m instanceof ArrayBuffer) throw damaged(where, 'it has no JSON manifest');
  if (m.format !== CHECKPOINT_FORMAT && artifacts.format === 'layers-model') {
    throw damaged(where, 'its manifest part is a tfjs Layers model (format "layers-model")');
  }
  if (m.format !== CHECKPOINT_FORMAT) {
    throw damaged(where, `format is ${JSON.stringify(m.format)}, expected "${CHECKPOINT_FORMAT}"`);
  }
  if (!Number.isInteger(m.formatVersion) || (m.formatVersion as number) < 1) {
    throw damaged(where, `formatVersion is ${JSON.stringify(m.formatVersion)}`);
  }
  if ((m.formatVersion as number) > CHECKPOINT_FORMAT_VERSION) {
    throw new CheckpointError(
      `${where}: the checkpoint has format version ${m.formatVersion} (written by ts-gan ${m.library?.version ?? '?'}); ` +
        `this ts-gan reads versions up to ${CHECKPOINT_FORMAT_VERSION}. Upgrade ts-gan to load it.`,
    );
  }
  if (m.kind !== 'gan' && m.kind !== 'trainer') throw damaged(where, `kind is ${JSON.stringify(m.kind)}`);
  const g = m.gan as Partial<GanConfigJSON> | undefined;
  if (!g || typeof g !== 'object') throw damaged(where, 'gan is missing');
  if (!isPositiveInteger(g.latentDim)) throw damaged(where, `gan.latentDim is ${JSON.stringify(g.latentDim)}`);
  if (!Array.isArray(g.dataShape) || g.dataShape.length === 0 || !g.dataShape.every(isPositiveInteger)) {
    throw damaged(where, `gan.dataShape is ${JSON.stringify(g.dataShape)}`);
  }
  if (typeof g.loss !== 'string') throw damaged(where, `gan.loss is ${JSON.stringify(g.loss)}`);
  if (!Number.isSafeInteger(g.seed)) throw damaged(where, `gan.seed is ${JSON.stringify(g.seed)}`);
  if (g.conditional !== undefined && (g.conditional === null || typeof g.conditional !== 'object')) {
    throw damaged(where, `gan.conditional is ${JSON.stringify(g.conditional)}`);
  }
  for (const net of ['generator', 'discriminator'] as const) {
    const d = m.networks?.[net];
    if (!d || !Number.isInteger(d.bytes) || typeof d.crc32 !== 'string')
      throw damaged(where, `networks.${net} is missing`);
  }
  if (m.kind === 'trainer') checkTrainerState(where, m.trainer);
  return m as CheckpointManifest;
}

function checkTrainerState(where: string, t: Partial<TrainerStateJSON> | undefined): void {
  if (!t || typeof t !== 'object') throw damaged(where, 'trainer is missing');
  if (!Number.isInteger(t.step) || (t.step as number) < 0)
    throw damaged(where, `trainer.step is ${JSON.stringify(t.step)}`);
  const r = t.randomState;
  if (
    !Array.isArray(r) ||
    r.length !== 4 ||
    !r.every((w) => Number.isInteger(w) && w >= 0 && w <= 0xffffffff) ||
    r.every((w) => w === 0)
  ) {
    throw damaged(where, `trainer.randomState is ${JSON.stringify(r)}`);
  }
  if (!t.options || typeof t.options !== 'object') throw damaged(where, 'trainer.options is missing');
  if (!t.weights || !Number.isInteger(t.weights.bytes) || typeof t.weights.crc32 !== 'string') {
    throw damaged(where, 'trainer.weights is missing');
  }
  checkOptimizerJSON(where, 'generator optimizer', t.optimizers?.generator);
  checkOptimizerJSON(where, 'discriminator optimizer', t.optimizers?.discriminator);
}

function isPositiveInteger(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 1;
}

/**
 * Checks that each network's weights are the ones the manifest was written with.
 * @throws {@link CheckpointError} naming the part whose weights differ (a torn or damaged write).
 */
export function verifyNetworks(where: string, manifest: CheckpointManifest, parts: CheckpointArtifacts): void {
  for (const net of ['generator', 'discriminator'] as const) {
    const actual = digestWeights(parts[net]);
    const recorded = manifest.networks[net];
    if (actual.bytes !== recorded.bytes || actual.crc32 !== recorded.crc32) {
      throw new CheckpointError(
        `${where}: the ${net}'s weights are damaged: ${actual.bytes} bytes with CRC-32 ${actual.crc32}, ` +
          `the manifest records ${recorded.bytes} bytes with CRC-32 ${recorded.crc32} ` +
          '(the data was truncated or altered, or the parts come from different saves).',
      );
    }
  }
  if (manifest.trainer) {
    const actual = digestWeights(parts.checkpoint);
    const recorded = manifest.trainer.weights;
    if (actual.bytes !== recorded.bytes || actual.crc32 !== recorded.crc32) {
      throw new CheckpointError(
        `${where}: the optimizer state is damaged: ${actual.bytes} bytes with CRC-32 ${actual.crc32}, ` +
          `the manifest records ${recorded.bytes} bytes with CRC-32 ${recorded.crc32}.`,
      );
    }
  }
}

/** @returns a copy of a random state as the manifest stores it. */
export function randomStateJSON(state: RandomState): [number, number, number, number] {
  return [state[0], state[1], state[2], state[3]];
}
