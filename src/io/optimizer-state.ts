/**
 * An optimizer's complete state, out and back in, exactly.
 *
 * Why not just `getWeights()`/`setWeights()`: Adam's `setWeights` recomputes beta^t with `pow`,
 * which differs in the last bits from the running product that training accumulates, so a resumed
 * run would drift; Adamax implements neither; and `getWeights()` is async, so a step could run
 * between the snapshot of the networks and that of the optimizer. For the seven tfjs optimizers
 * the slots are therefore read and written directly, synchronously, by position: slot `i` belongs
 * to the `i`-th variable of the network's `trainableWeights` (tfjs optimizers index slots by
 * position; variable names carry per-process counters and cannot be matched across processes).
 * Other optimizer classes go through their `getWeights()`/`setWeights()`.
 *
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { CheckpointError, ConfigError } from '../errors.js';
import { FusedAdamOptimizer } from '../kernels/fused-adam-optimizer.js';
import { show } from '../util/validate.js';
import { messageOf, type NamedTensor, type TensorSnapshot } from './artifacts.js';
import { layoutOf, type OptimizerInternals, type OptimizerVariable } from './optimizer-layouts.js';

/**
 * The JSON half of an optimizer's state; the tensors are stored as weights named
 * `<prefix>/<slot>/<index>` and `<prefix>/<scalar>`.
 * @category IO
 */
export interface OptimizerStateJSON {
  /** tfjs class name, for example `Adam`; rebuilt through tfjs's serialization registry. */
  className: string;
  /** `optimizer.getConfig()`: learning rate and hyper-parameters. */
  config: tf.serialization.ConfigDict;
  /** Completed updates (`optimizer.iterations`). */
  iterations: number;
  /** How the tensors are stored: `slots` (read directly, exact) or `weights` (through getWeights). */
  encoding: 'slots' | 'weights';
  /** For `slots`: slot suffix to number of slots (0 before the first update, else one per variable). */
  slots?: Record<string, number>;
  /** For `slots`: names of the scalar variables stored. */
  scalars?: string[];
  /** For `weights`: how many tensors `getWeights()` returned. */
  weightCount?: number;
}

/** An optimizer's state captured for a checkpoint: JSON plus cloned tensors the caller disposes. */
export interface OptimizerSnapshot extends TensorSnapshot {
  readonly json: OptimizerStateJSON;
}

/**
 * Captures an optimizer's state. Synchronous for the tfjs optimizers; other classes are read
 * through their async `getWeights()`.
 * @param prefix - weight-name prefix, for example `generatorOptimizer`.
 */
export function snapshotOptimizer(
  prefix: string,
  optimizer: tf.Optimizer,
): OptimizerSnapshot | Promise<OptimizerSnapshot> {
  const layout = layoutOf(optimizer);
  if (!layout) return snapshotThroughWeights(prefix, optimizer);
  const o = optimizer as OptimizerInternals;
  const named: NamedTensor[] = [];
  const slots: Record<string, number> = {};
  for (const { field, suffix } of layout.lists) {
    const list = o[field] as (OptimizerVariable | undefined)[];
    slots[suffix] = list.length;
    list.forEach((slot, i) => {
      if (!slot) throw new CheckpointError(`${prefix}: slot ${suffix}/${i} of ${optimizer.getClassName()} is missing.`);
      named.push({ name: `${prefix}/${suffix}/${i}`, tensor: tf.clone(slot.variable) });
    });
  }
  for (const scalar of layout.scalars) {
    named.push({ name: `${prefix}/${scalar}`, tensor: tf.clone(o[scalar] as tf.Variable) });
  }
  return {
    named,
    json: {
      className: optimizer.getClassName(),
      config: optimizer.getConfig(),
      iterations: optimizer.iterations,
      encoding: 'slots',
      slots,
      scalars: [...layout.scalars],
    },
  };
}

