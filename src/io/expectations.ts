/**
 * What a caller can require of a checkpoint before it is loaded: GAN dimensions, loss and network
 * architectures. Checked against the manifest and the saved topologies, before anything is built.
 *
 * @packageDocumentation
 */
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { CheckpointError, ConfigError } from '../errors.js';
import type { GanLoss, LossName } from '../losses/gan-loss.js';
import type { NetworkFactory } from '../types.js';
import { show } from '../util/validate.js';
import { messageOf } from './artifacts.js';
import type { GanConfigJSON } from './manifest.js';
import type { ReadCheckpoint } from './read-checkpoint.js';
import { firstDifference, normalizeTopology, showValue } from './topology.js';

/**
 * What the caller expects of a checkpoint; each given field is checked before anything is built,
 * and a mismatch is a {@link CheckpointError} naming the field.
 * @category IO
 */
export interface CheckpointExpectations {
  latentDim?: number;
  dataShape?: readonly number[];
  /** A built-in name, or the {@link GanLoss} object itself (required when the checkpoint used a custom loss). */
  loss?: LossName | GanLoss;
  /** The generator architecture: a model or a factory (called with the checkpoint's latentDim/dataShape, then disposed). */
  generator?: LayersModel | NetworkFactory;
  /** The discriminator architecture, likewise. */
  discriminator?: LayersModel | NetworkFactory;
}

/**
 * Checks the expectations against the manifest and the saved topologies. Allocates nothing that
 * outlives it.
 * @throws {@link CheckpointError} naming the first field that differs.
 */
export function checkExpectations(read: ReadCheckpoint, expect: CheckpointExpectations | undefined): void {
  if (expect === undefined) return;
  if (expect === null || typeof expect !== 'object') {
    throw new ConfigError(`${read.where}: expect must be an object, got ${show(expect)}.`);
  }
  const { where, manifest } = read;
  const g = manifest.gan;
  if (expect.latentDim !== undefined && expect.latentDim !== g.latentDim) {
    throw new CheckpointError(
      `${where}: latentDim differs: the checkpoint has ${g.latentDim}, expected ${expect.latentDim}.`,
    );
  }
  if (expect.dataShape !== undefined && !sameShape(expect.dataShape, g.dataShape)) {
    throw new CheckpointError(
      `${where}: dataShape differs: the checkpoint has [${g.dataShape.join(', ')}], expected [${[...expect.dataShape].join(', ')}].`,
    );
  }
  if (expect.loss !== undefined) {
    const name = typeof expect.loss === 'string' ? expect.loss : expect.loss?.name;
    if (name !== g.loss) {
      throw new CheckpointError(
        `${where}: loss differs: the checkpoint was trained with "${g.loss}", expected "${name}".`,
      );
    }
  }
  for (const net of ['generator', 'discriminator'] as const) {
    const expected = expect[net];
    if (expected === undefined) continue;
    const difference = firstDifference(
      normalizeTopology(read.parts[net].modelTopology),
      normalizeTopology(topologyOf(where, net, expected, g)),
    );
    if (difference) {
      throw new CheckpointError(
        `${where}: the ${net} architecture differs at ${difference.path}: the checkpoint has ` +
          `${showValue(difference.left)}, expected ${showValue(difference.right)}.`,
      );
    }
  }
}

function topologyOf(where: string, net: string, expected: LayersModel | NetworkFactory, g: GanConfigJSON): unknown {
  if (typeof expected !== 'function') {
    if (typeof (expected as Partial<LayersModel>)?.toJSON !== 'function') {
      throw new ConfigError(`${where}: expect.${net} must be a LayersModel or a factory, got ${show(expected)}.`);
    }
    return expected.toJSON(null, false);
  }
  let model: LayersModel;
  try {
    model = expected({ latentDim: g.latentDim, dataShape: [...g.dataShape] });
  } catch (err) {
    throw new ConfigError(`${where}: expect.${net} threw: ${messageOf(err)}`, { cause: err });
  }
  try {
    return model.toJSON(null, false);
  } finally {
    model.dispose();
  }
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return Array.isArray(a) && a.length === b.length && a.every((d, i) => d === b[i]);
}
