/**
 * Reading one model.json-format file and the weight files it names, from a folder that may come
 * from someone else: the files it names must stay inside the checkpoint's folder (see
 * `src/io/contained-path.ts`), including after symbolic links are followed.
 *
 * @packageDocumentation
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { CheckpointError } from '../errors.js';
import { expectedWeightBytes, messageOf } from '../io/artifacts.js';
import { checkWeightsManifest, containedSegments } from '../io/contained-path.js';

/** A model.json file: what tfjs-node and tfjs-converter write. */
export interface ModelJSONFile {
  modelTopology?: unknown;
  format?: string;
  generatedBy?: string;
  convertedBy?: string | null;
  /** Untrusted when read: checked by {@link readModelFile}. */
  weightsManifest?: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
  trainingConfig?: unknown;
  userDefinedMetadata?: unknown;
  signature?: unknown;
  modelInitializer?: unknown;
  initializerSignature?: unknown;
}

/** The optional model.json fields tfjs artifacts may carry; written and read back unchanged. */
export const OPTIONAL_MODEL_FIELDS = [
  'trainingConfig',
  'userDefinedMetadata',
  'signature',
  'modelInitializer',
  'initializerSignature',
] as const;

/**
 * Reads a model.json-format file and its weight files, which must lie inside `root` (the
 * checkpoint's folder): every weight path is checked before any weight file is read, and a file
 * reached through a symbolic link must still lie inside `root` once the link is followed.
 * @param root - the folder the files must stay in; the model.json's own folder by default.
 * @throws {@link CheckpointError} naming the file that is missing, not JSON, truncated, or outside `root`.
 */
export async function readModelFile(jsonPath: string, root = path.dirname(jsonPath)): Promise<tf.io.ModelArtifacts> {
  const realRoot = await realPathOf(root, jsonPath);
  let text: string;
  try {
    text = await fs.readFile(await realFileInside(realRoot, jsonPath, jsonPath), 'utf8');
  } catch (err) {
    if (err instanceof CheckpointError) throw err;
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
  // Every path is checked before the first weight file is read.
  const base = path
    .relative(root, path.dirname(jsonPath))
    .split(path.sep)
    .filter((s) => s !== '');
  const groups = checkWeightsManifest(jsonPath, json.weightsManifest).map((g) => ({
    files: g.paths.map((rel) => ({ rel, file: path.join(root, ...containedSegments(jsonPath, rel, base)) })),
    specs: g.specs,
  }));
  const specs: tf.io.WeightsManifestEntry[] = [];
  const buffers: ArrayBuffer[] = [];
  for (const group of groups) {
    const groupBuffers: ArrayBuffer[] = [];
    for (const { rel, file } of group.files) {
      try {
        const bytes = await fs.readFile(await realFileInside(realRoot, file, jsonPath, rel));
        groupBuffers.push(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
      } catch (err) {
        if (err instanceof CheckpointError) throw err;
        throw new CheckpointError(`${file} (listed in ${jsonPath}) cannot be read: ${messageOf(err)}`, { cause: err });
      }
    }
    const got = groupBuffers.reduce((n, b) => n + b.byteLength, 0);
    const want = expectedWeightBytes(group.specs);
    if (want !== undefined && got !== want) {
      throw new CheckpointError(
        `${group.files[0]?.file ?? `the weights listed in ${jsonPath}`} is damaged: it has ${got} bytes, ${path.basename(jsonPath)} describes ${want} (truncated or from another save).`,
      );
    }
    specs.push(...group.specs);
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
  for (const key of OPTIONAL_MODEL_FIELDS) {
    if (json[key] !== undefined) (artifacts as Record<string, unknown>)[key] = json[key];
  }
  return artifacts;
}

async function realPathOf(dir: string, jsonPath: string): Promise<string> {
  try {
    return await fs.realpath(dir);
  } catch (err) {
    throw new CheckpointError(`${jsonPath} cannot be read: ${messageOf(err)}`, { cause: err });
  }
}

/**
 * The real path of `file` (symbolic links followed), if it is a regular file inside `realRoot`.
 * Reading that path, not `file`, means a link swapped in later is not followed either. A link
 * that leads out and a link that leads nowhere get the same message, so that a checkpoint cannot
 * learn from the error whether a path outside its folder exists.
 * @throws {@link CheckpointError} when a link leads out of `realRoot`, or `file` is not a regular file.
 */
async function realFileInside(realRoot: string, file: string, jsonPath: string, rel?: unknown): Promise<string> {
  const named = rel === undefined ? file : `the weight file ${JSON.stringify(rel)} named by ${jsonPath}`;
  const leadsOut = () =>
    new CheckpointError(
      `${named} is a symbolic link that does not lead to a file inside the checkpoint folder ${realRoot}; ` +
        'it is refused without being read.',
    );
  let real: string;
  try {
    real = await fs.realpath(file);
  } catch (err) {
    if (await isLink(file)) throw leadsOut();
    throw err;
  }
  const relative = path.relative(realRoot, real);
  if (relative === '..' || relative.startsWith(`..${path.sep}`) || path.isAbsolute(relative)) throw leadsOut();
  if (!(await fs.stat(real)).isFile()) throw new CheckpointError(`${named} is not a regular file.`);
  return real;
}

async function isLink(file: string): Promise<boolean> {
  return fs.lstat(file).then(
    (s) => s.isSymbolicLink(),
    () => false,
  );
}
