/**
 * Networks to and from tfjs `ModelArtifacts`, the unit every tfjs IO handler stores: a snapshot
 * taken synchronously (so a training step cannot slip in while a save awaits), then encoded in the
 * standard tfjs Layers format that `tf.loadLayersModel` reads.
 *
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { CheckpointError } from '../errors.js';
import { crc32 } from './crc32.js';

/** The `format` tfjs-layers writes into a Layers model's artifacts. */
export const LAYERS_MODEL_FORMAT = 'layers-model';

/** A tensor with the name it is stored under (tfjs's NamedTensor, which tfjs-core does not export). */
export interface NamedTensor {
  name: string;
  tensor: tf.Tensor;
}

/** Tensors cloned out of their variables, so later updates do not change them. The owner disposes them. */
export interface TensorSnapshot {
  readonly named: NamedTensor[];
}

/** A network's topology and cloned weights, taken in one synchronous call. */
export interface NetworkSnapshot extends TensorSnapshot {
  readonly topology: object;
  readonly userDefinedMetadata: Record<string, unknown> | undefined;
}

/**
 * Clones every weight of `model` (BatchNorm moving statistics included) under the names
 * tfjs-layers saves them with. Synchronous. The caller disposes the clones ({@link disposeSnapshot}).
 */
export function snapshotNetwork(model: tfl.LayersModel): NetworkSnapshot {
  const topology = model.toJSON(null, false) as object;
  const named = model.weights.map((w) => ({ name: w.originalName, tensor: tf.clone(w.read()) }));
  return {
    topology,
    named,
    userDefinedMetadata: model.getUserDefinedMetadata() as Record<string, unknown> | undefined,
  };
}

/** Disposes the clones of a snapshot. */
export function disposeSnapshot(snapshot: TensorSnapshot | undefined): void {
  if (snapshot) tf.dispose(snapshot.named.map((n) => n.tensor));
}

/**
 * Encodes a network snapshot as the artifacts `LayersModel.save` would produce.
 * @returns artifacts with one `ArrayBuffer` of weights.
 */
export async function encodeNetwork(snapshot: NetworkSnapshot): Promise<tf.io.ModelArtifacts> {
  const { data, specs } = await tf.io.encodeWeights(snapshot.named);
  const artifacts: tf.io.ModelArtifacts = {
    modelTopology: snapshot.topology,
    format: LAYERS_MODEL_FORMAT,
    generatedBy: `TensorFlow.js tfjs-layers v${tfl.version_layers}`,
    convertedBy: null,
    weightSpecs: specs,
    weightData: joinWeightData(data),
  };
  const metadata = snapshot.userDefinedMetadata as tf.io.ModelArtifacts['userDefinedMetadata'];
  if (metadata !== undefined) artifacts.userDefinedMetadata = metadata;
  return artifacts;
}

/** Weight data as one contiguous ArrayBuffer (tfjs may hand it over in pieces). */
export function joinWeightData(data: tf.io.WeightData | undefined): ArrayBuffer {
  if (data === undefined) return new ArrayBuffer(0);
  return tf.io.CompositeArrayBuffer.join(data);
}

const BYTES_PER_ELEMENT: Readonly<Record<string, number>> = {
  float32: 4,
  int32: 4,
  bool: 1,
  uint8: 1,
  uint16: 2,
  float16: 2,
  complex64: 8,
};

/**
 * How many bytes the weights described by `specs` occupy, or undefined when that cannot be known
 * without reading them (string weights).
 */
export function expectedWeightBytes(specs: readonly tf.io.WeightsManifestEntry[]): number | undefined {
  let total = 0;
  for (const spec of specs) {
    const dtype = spec.quantization?.dtype ?? spec.dtype;
    const size = BYTES_PER_ELEMENT[dtype];
    if (size === undefined) return undefined;
    total += spec.shape.reduce((a, b) => a * b, 1) * size;
  }
  return total;
}

