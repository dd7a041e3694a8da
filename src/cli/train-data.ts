/**
 * The data of `ts-gan train`: `--data` names a folder of pictures (loadImageFolder, with its cache)
 * or an IDX file (loadIdx, with its labels file when there is one), brought to `--size` and
 * `--channels`.
 *
 * @packageDocumentation
 */
import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { DataError } from '../errors.js';
import { loadIdx } from '../node/idx-dataset.js';
import { loadImageFolder } from '../node/image-folder.js';
import type { CliIO } from './args.js';
import { DEFAULT_FOLDER_SIZE } from './train-flags.js';
import type { TrainRunOptions } from './train-options.js';
import type { RunData } from './training-run.js';

/** Skipped files named on stderr; the rest are counted. */
const SKIPPED_SHOWN = 5;

/** The labels file beside an IDX images file (`train-images-idx3-ubyte.gz` -> `train-labels-idx1-ubyte.gz`), if it exists. */
export function siblingLabels(imagesFile: string): string | undefined {
  const name = basename(imagesFile);
  const labels = name.replace(/images([-.])idx3/, 'labels$1idx1');
  if (labels === name) return undefined;
  const file = join(dirname(imagesFile), labels);
  return existsSync(file) ? file : undefined;
}

/** Loads `--data` as the flags say. @throws DataError for a missing path or unusable data. */
export async function loadTrainData(o: TrainRunOptions, io: CliIO): Promise<RunData> {
  const info = await stat(o.data).catch((err: unknown) => {
    throw new DataError(`--data ${resolve(o.data)} cannot be read: ${(err as Error).message}`, { cause: err });
  });
  return info.isDirectory() ? loadFolder(o, io) : loadIdxData(o);
}

async function loadFolder(o: TrainRunOptions, io: CliIO): Promise<RunData> {
  if (o.labels !== undefined) {
    throw new DataError(
      '--labels names the labels file of IDX data; the labels of a folder are its subfolders (one per class).',
    );
  }
  const [height, width] = o.size ?? [DEFAULT_FOLDER_SIZE, DEFAULT_FOLDER_SIZE];
  const channels = o.channels ?? 3;
  const data = await loadImageFolder(o.data, {
    size: [height, width],
    channels,
    fit: o.fit,
    onBadFile: o.onBadFile === 'fail' ? 'throw' : 'skip',
    ...(o.limit === undefined ? {} : { limit: o.limit }),
    ...(o.noCache ? {} : { cacheDir: o.cache }),
  });
  if (data.skipped.length > 0) {
    const named = data.skipped.slice(0, SKIPPED_SHOWN).map((s) => `  ${s.file}: ${s.reason}\n`);
    const more = data.skipped.length > SKIPPED_SHOWN ? `  ... and ${data.skipped.length - SKIPPED_SHOWN} more\n` : '';
    io.stderr.write(`warning: skipped ${data.skipped.length} files that cannot be used:\n${named.join('')}${more}`);
  }
  const classes =
    data.classNames.length > 0 ? ` in ${data.classNames.length} classes (${data.classNames.join(', ')})` : '';
  const cached = data.cache === 'hit' ? ', from the cache' : '';
  return {
    images: data.images,
    ...(data.labels ? { labels: data.labels } : {}),
    numClasses: data.classNames.length,
    dataShape: [height, width, channels],
    description: `${data.files.length} images ${height}x${width}x${channels}${classes} from ${resolve(o.data)}${cached}`,
  };
}

async function loadIdxData(o: TrainRunOptions): Promise<RunData> {
  const labelsFile = o.labels ?? siblingLabels(o.data);
  const data = await loadIdx(o.data, labelsFile, o.limit === undefined ? {} : { limit: o.limit });
  const [n, fileHeight, fileWidth] = data.images.shape;
  const [height, width] = o.size ?? [fileHeight, fileWidth];
  const channels = o.channels ?? 1;
  const images = tf.tidy(() => {
    let x: tf.Tensor4D = data.images;
    // Bilinear with half-pixel centres: the resampling of PIL and PyTorch's interpolate.
    if (height !== fileHeight || width !== fileWidth) x = tf.image.resizeBilinear(x, [height, width], false, true);
    if (channels === 3) x = tf.tile(x, [1, 1, 1, 3]);
    return x === data.images ? tf.clone(x) : tf.clipByValue(x, -1, 1);
  });
  data.images.dispose();
  const labelled = labelsFile === undefined ? '' : ` with the labels of ${resolve(labelsFile)}`;
  return {
    images,
    ...(data.labels ? { labels: data.labels } : {}),
    numClasses: data.classNames.length,
    dataShape: [height, width, channels],
    description: `${n} images ${height}x${width}x${channels} from ${resolve(o.data)}${labelled}`,
  };
}
