/**
 * Files for tfjs on Node without tfjs-node: a tfjs IOHandler for one model folder
 * (`model.json` + `weights.bin`), a whole-checkpoint store for ts-gan checkpoints, and the
 * routers that send `file://` URLs and plain paths to them.
 *
 * Writes are atomic: everything is written into a temporary sibling folder, which then replaces
 * the target with two renames; a reader that finds the target missing (a crash between the two
 * renames) falls back to the previous version kept beside it. So a crash at any moment leaves the
 * previous checkpoint loadable.
 *
 * @packageDocumentation
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { CheckpointError } from '../errors.js';
import { expectedWeightBytes, joinWeightData, messageOf } from '../io/artifacts.js';
import { type CheckpointArtifacts, type CheckpointStore, registerCheckpointStoreRouter } from '../io/store.js';

/** File names inside a model folder, as tfjs-node writes them. */
export const MODEL_JSON = 'model.json';
export const WEIGHTS_BIN = 'weights.bin';
/** File names of a checkpoint's own part, at the checkpoint folder's root. */
export const CHECKPOINT_JSON = 'checkpoint.json';
export const OPTIMIZERS_BIN = 'optimizers.bin';

const FILE_SCHEME = 'file://';
const ANY_SCHEME = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//;

/**
 * @param url - `file://path` or a plain path.
 * @returns whether the file handlers claim it: `file://` URLs and strings with no `scheme://`.
 * @category IO
 */
export function isFileLocation(url: unknown): url is string {
  return typeof url === 'string' && url.length > 0 && (url.startsWith(FILE_SCHEME) || !ANY_SCHEME.test(url));
}

/**
 * The path of a `file://` URL or plain path, as tfjs-node reads it: `file://./out` is `./out`,
 * `file:///tmp/out` is `/tmp/out`.
 * @category IO
 */
export function filePath(url: string): string {
  return url.startsWith(FILE_SCHEME) ? url.slice(FILE_SCHEME.length) : url;
}

// ---------------------------------------------------------------------------------------------
// Atomic folder replacement

/** The contents of a folder to write: relative path to bytes or text. */
type FolderContents = ReadonlyMap<string, Uint8Array | string>;

function siblingName(target: string, tag: 'tmp' | 'old'): string {
  return `${target}.${tag}-${Date.now()}-${process.pid}-${randomBytes(4).toString('hex')}`;
}

async function exists(p: string): Promise<boolean> {
  try {
    await fs.stat(p);
    return true;
  } catch {
    return false;
  }
}

/** Writes a file and flushes it to the disk, so a rename never publishes a half-written file. */
async function writeDurable(file: string, data: Uint8Array | string): Promise<void> {
  const handle = await fs.open(file, 'w');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Flushes a folder's entries (a rename's durability); not every platform allows it. */