/** The dtypes a checkpoint's weights may have. Not `string`: its length-prefixed encoding has no size to check. */
const WEIGHT_DTYPES: ReadonlySet<unknown> = new Set(['float32', 'int32', 'bool', 'complex64']);
const QUANTIZED_DTYPES: ReadonlySet<unknown> = new Set(['uint8', 'uint16', 'float16']);

/** What is wrong with one weight spec read from a file, or null. */
function specProblem(spec: unknown): string | null {
  if (spec === null || typeof spec !== 'object') return 'is not an object';
  const { name, shape, dtype, quantization } = spec as Record<string, unknown>;
  if (typeof name !== 'string') return 'has no name';
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    return `has the shape ${JSON.stringify(shape)}, not a list of non-negative integers`;
  }
  if (!Number.isSafeInteger(shape.reduce((a: number, b: number) => a * b, 1) * 8)) return 'is too large';
  if (!WEIGHT_DTYPES.has(dtype))
    return `has the dtype ${JSON.stringify(dtype)} (expected float32, int32, bool or complex64)`;
  if (quantization === undefined) return null;
  const q = quantization as Record<string, unknown> | null;
  if (
    q === null ||
    typeof q !== 'object' ||
    !QUANTIZED_DTYPES.has(q.dtype) ||
    !['scale', 'min'].every((k) => q[k] === undefined || Number.isFinite(q[k]))
  ) {
    return `has the quantization ${JSON.stringify(q)}`;
  }
  return null;
}

/**
 * Checks weight specs that come from a file (untrusted JSON), so that every later computation on
 * them (byte counts, decoding) is well defined.
 * @param where - names the file or part, for messages.
 * @returns the specs, typed; an empty list for undefined.
 * @throws {@link CheckpointError} naming the first spec that is not an object with a name, a
 *   shape of non-negative integers and a numeric dtype.
 */
export function checkWeightSpecs(where: string, specs: unknown): tf.io.WeightsManifestEntry[] {
  if (specs === undefined) return [];
  if (!Array.isArray(specs)) throw new CheckpointError(`${where}: the weight specs are not a list.`);
  for (const [i, spec] of specs.entries()) {
    const problem = specProblem(spec);
    if (problem)
      throw new CheckpointError(
        `${where}: weight ${i} (${JSON.stringify((spec as { name?: unknown })?.name)}) ${problem}.`,
      );
  }
  return specs as tf.io.WeightsManifestEntry[];
}

/**
 * Decodes weight data into tensors the caller owns; on failure, none is left allocated (tfjs may
 * have decoded some before it fails, and keeps only the last of two tensors with the same name).
 * @throws {@link CheckpointError} when the specs are invalid or do not match the data.
 */
export function decodeWeightData(where: string, data: ArrayBuffer, specs: unknown): tf.NamedTensorMap {
  const checked = checkWeightSpecs(where, specs);
  const expected = expectedWeightBytes(checked);
  if (expected !== undefined && expected !== data.byteLength) {
    throw new CheckpointError(`${where}: weight data has ${data.byteLength} bytes, its specs describe ${expected}.`);
  }
  try {
    return tf.tidy(() => tf.io.decodeWeights(data, checked));
  } catch (err) {
    throw new CheckpointError(`${where}: weights could not be decoded: ${messageOf(err)}`, { cause: err });
  }
}

/** The first float weight of some artifacts that holds NaN or an infinity, with how many such values it holds. */
export interface NonFiniteWeight {
  name: string;
  /** The first non-finite value: NaN, Infinity or -Infinity. */
  value: number;
  /** How many of the weight's values are not finite. */
  count: number;
  /** How many values the weight has. */
  size: number;
}

/**
 * Finds a float32 weight holding NaN or an infinity in encoded artifacts (reads the bytes already
 * encoded, so it costs no tensor readback).
 * @returns the first such weight, or undefined when every float weight is finite.
 */
