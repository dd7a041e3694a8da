/**
 * Where things are on disk for the Node file handlers: `file://` URLs and plain paths, the file
 * names of model and checkpoint folders, and the one test of "there is a checkpoint here".
 *
 * @packageDocumentation
 */
import * as path from 'node:path';
import { currentVersion, exists } from './atomic-folder.js';

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

/** Every file a checkpoint save writes (with `/`); other entries of a checkpoint folder are a user's, and kept. */
export const CHECKPOINT_FILES = [
  CHECKPOINT_JSON,
  OPTIMIZERS_BIN,
  ...['generator', 'discriminator'].flatMap((net) => [`${net}/${MODEL_JSON}`, `${net}/${WEIGHTS_BIN}`]),
];

/** Whether a folder holds a checkpoint's manifest. */
export const holdsCheckpoint = (dir: string) => exists(path.join(dir, CHECKPOINT_JSON));

/**
 * Where a checkpoint would be read from: the one definition of "there is a checkpoint here" that
 * `Trainer.load`, `GAN.load` and `ts-gan mnist --resume` share. That is the folder itself when it
 * holds a `checkpoint.json`, or, when a save was interrupted between its two renames (the folder
 * missing), the previous version kept beside it as `<folder>.old-*`.
 *
 * @param location - `file://path` or a plain path of the checkpoint folder.
 * @returns the absolute path of the folder a load would read, or null when there is no checkpoint.
 * @example
 * ```ts
 * const from = await findCheckpoint('./runs/mnist/checkpoint');
 * const trainer = from === null ? new Trainer(gan) : await Trainer.load('./runs/mnist/checkpoint');
 * ```
 * @category IO
 */
export async function findCheckpoint(location: string): Promise<string | null> {
  const found = await currentVersion(filePath(location), holdsCheckpoint);
  return found !== null && (await holdsCheckpoint(found)) ? found : null;
}