async function syncFolder(folder: string): Promise<void> {
  try {
    const handle = await fs.open(folder, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Windows cannot open a folder for syncing; its renames are durable enough for this use.
  }
}

/**
 * Replaces the folder `target` by one holding exactly `contents`, atomically: a crash leaves
 * either the old folder (at `target`, or beside it as `target.old-*` for a moment) or the new one.
 * @param mayReplace - checks that an existing `target` is something this writer owns; returns
 *   the reason to refuse, or null.
 */
async function replaceFolder(
  target: string,
  contents: FolderContents,
  mayReplace: (existing: string) => Promise<string | null>,
): Promise<void> {
  const absolute = path.resolve(target);
  await fs.mkdir(path.dirname(absolute), { recursive: true });
  if (await exists(absolute)) {
    const reason = await mayReplace(absolute);
    if (reason) throw new CheckpointError(`Refusing to overwrite ${target}: ${reason}.`);
  }
  const tmp = siblingName(absolute, 'tmp');
  let old: string | undefined;
  try {
    await fs.mkdir(tmp);
    for (const [rel, data] of contents) {
      const file = path.join(tmp, rel);
      await fs.mkdir(path.dirname(file), { recursive: true });
      await writeDurable(file, data);
    }
    for (const dir of new Set([...contents.keys()].map((rel) => path.dirname(path.join(tmp, rel)))))
      await syncFolder(dir);
    await syncFolder(tmp);
    // rename() cannot replace a non-empty folder, hence two renames; readers bridge the gap.
    if (await exists(absolute)) {
      old = siblingName(absolute, 'old');
      await fs.rename(absolute, old);
    }
    await fs.rename(tmp, absolute);
    await syncFolder(path.dirname(absolute));
  } catch (err) {
    if (old !== undefined && !(await exists(absolute))) await fs.rename(old, absolute).catch(() => undefined);
    await fs.rm(tmp, { recursive: true, force: true }).catch(() => undefined);
    throw err;
  }
  await removeLeftovers(absolute);
}

/** Removes `target.tmp-*` and `target.old-*` siblings left by earlier interrupted saves. */
async function removeLeftovers(absolute: string): Promise<void> {
  const dir = path.dirname(absolute);
  const base = path.basename(absolute);
  const entries = await fs.readdir(dir).catch(() => [] as string[]);
  for (const name of entries) {
    if (name.startsWith(`${base}.tmp-`) || name.startsWith(`${base}.old-`)) {
      await fs.rm(path.join(dir, name), { recursive: true, force: true }).catch(() => undefined);
    }
  }
}

/**
 * The folder to read: `target`, or, when a save was interrupted between its two renames, the
 * newest complete previous version beside it.
 * @param isComplete - whether a folder holds what a reader needs.
 */
async function folderToRead(target: string, isComplete: (dir: string) => Promise<boolean>): Promise<string> {
  const absolute = path.resolve(target);
  if (await exists(absolute)) return absolute;
  const dir = path.dirname(absolute);
  const base = path.basename(absolute);
  const olds = (await fs.readdir(dir).catch(() => [] as string[]))
    .filter((name) => name.startsWith(`${base}.old-`))
    .sort()
    .reverse();
  for (const name of olds) {
    const candidate = path.join(dir, name);
    if (await isComplete(candidate)) return candidate;
  }
  throw new CheckpointError(`Nothing found at ${target} (${absolute}).`);
}

// ---------------------------------------------------------------------------------------------
// One model folder: model.json + weights

interface ModelJSONFile {
  modelTopology?: unknown;
  format?: string;
  generatedBy?: string;
  convertedBy?: string | null;
  weightsManifest?: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
  trainingConfig?: unknown;
  userDefinedMetadata?: unknown;
  signature?: unknown;
  modelInitializer?: unknown;
  initializerSignature?: unknown;
}

/** The files of one model: its JSON (model.json format) and weight file, by relative path. */
function modelFiles(
  artifacts: tf.io.ModelArtifacts,
  jsonName: string,
  weightsName: string,
): Map<string, Uint8Array | string> {
  if (artifacts.modelTopology instanceof ArrayBuffer) {
    throw new CheckpointError('Saving a binary (GraphDef) topology to files is not supported; only JSON topologies.');
  }
  const weights = new Uint8Array(joinWeightData(artifacts.weightData));
  const json: ModelJSONFile = {
    modelTopology: artifacts.modelTopology,
    format: artifacts.format,
    generatedBy: artifacts.generatedBy,
    convertedBy: artifacts.convertedBy,
    weightsManifest: [
      {
        paths: weights.byteLength > 0 ? [`./${path.posix.basename(weightsName)}`] : [],
        weights: artifacts.weightSpecs ?? [],
      },
    ],
  };
  for (const key of [
    'trainingConfig',
    'userDefinedMetadata',
    'signature',
    'modelInitializer',
    'initializerSignature',
  ] as const) {
    if (artifacts[key] !== undefined) json[key] = artifacts[key];
  }
  const files = new Map<string, Uint8Array | string>([[jsonName, JSON.stringify(json)]]);
  if (weights.byteLength > 0) files.set(weightsName, weights);
  return files;
}

/**
 * Reads a model.json-format file and its weight files.
 * @throws {@link CheckpointError} naming the file that is missing, not JSON, or truncated.
 */
async function readModelFile(jsonPath: string): Promise<tf.io.ModelArtifacts> {
  let text: string;
  try {
    text = await fs.readFile(jsonPath, 'utf8');
  } catch (err) {
    throw new CheckpointError(`${jsonPath} cannot be read: ${messageOf(err)}`, { cause: err });
  }
  let json: ModelJSONFile;
  try {
    json = JSON.parse(text) as ModelJSONFile;
  } catch (err) {
    throw new CheckpointError(`${jsonPath} is damaged: not valid JSON (${messageOf(err)}).`, { cause: err });
  }
  if (json === null || typeof json !== 'object' || json.modelTopology === undefined) {
    throw new CheckpointError(`${jsonPath} is damaged: it has no modelTopology.`);
  }
  const dir = path.dirname(jsonPath);
  const manifest = json.weightsManifest ?? [];
  if (!Array.isArray(manifest)) throw new CheckpointError(`${jsonPath} is damaged: weightsManifest is not an array.`);
  const specs: tf.io.WeightsManifestEntry[] = [];
  const buffers: ArrayBuffer[] = [];
  for (const group of manifest) {
    const groupBuffers: ArrayBuffer[] = [];
    for (const rel of group.paths ?? []) {
      const file = path.join(dir, rel);
      try {
        const bytes = await fs.readFile(file);
        groupBuffers.push(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
      } catch (err) {
        throw new CheckpointError(`${file} (listed in ${jsonPath}) cannot be read: ${messageOf(err)}`, { cause: err });
      }
    }
    const groupSpecs = group.weights ?? [];
    const got = groupBuffers.reduce((n, b) => n + b.byteLength, 0);
    const want = expectedWeightBytes(groupSpecs);
    if (want !== undefined && got !== want) {
      throw new CheckpointError(
        `${path.join(dir, group.paths?.[0] ?? '?')} is damaged: it has ${got} bytes, ${path.basename(jsonPath)} describes ${want} (truncated or from another save).`,
      );
    }
    specs.push(...groupSpecs);
    buffers.push(...groupBuffers);
  }
  const artifacts: tf.io.ModelArtifacts = {
    modelTopology: json.modelTopology as object,
    weightSpecs: specs,
    weightData: tf.io.concatenateArrayBuffers(buffers),
  };
  if (json.format !== undefined) artifacts.format = json.format;
  if (json.generatedBy !== undefined) artifacts.generatedBy = json.generatedBy;
  if (json.convertedBy !== undefined) artifacts.convertedBy = json.convertedBy;
  for (const key of [
    'trainingConfig',
    'userDefinedMetadata',
    'signature',
    'modelInitializer',
    'initializerSignature',
  ] as const) {
    if (json[key] !== undefined) (artifacts as Record<string, unknown>)[key] = json[key];
  }
  return artifacts;
}

/** A model folder may be replaced only if it holds nothing but model files. */
async function onlyModelFiles(dir: string): Promise<string | null> {
  const stat = await fs.stat(dir);
  if (!stat.isDirectory()) return 'it is a file, not a model folder';
  const entries = await fs.readdir(dir);
  const foreign = entries.filter((e) => e !== MODEL_JSON && !e.endsWith('.bin'));
  return foreign.length > 0 ? `it holds files other than a model (${foreign.slice(0, 3).join(', ')})` : null;
}

/**
 * A tfjs IOHandler for one model folder on the local file system, without tfjs-node.
 * `save` writes `<folder>/model.json` and `<folder>/weights.bin` atomically (it refuses to replace
 * a folder that holds other files); `load` reads a `model.json` path, or a folder holding one.
 *
 * @param location - `file://path` or a plain path.
 * @returns the handler.
 * @example
 * ```ts
 * await model.save(fileHandler('./out/generator'));
 * const again = await tf.loadLayersModel(fileHandler('./out/generator/model.json'));
 * ```
 * @category IO
 */
export function fileHandler(location: string): tf.io.IOHandler {
  const target = filePath(location);
  return {
    async save(artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> {
      const folder = target.endsWith('.json') ? path.dirname(target) : target;
      const jsonName = target.endsWith('.json') ? path.basename(target) : MODEL_JSON;
      await replaceFolder(folder, modelFiles(artifacts, jsonName, WEIGHTS_BIN), onlyModelFiles);
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    },
    async load(): Promise<tf.io.ModelArtifacts> {
      const isJson = target.endsWith('.json');
      const folder = await folderToRead(isJson ? path.dirname(target) : target, (d) =>
        exists(path.join(d, isJson ? path.basename(target) : MODEL_JSON)),
      );
      let jsonPath = isJson ? path.join(folder, path.basename(target)) : folder;
      if (!isJson && (await fs.stat(folder)).isDirectory()) jsonPath = path.join(folder, MODEL_JSON);
      return readModelFile(jsonPath);
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Whole checkpoints

/** A checkpoint folder may be replaced only if it is one (or is empty). */
async function onlyCheckpoint(dir: string): Promise<string | null> {
  const stat = await fs.stat(dir);
  if (!stat.isDirectory()) return 'it is a file, not a checkpoint folder';
  const entries = await fs.readdir(dir);
  if (entries.length === 0 || entries.includes(CHECKPOINT_JSON)) return null;
  return `it is a folder that is not a ts-gan checkpoint (it has no ${CHECKPOINT_JSON})`;
}

/**
 * A whole-checkpoint store on the local file system. The folder holds:
 * ```
 * checkpoint.json            manifest + trainer state (model.json format, no layers)
 * optimizers.bin             both optimizers' tensors (trainer checkpoints only)
 * generator/model.json       tfjs Layers model: tf.loadLayersModel('file://.../generator/model.json')
 * generator/weights.bin
 * discriminator/model.json
 * discriminator/weights.bin
 * ```
 * written as a whole, atomically.
 *
 * @param location - `file://path` or a plain path of the checkpoint folder.
 * @returns the store, usable wherever a checkpoint location is.
 * @category IO
 */
export function fileCheckpointStore(location: string): CheckpointStore {
  const target = filePath(location);
  return {
    description: target,
    async write(parts: CheckpointArtifacts): Promise<void> {
      const contents = new Map<string, Uint8Array | string>();
      for (const net of ['generator', 'discriminator'] as const) {
        for (const [rel, data] of modelFiles(parts[net], MODEL_JSON, WEIGHTS_BIN)) contents.set(`${net}/${rel}`, data);
      }
      for (const [rel, data] of modelFiles(parts.checkpoint, CHECKPOINT_JSON, OPTIMIZERS_BIN)) contents.set(rel, data);
      await replaceFolder(target, contents, onlyCheckpoint);
    },
    async read(): Promise<CheckpointArtifacts> {
      const folder = await folderToRead(target, (d) => exists(path.join(d, CHECKPOINT_JSON)));
      if (!(await exists(path.join(folder, CHECKPOINT_JSON)))) {
        throw new CheckpointError(`${target} is not a ts-gan checkpoint: it has no ${CHECKPOINT_JSON}.`);
      }
      return {
        checkpoint: await readModelFile(path.join(folder, CHECKPOINT_JSON)),
        generator: await readModelFile(path.join(folder, 'generator', MODEL_JSON)),
        discriminator: await readModelFile(path.join(folder, 'discriminator', MODEL_JSON)),
      };
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Routers

/** Whether tfjs-node is loaded: its own file:// handler then serves tf.io, and ours steps aside. */
function tfjsNodeLoaded(): boolean {
  try {
    return tf.findBackendFactory('tensorflow') != null;
  } catch {
    return false;
  }
}

type IORouter = Parameters<typeof tf.io.registerSaveRouter>[0];

// tfjs's router type says it returns a handler; routers return null for URLs they do not claim.
const tfjsRouter = ((url: string | string[]) =>
  isFileLocation(url) && !tfjsNodeLoaded() ? fileHandler(url) : null) as IORouter;

const checkpointRouter = (url: string): CheckpointStore | null =>
  isFileLocation(url) ? fileCheckpointStore(url) : null;

const REGISTERED_KEY = Symbol.for('ts-gan.fileRoutersRegistered');

/**
 * Sends `file://` URLs and plain paths to the file handlers: checkpoints (`gan.save`,
 * `Trainer.load`, ...) always, and tfjs's own `model.save` / `tf.loadLayersModel` unless tfjs-node
 * is loaded (it has its own). Importing `ts-gan/node` calls this; calling it again does nothing.
 * @category IO
 */
export function registerFileRouter(): void {
  const g = globalThis as unknown as Record<symbol, boolean | undefined>;
  registerCheckpointStoreRouter(checkpointRouter);
  if (g[REGISTERED_KEY]) return;
  g[REGISTERED_KEY] = true;
  tf.io.registerSaveRouter(tfjsRouter);
  tf.io.registerLoadRouter(tfjsRouter);
}
