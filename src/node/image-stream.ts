/**
 * A folder too large for memory, as a stream of batches: the pictures are decoded and fitted one
 * batch at a time, in a seeded random order that changes with each pass, by the rules of
 * ../data/image-fit.ts. `Trainer.fit` takes the stream as it is.
 *
 * @packageDocumentation
 */
import { readFile } from 'node:fs/promises';
import { join, sep } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { LabelledBatch } from '../conditional/labelled-data.js';
import { bytesToImageTensor, checkImageShape, fitPicture, type ImageShapeOptions } from '../data/image-fit.js';
import { BadImageError, DataError } from '../errors.js';
import { SeededRandom } from '../random.js';
import { checkFolderOptions, classOf, decodePicture, type FolderLabels, planFolder } from './image-files.js';

/**
 * Options of {@link streamImageFolder}.
 * @category Data
 */
export interface StreamImageFolderOptions extends ImageShapeOptions {
  /** Pictures per batch. */
  batchSize: number;
  /** Passes over the folder; default endless (the trainer stops at its step count). */
  epochs?: number;
  /** Seeds the order of each pass. Default 0. */
  seed?: number;
  /** Where labels come from, as for {@link loadImageFolder}. Default `'auto'`. */
  labels?: FolderLabels;
  /** A bad file is skipped from then on and listed in `skipped` (default), or throws a BadImageError. */
  onBadFile?: 'skip' | 'throw';
}

/**
 * A folder as batches.
 * @category Data
 */
export interface ImageFolderStream {
  /** The class names (the subfolders that hold pictures, sorted); empty without labels. */
  readonly classNames: readonly string[];
  /** How many picture files the folder holds (before any is found bad). */
  readonly size: number;
  /** The files found bad so far, and why; it grows as the stream reads them. */
  readonly skipped: readonly { file: string; reason: string }[];
  /** Batches `[b, height, width, channels]` in [-1, 1]; each is the consumer's to dispose (`Trainer.fit` does). */
  batches(): AsyncGenerator<tf.Tensor4D>;
  /** Batches with their class indices, for the conditional GANs. @throws DataError without labels. */
  labelledBatches(): AsyncGenerator<LabelledBatch>;
}

const FN = 'streamImageFolder';

/**
 * Lists a folder of PNG and JPEG pictures (as {@link loadImageFolder} does) and returns a stream
 * that decodes them a batch at a time, so that only one batch is ever in memory. The last batch of
 * a pass may be smaller.
 *
 * @param dir - the folder.
 * @param options - `size` and `batchSize` (required), `channels`, `fit`, `epochs`, `seed`, `labels`, `onBadFile`.
 * @returns the stream.
 * @throws {@link index!DataError | DataError} for bad options, a folder that cannot be read or holds no picture.
 * @example
 * ```ts
 * const stream = await streamImageFolder('photos', { size: 64, batchSize: 32 });
 * await trainer.fit(stream.batches(), { steps: 10_000 });
 * ```
 * @category Data
 */
export async function streamImageFolder(dir: string, options: StreamImageFolderOptions): Promise<ImageFolderStream> {
  const shape = checkImageShape(FN, options);
  checkFolderOptions(FN, options);
  const { batchSize, epochs = Number.POSITIVE_INFINITY, seed = 0, onBadFile = 'skip' } = options;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new DataError(`${FN}: batchSize must be a positive integer, got ${String(batchSize)}.`);
  }
  if (!(epochs === Number.POSITIVE_INFINITY || (Number.isInteger(epochs) && epochs >= 1))) {
    throw new DataError(`${FN}: epochs must be a positive integer, got ${String(epochs)}.`);
  }
  const plan = await planFolder(FN, dir, options.labels ?? 'auto');
  const skipped: { file: string; reason: string }[] = [];
  const bad = new Set<string>();
  const paths = plan.byFolder ? plan.paths.filter((p) => p.includes(sep)) : plan.paths;
  for (const p of plan.paths.filter((q) => !paths.includes(q))) {
    skipped.push({ file: p, reason: 'not in a class subfolder (with labels from folders, every image lies in one)' });
  }
  if (paths.length === 0) {
    throw new DataError(
      `${FN}: no images in the class subfolders of ${plan.root}; with labels "folders", every image lies in one.`,
    );
  }
  const classNames = plan.byFolder ? [...new Set(paths.map(classOf))].sort() : [];

  async function* raw(): AsyncGenerator<{ bytes: Uint8Array; files: string[] }> {
    const rng = new SeededRandom(seed);
    for (let epoch = 0; epoch < epochs; epoch++) {
      const order = shuffled(paths, rng);
      let chunk: Uint8Array[] = [];
      let files: string[] = [];
      for (const file of order) {
        if (bad.has(file)) continue;
        try {
          chunk.push(fitPicture(decodePicture(await readFile(join(plan.root, file))), shape));
          files.push(file);
        } catch (err) {
          if (onBadFile === 'throw')
            throw new BadImageError(FN, join(plan.root, file), (err as Error).message, { cause: err });
          bad.add(file);
          skipped.push({ file, reason: (err as Error).message });
        }
        if (chunk.length === batchSize) {
          yield { bytes: joined(chunk), files };
          [chunk, files] = [[], []];
        }
      }
      if (chunk.length > 0) yield { bytes: joined(chunk), files };
      else if (bad.size === paths.length) {
        throw new DataError(`${FN}: no usable image in ${plan.root}: all ${paths.length} image files are bad.`);
      }
    }
  }

  return {
    classNames,
    size: plan.paths.length,
    skipped,
    async *batches() {
      for await (const b of raw()) yield bytesToImageTensor(b.bytes, b.files.length, shape);
    },
    async *labelledBatches() {
      if (!plan.byFolder) {
        throw new DataError(`${FN}: ${plan.root} has no class subfolders, so its batches have no labels.`);
      }
      for await (const b of raw()) {
        const labels = Int32Array.from(b.files, (f) => classNames.indexOf(classOf(f)));
        yield { x: bytesToImageTensor(b.bytes, b.files.length, shape), labels: tf.tensor1d(labels, 'int32') };
      }
    },
  };
}

/** A seeded Fisher-Yates shuffle. */
function shuffled<T>(items: readonly T[], rng: SeededRandom): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rng.nextFloat() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

function joined(chunks: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((a, c) => a + c.length, 0));
  chunks.forEach((c, i) => {
    out.set(c, i * c.length);
  });
  return out;
}