export function findNonFinite(artifacts: tf.io.ModelArtifacts): NonFiniteWeight | undefined {
  const data = joinWeightData(artifacts.weightData);
  let offset = 0;
  for (const spec of artifacts.weightSpecs ?? []) {
    const size = spec.shape.reduce((a, b) => a * b, 1);
    const bytes = BYTES_PER_ELEMENT[spec.quantization?.dtype ?? spec.dtype];
    if (bytes === undefined) return undefined; // string weights: their length is in the data; none in a GAN
    if (spec.dtype === 'float32' && spec.quantization === undefined && offset + size * 4 <= data.byteLength) {
      // A Float32Array view needs 4-byte alignment, which a 1-byte weight before this one can break.
      const values =
        offset % 4 === 0
          ? new Float32Array(data, offset, size)
          : new Float32Array(data.slice(offset, offset + size * 4));
      let count = 0;
      let first = 0;
      for (const v of values) {
        if (Number.isFinite(v)) continue;
        if (count++ === 0) first = v;
      }
      if (count > 0) return { name: spec.name, value: first, count, size };
    }
    offset += size * bytes;
  }
  return undefined;
}

/** Byte length and CRC-32 of a part's weights, as the manifest records them. */
export interface WeightDigest {
  /** Number of bytes of weight data. */
  bytes: number;
  /** CRC-32 of the weight data, 8 hex digits. */
  crc32: string;
}

/** @returns the byte length and CRC-32 of the artifacts' weights. */
export function digestWeights(artifacts: tf.io.ModelArtifacts): WeightDigest {
  const data = new Uint8Array(joinWeightData(artifacts.weightData));
  return { bytes: data.byteLength, crc32: crc32(data) };
}

/**
 * Decodes the artifacts' weights into tensors the caller owns.
 * @throws {@link CheckpointError} when the data does not match the specs.
 */
export function decodeWeights(where: string, artifacts: tf.io.ModelArtifacts): tf.NamedTensorMap {
  return decodeWeightData(where, joinWeightData(artifacts.weightData), artifacts.weightSpecs);
}

/**
 * Builds a LayersModel from Layers-format artifacts (topology + weights). On failure nothing it
 * allocated is left behind.
 * @param where - names the checkpoint and part, for error messages.
 * @throws {@link CheckpointError} when the topology cannot be deserialized or the weights do not fit.
 */
export async function loadNetwork(where: string, artifacts: tf.io.ModelArtifacts): Promise<tfl.LayersModel> {
  const weights = decodeWeights(where, artifacts);
  let model: tfl.LayersModel | undefined;
  try {
    model = await buildTopology(where, artifacts.modelTopology);
    if (artifacts.userDefinedMetadata !== undefined) model.setUserDefinedMetadata(artifacts.userDefinedMetadata);
    model.loadWeights(weights, true);
    return model;
  } catch (err) {
    model?.dispose();
    if (err instanceof CheckpointError) throw err;
    throw new CheckpointError(`${where}: the weights do not fit the network: ${messageOf(err)}`, { cause: err });
  } finally {
    // Variables share the data of what was assigned to them; these copies are ours to free.
    tf.dispose(Object.values(weights));
  }
}

async function buildTopology(where: string, topology: unknown): Promise<tfl.LayersModel> {
  if (topology === null || typeof topology !== 'object' || topology instanceof ArrayBuffer) {
    throw new CheckpointError(`${where}: the model topology is missing or not a JSON object.`);
  }
  // modelFromJSON deserializes synchronously when given no weights manifest, so the variables
  // created between these two lines are exactly the ones a failed deserialization leaves.
  const before = new Set(Object.keys(tf.engine().registeredVariables));
  const pending = tfl.models.modelFromJSON({ modelTopology: topology } as never);
  const created = Object.entries(tf.engine().registeredVariables)
    .filter(([name]) => !before.has(name))
    .map(([, v]) => v);
  try {
    return (await pending) as tfl.LayersModel;
  } catch (err) {
    tf.dispose(created);
    throw new CheckpointError(
      `${where}: the network could not be rebuilt from its topology: ${messageOf(err)} ` +
        '(a custom layer must be registered with tf.serialization.registerClass before loading).',
      { cause: err },
    );
  }
}

/** The message of an unknown thrown value. */
export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
