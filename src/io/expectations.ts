/**
 * What a caller can require of a checkpoint before it is loaded: GAN dimensions, seed, loss,
 * conditioning and network architectures. Checked against the manifest and the saved topologies,
 * before anything is built; every difference is reported, as text and as data.
 *
 * @packageDocumentation
 */
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { Conditioning, type ConditioningConfig, conditioningConfig } from '../conditional/conditioning.js';
import { CheckpointError, type CheckpointMismatch, ConfigError } from '../errors.js';
import { networkContext } from '../gan-networks.js';
import type { GanLoss, LossName } from '../losses/gan-loss.js';
import type { NetworkFactory } from '../types.js';
import { show } from '../util/validate.js';
import { messageOf } from './artifacts.js';
import type { GanConfigJSON } from './manifest.js';
import type { ReadCheckpoint } from './read-checkpoint.js';
import { firstDifference, normalizeTopology, showValue } from './topology.js';

/**
 * What the caller expects of a checkpoint; each given field is checked before anything is built,
 * and the differences are a {@link CheckpointError} naming each of them (in its `mismatches`).
 * @category IO
 */
export interface CheckpointExpectations {
  latentDim?: number;
  dataShape?: readonly number[];
  /** The GAN's seed. */
  seed?: number;
  /** A built-in name, or the {@link GanLoss} object itself (required when the checkpoint used a custom loss). */
  loss?: LossName | GanLoss;
  /**
   * The conditioning, as the GAN constructor takes it (`numClasses`, `conditioning`,
   * `auxiliaryWeight`, `infoCodes`), compared with defaults filled in; `false` for an unconditional GAN.
   * When it differs, the network architectures are not compared (their factories would be called
   * for the checkpoint's conditioning, not the expected one).
   */
  conditional?: ConditioningConfig | false;
  /**
   * The generator architecture: a model, or a factory called with the context the checkpoint's
   * GAN gives its factories (latentDim, dataShape and, when conditional, conditionDim,
   * discriminatorTakesCondition, auxiliaryDim, numClasses), then disposed.
   */
  generator?: LayersModel | NetworkFactory;
  /** The discriminator architecture, likewise. */
  discriminator?: LayersModel | NetworkFactory;
}

/** A difference, with the sentence that names it (`latentDim differs: ...`). */
export interface Difference extends CheckpointMismatch {
  readonly says: string;
}

/**
 * Throws a {@link CheckpointError} naming every difference, first as found, with them as data.
 * Does nothing when there are none.
 */
export function refuse(where: string, differences: readonly Difference[]): void {
  if (differences.length === 0) return;
  throw new CheckpointError(`${where}: ${differences.map((d) => d.says).join(' ')}`, {
    mismatches: differences.map(({ says: _, ...m }) => m),
  });
}

/**
 * Checks the expectations against the manifest and the saved topologies. Allocates nothing that
 * outlives it.
 * @throws {@link CheckpointError} naming every field that differs.
 */
export function checkExpectations(read: ReadCheckpoint, expect: CheckpointExpectations | undefined): void {
  refuse(read.where, ganDifferences(read, expect));
}

/** The GAN's expectations that the checkpoint does not meet. */
export function ganDifferences(read: ReadCheckpoint, expect: CheckpointExpectations | undefined): Difference[] {
  if (expect === undefined) return [];
  if (expect === null || typeof expect !== 'object') {
    throw new ConfigError(`${read.where}: expect must be an object, got ${show(expect)}.`);
  }
  const { where, manifest } = read;
  const g = manifest.gan;
  const out: Difference[] = [];
  const add = (field: string, saved: unknown, expected: unknown, says: string, path?: string) =>
    out.push({ field, saved, expected, says, ...(path !== undefined && { path }) });
  if (expect.latentDim !== undefined && expect.latentDim !== g.latentDim) {
    add(
      'latentDim',
      g.latentDim,
      expect.latentDim,
      `latentDim differs: the checkpoint has ${g.latentDim}, expected ${expect.latentDim}.`,
    );
  }
  if (expect.dataShape !== undefined && !sameShape(expect.dataShape, g.dataShape)) {
    add(
      'dataShape',
      [...g.dataShape],
      [...expect.dataShape],
      `dataShape differs: the checkpoint has [${g.dataShape.join(', ')}], expected [${[...expect.dataShape].join(', ')}].`,
    );
  }
  if (expect.seed !== undefined && expect.seed !== g.seed) {
    add('seed', g.seed, expect.seed, `seed differs: the checkpoint has ${g.seed}, expected ${expect.seed}.`);
  }
  if (expect.loss !== undefined) {
    const name = typeof expect.loss === 'string' ? expect.loss : expect.loss?.name;
    if (name !== g.loss) {
      add('loss', g.loss, name, `loss differs: the checkpoint was trained with "${g.loss}", expected "${name}".`);
    }
  }
  let sameConditioning = true;
  if (expect.conditional !== undefined) {
    const expected = expect.conditional === false ? undefined : normalConditioning(where, expect.conditional);
    if (canonicalJSON(expected) !== canonicalJSON(g.conditional)) {
      sameConditioning = false;
      add(
        'conditional',
        g.conditional,
        expected,
        `conditional differs: the checkpoint has ${showJSON(g.conditional)}, expected ${showJSON(expected)}.`,
      );
    }
  }
  for (const net of ['generator', 'discriminator'] as const) {
    const expected = expect[net];
    if (expected === undefined || !sameConditioning) continue;
    const difference = firstDifference(
      normalizeTopology(read.parts[net].modelTopology),
      normalizeTopology(topologyOf(where, net, expected, g)),
    );
    if (difference) {
      add(
        net,
        difference.left,
        difference.right,
        `the ${net} architecture differs at ${difference.path}: the checkpoint has ` +
          `${showValue(difference.left)}, expected ${showValue(difference.right)}.`,
        difference.path,
      );
    }
  }
  return out;
}

function normalConditioning(where: string, config: ConditioningConfig): ConditioningConfig | undefined {
  if (config === null || typeof config !== 'object') {
    throw new ConfigError(`${where}: expect.conditional must be an object or false, got ${show(config)}.`);
  }
  const c = Conditioning.fromConfig(config);
  return c && conditioningConfig(c);
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
    const context = networkContext(g.latentDim, g.dataShape, Conditioning.fromConfig(g.conditional ?? {}));
    model = expected(context);
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

/** JSON with object keys sorted, so that two equal values give the same text. */
export function canonicalJSON(value: unknown): string | undefined {
  return JSON.stringify(value, (_, v) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

/** A saved or expected value in a refusal: its JSON, or `none`. */
export function showJSON(value: unknown): string {
  return value === undefined ? 'none' : (JSON.stringify(value) ?? show(value));
}
