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
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { CheckpointError } from '../errors.js';
import { joinWeightData } from '../io/artifacts.js';
import { type CheckpointArtifacts, type CheckpointStore, registerCheckpointStoreRouter } from '../io/store.js';
import { exists, folderToRead, replaceFolder } from './atomic-folder.js';
import {
  CHECKPOINT_FILES,
  CHECKPOINT_JSON,
  filePath,
  findCheckpoint,
  holdsCheckpoint,
  isFileLocation,
  MODEL_JSON,
  OPTIMIZERS_BIN,
  WEIGHTS_BIN,
} from './file-locations.js';
import { type ModelJSONFile, OPTIONAL_MODEL_FIELDS, readModelFile } from './model-file.js';

export {
  CHECKPOINT_JSON,
  filePath,
  findCheckpoint,
  isFileLocation,
  MODEL_JSON,
  OPTIMIZERS_BIN,
  WEIGHTS_BIN,
} from './file-locations.js';

// ---------------------------------------------------------------------------------------------
// One model folder: model.json + weights

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
  for (const key of OPTIONAL_MODEL_FIELDS) {
    if (artifacts[key] !== undefined) json[key] = artifacts[key];
  }
  const files = new Map<string, Uint8Array | string>([[jsonName, JSON.stringify(json)]]);
  if (weights.byteLength > 0) files.set(weightsName, weights);
  return files;
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
      await replaceFolder(folder, modelFiles(artifacts, jsonName, WEIGHTS_BIN), {
        mayReplace: onlyModelFiles,
        isComplete: (d) => exists(path.join(d, jsonName)),
        label: 'Model folder',
      });
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
      await replaceFolder(target, contents, {
        mayReplace: onlyCheckpoint,
        isComplete: holdsCheckpoint,
        own: CHECKPOINT_FILES,
        label: 'Checkpoint',
      });
    },
    async read(): Promise<CheckpointArtifacts> {
      const folder = await findCheckpoint(target);
      if (folder === null) {
        await folderToRead(target, holdsCheckpoint); // throws "Nothing found" when nothing is there
        throw new CheckpointError(`${target} is not a ts-gan checkpoint: it has no ${CHECKPOINT_JSON}.`);
      }
      return {
        checkpoint: await readModelFile(path.join(folder, CHECKPOINT_JSON), folder),
        generator: await readModelFile(path.join(folder, 'generator', MODEL_JSON), folder),
        discriminator: await readModelFile(path.join(folder, 'discriminator', MODEL_JSON), folder),
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