async function snapshotThroughWeights(prefix: string, optimizer: tf.Optimizer): Promise<OptimizerSnapshot> {
  let weights: NamedTensor[];
  try {
    weights = await optimizer.getWeights();
  } catch (err) {
    throw new CheckpointError(
      `${prefix}: the ${optimizer.getClassName()} optimizer cannot report its state (getWeights: ${messageOf(err)}).`,
      { cause: err },
    );
  }
  // getWeights() returns its live slot variables and a fresh iterations scalar first.
  const named = weights.map((w, i) => ({ name: `${prefix}/w/${i}`, tensor: tf.clone(w.tensor) }));
  tf.dispose(weights[0]?.tensor);
  return {
    named,
    json: {
      className: optimizer.getClassName(),
      config: optimizer.getConfig(),
      iterations: optimizer.iterations,
      encoding: 'weights',
      weightCount: named.length,
    },
  };
}

/**
 * Builds a fresh optimizer of the saved class and configuration, or checks a supplied one.
 * @throws {@link CheckpointError} when the class is unknown or differs from the supplied optimizer.
 */
export function createOptimizer(
  where: string,
  role: string,
  json: OptimizerStateJSON,
  supplied?: tf.Optimizer,
): tf.Optimizer {
  if (supplied !== undefined) {
    if (typeof (supplied as Partial<tf.Optimizer>).getClassName !== 'function') {
      throw new ConfigError(`${where}: ${role} must be a tf.Optimizer, got ${show(supplied)}.`);
    }
    if (supplied.getClassName() !== json.className) {
      throw new CheckpointError(
        `${where}: ${role} differs: the checkpoint has a ${json.className} optimizer, the one passed is ${supplied.getClassName()}.`,
      );
    }
    const layout = layoutOf(supplied);
    const used = layout
      ? layout.lists.some((l) => ((supplied as OptimizerInternals)[l.field] as unknown[]).length > 0)
      : supplied.iterations > 0;
    if (used) {
      throw new ConfigError(
        `${where}: ${role} has already been used; pass a fresh optimizer to receive the saved state.`,
      );
    }
    return supplied;
  }
  if (json.className === 'Adam') {
    // The trainer's default Adam (tf.train.adam's math, fused where a kernel is registered).
    const c = json.config as { learningRate: number; beta1: number; beta2: number; epsilon: number };
    return new FusedAdamOptimizer(c.learningRate, c.beta1, c.beta2, c.epsilon);
  }
  const entry = tf.serialization.SerializationMap.getMap().classNameMap[json.className];
  if (!entry) {
    throw new CheckpointError(
      `${where}: the checkpoint's ${role} is a ${json.className}, which is not registered with ` +
        `tf.serialization.registerClass; register it or pass ${role} in the load options.`,
    );
  }
  const [cls, fromConfig] = entry;
  try {
    return fromConfig(cls, json.config) as unknown as tf.Optimizer;
  } catch (err) {
    throw new CheckpointError(`${where}: the ${role} (${json.className}) could not be rebuilt: ${messageOf(err)}`, {
      cause: err,
    });
  }
}

/**
 * Checks the saved tensors of an optimizer against the variables it will train, before anything
 * is changed.
 * @param tensors - the decoded weights of the whole checkpoint part.
 * @throws {@link CheckpointError} naming the first slot or scalar that is missing or has the wrong shape.
 */
export function checkOptimizerState(
  where: string,
  prefix: string,
  json: OptimizerStateJSON,
  tensors: tf.NamedTensorMap,
  variables: readonly tf.Variable[],
): void {
  const need = (name: string): tf.Tensor => {
    const t = tensors[name];
    if (!t) throw new CheckpointError(`${where}: the optimizer state lacks ${name}.`);
    return t;
  };
  if (json.encoding === 'weights') {
    for (let i = 0; i < (json.weightCount ?? 0); i++) need(`${prefix}/w/${i}`);
    return;
  }
  for (const [suffix, count] of Object.entries(json.slots ?? {})) {
    if (count !== 0 && count !== variables.length) {
      throw new CheckpointError(
        `${where}: ${prefix} has ${count} "${suffix}" slots, but the network it trains has ${variables.length} trainable variables.`,
      );
    }
    for (let i = 0; i < count; i++) {
      const t = need(`${prefix}/${suffix}/${i}`);
      const v = variables[i] as tf.Variable;
      if (!tf.util.arraysEqual(t.shape, v.shape)) {
        throw new CheckpointError(
          `${where}: ${prefix} slot ${suffix}/${i} has shape [${t.shape.join(', ')}], ` +
            `but trainable variable ${i} of its network has shape [${v.shape.join(', ')}].`,
        );
      }
      if (t.dtype !== v.dtype) {
        throw new CheckpointError(
          `${where}: ${prefix} slot ${suffix}/${i} is ${t.dtype}, but trainable variable ${i} of its network is ${v.dtype}.`,
        );
      }
    }
  }
  for (const scalar of json.scalars ?? []) {
    // Assigned to the optimizer's float32 scalar variables: anything else would fail midway through a load.
    const t = need(`${prefix}/${scalar}`);
    if (t.rank !== 0 || t.dtype !== 'float32') {
      throw new CheckpointError(
        `${where}: ${prefix}/${scalar} has shape [${t.shape.join(', ')}] and dtype ${t.dtype}; it must be a float32 scalar (shape []).`,
      );
    }
  }
}

/**
 * Puts saved state into a fresh optimizer (checked first with {@link checkOptimizerState}). The
 * tensors used are consumed: the optimizer's variables share their data, and the caller must not
 * dispose the ones named `prefix/...` afterwards — this function disposes them itself.
 */
export async function restoreOptimizer(
  where: string,
  prefix: string,
  optimizer: tf.Optimizer,
  json: OptimizerStateJSON,
  tensors: tf.NamedTensorMap,
  variables: readonly tf.Variable[],
): Promise<void> {
  const take = (name: string): tf.Tensor => {
    const t = tensors[name] as tf.Tensor;
    delete tensors[name];
    return t;
  };
  if (json.encoding === 'weights') {
    const list: NamedTensor[] = [];
    for (let i = 0; i < (json.weightCount ?? 0); i++)
      list.push({ name: `${prefix}/w/${i}`, tensor: take(`${prefix}/w/${i}`) });
    try {
      await optimizer.setWeights(list);
    } catch (err) {
      throw new CheckpointError(
        `${where}: the ${json.className} optimizer refused its saved state: ${messageOf(err)}`,
        {
          cause: err,
        },
      );
    } finally {
      tf.dispose(list.map((w) => w.tensor));
    }
    return;
  }
  const layout = layoutOf(optimizer);
  if (!layout) {
    throw new CheckpointError(
      `${where}: ${prefix} was saved slot by slot, but this ${json.className} has another layout.`,
    );
  }
  const o = optimizer as OptimizerInternals;
  for (const { field, suffix } of layout.lists) {
    const count = json.slots?.[suffix] ?? 0;
    const slots: OptimizerVariable[] = [];
    for (let i = 0; i < count; i++) {
      const t = take(`${prefix}/${suffix}/${i}`);
      // The same names tfjs gives slots it creates itself (they only label getWeights()).
      slots.push({ originalName: `${(variables[i] as tf.Variable).name}/${suffix}`, variable: tf.variable(t, false) });
      t.dispose();
    }
    o[field] = slots;
  }
  for (const scalar of layout.scalars) {
    const t = take(`${prefix}/${scalar}`);
    (o[scalar] as tf.Variable).assign(t);
    t.dispose();
  }
  o.iterations_ = json.iterations;
}

/** @throws {@link CheckpointError} unless `value` looks like an {@link OptimizerStateJSON}. */
export function checkOptimizerJSON(where: string, role: string, value: unknown): OptimizerStateJSON {
  const v = value as Partial<OptimizerStateJSON> | null;
  const ok =
    v !== null &&
    typeof v === 'object' &&
    typeof v.className === 'string' &&
    v.config !== null &&
    typeof v.config === 'object' &&
    Number.isInteger(v.iterations) &&
    (v.encoding === 'slots' || v.encoding === 'weights');
  if (!ok) throw new CheckpointError(`${where}: the manifest's ${role} state is malformed.`);
  return v as OptimizerStateJSON;
}
