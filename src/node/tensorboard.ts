/**
 * A training callback that writes TensorBoard event files: the step's losses and rates as scalars,
 * the judge's metrics when an evaluation runs, and a fixed-noise grid of samples as an image.
 *
 * @packageDocumentation
 */
import { appendFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type * as tf from '@tensorflow/tfjs-core';
import type { Callback, TrainBeginInfo, TrainEndInfo } from '../callbacks/callback.js';
import { ConfigError } from '../errors.js';
import type { GAN } from '../gan.js';
import {
  encodeEvent,
  fileVersionEvent,
  imageEvent,
  parseEventFile,
  scalarEvent,
  sessionStartEvent,
  type TensorBoardEvent,
} from '../tensorboard/events.js';
import { tfRecord } from '../tensorboard/records.js';
import type { StepLogs } from '../types.js';
import { knownKeys, nonNegativeInteger, positiveInteger } from '../util/validate.js';
import { encodeImageGrid, type ImageGridOptions, imageGridSize } from './png.js';

/**
 * Options of {@link TensorBoardCallback}.
 * @category Callbacks
 */
export interface TensorBoardOptions {
  /** The folder of this run's event files; `tensorboard --logdir` on it or on a parent shows them. */
  logDir: string;
  /** Write the step's logs on logged steps that are a multiple of this. Default 1: every logged step (see `logEvery`). */
  every?: number;
  /** Write the fixed-noise grid every this many steps; 0: at the start and the end only. Default 500. */
  imageEvery?: number;
  /**
   * Draws the grid's images `[n, height, width, 1 or 3]` (the callback disposes them), or `false`
   * for no images. Default: 25 samples of `gan.sample` from noise seeded with the GAN's seed.
   */
  images?: ((gan: GAN) => tf.Tensor) | false;
  /** Layout of the grid. Default `{ scale: 2 }`. */
  grid?: ImageGridOptions;
  /**
   * An evaluation to report, such as the `EvaluationCallback` of `ts-gan/metrics`: its new `records`
   * are written as `eval/<metric>` scalars at each hook. Put this callback after it in the list.
   */
  evaluation?: { readonly records: readonly { step: number; metrics: Readonly<Record<string, number>> }[] };
  /** Milliseconds since the Unix epoch, for wall times and the file name. Default `Date.now`. */
  now?: () => number;
}

const OPTION_KEYS = ['logDir', 'every', 'imageEvery', 'images', 'grid', 'evaluation', 'now'] as const;
const DEFAULT_IMAGE_EVERY = 500;
/** The default grid: 5 x 5 samples. */
const DEFAULT_GRID_SAMPLES = 25;
/** Grids drawn 2x: large enough to read a 28 px digit, a third of the bytes of the 3x grids in samples/. */
const DEFAULT_GRID_SCALE = 2;
/** The tag of the fixed-noise grid. */
export const TENSORBOARD_IMAGE_TAG = 'samples/fixed-noise';

/**
 * Writes TensorBoard event files while a GAN trains, with no native dependency, so that
 * `tensorboard --logdir runs/` shows ts-gan runs next to PyTorch and TensorFlow ones.
 *
 * Each `fit` appends to one file `events.out.tfevents.<seconds>.<host>.<pid>.<n>` in `logDir`
 * (created at the first `fit`): `train/<key>` scalars for every entry of the step's logs (dLoss,
 * gLoss, dReal, dFake, stepsPerSecond, and those that regularizers add), `eval/<metric>` scalars
 * from `evaluation`, and the image `samples/fixed-noise`. Records reach the file at the end of the
 * hook that made them, so a TensorBoard watching the folder follows the run live. A resumed run
 * (a `fit` that starts after step 0) begins with a session-start marker at its first step.
 *
 * @example
 * ```ts
 * import { TensorBoardCallback } from 'ts-gan/node';
 * const tensorboard = new TensorBoardCallback({ logDir: 'runs/my-gan', imageEvery: 200 });
 * await trainer.fit(images, { steps: 5000, callbacks: [tensorboard] });
 * // then: tensorboard --logdir runs/
 * ```
 * @category Callbacks
 */
export class TensorBoardCallback implements Callback {
  private readonly logDir: string;
  private readonly every: number;
  private readonly imageEvery: number;
  private readonly images: ((gan: GAN) => tf.Tensor) | false;
  private readonly grid: ImageGridOptions;
  private readonly evaluation: TensorBoardOptions['evaluation'];
  private readonly now: () => number;
  private pending: Uint8Array[] = [];
  private evaluationsWritten = 0;
  private lastImage = -1;
  private info: TrainBeginInfo | undefined;
  private eventFile: string | undefined;

  /** The path of the event file, once the first `fit` began; undefined before. */
  get file(): string | undefined {
    return this.eventFile;
  }

  /**
   * @param options - see {@link TensorBoardOptions}.
   * @throws {@link index!ConfigError | ConfigError} for an invalid option.
   */
  constructor(options: TensorBoardOptions) {
    if (options === null || typeof options !== 'object') {
      throw new ConfigError(`TensorBoardCallback: options must be an object, got ${String(options)}.`);
    }
    knownKeys('TensorBoardCallback', options, OPTION_KEYS);
    if (typeof options.logDir !== 'string' || options.logDir === '') {
      throw new ConfigError(
        `TensorBoardCallback: logDir must be a folder path, got ${JSON.stringify(options.logDir)}.`,
      );
    }
    if (options.images !== undefined && options.images !== false && typeof options.images !== 'function') {
      throw new ConfigError('TensorBoardCallback: images must be a function of the GAN or false.');
    }
    this.logDir = options.logDir;
    this.every = positiveInteger('TensorBoardCallback', 'every', options.every ?? 1);
    this.imageEvery = nonNegativeInteger(
      'TensorBoardCallback',
      'imageEvery',
      options.imageEvery ?? DEFAULT_IMAGE_EVERY,
    );
    this.images = options.images ?? ((gan) => gan.sample(DEFAULT_GRID_SAMPLES, { seed: gan.seed }));
    this.grid = options.grid ?? { scale: DEFAULT_GRID_SCALE };
    this.evaluation = options.evaluation;
    this.now = options.now ?? Date.now;
  }

  /** Opens the event file (at the first `fit`), marks a resumed run's restart, and writes the first grid. */
  async onTrainBegin(info: TrainBeginInfo): Promise<void> {
    this.info = info;
    if (this.eventFile === undefined) this.eventFile = await this.create();
    if (info.initialStep > 0) this.add(sessionStartEvent(info.initialStep, this.wallTime()));
    await this.image(info.initialStep);
    this.addEvaluations();
    await this.flush();
  }

  /** Writes the grid of the step just completed when it is a multiple of `imageEvery`, and new evaluations. */
  async onStepBegin(step: number): Promise<void> {
    const done = step - 1;
    if (this.imageEvery > 0 && done > 0 && done % this.imageEvery === 0) await this.image(done);
    this.addEvaluations();
    await this.flush();
  }

  /** Writes the step's logs as `train/<key>` scalars (on multiples of `every`). */
  async onStepEnd(step: number, logs: StepLogs): Promise<void> {
    if (step % this.every === 0) {
      const scalars: Record<string, number> = {};
      for (const [key, value] of Object.entries(logs)) if (typeof value === 'number') scalars[`train/${key}`] = value;
      this.add(scalarEvent(step, scalars, this.wallTime()));
    }
    this.addEvaluations();
    await this.flush();
  }

  /** Writes the final grid and the last evaluation. */
  async onTrainEnd(info: TrainEndInfo): Promise<void> {
    await this.image(info.finalStep);
    this.addEvaluations();
    await this.flush();
    this.info = undefined;
  }

  /** Appends the records not yet written to the file. Every hook ends with this. */
  async flush(): Promise<void> {
    if (this.pending.length === 0 || this.eventFile === undefined) return;
    const bytes = Buffer.concat(this.pending);
    this.pending = [];
    await appendFile(this.eventFile, bytes);
  }

  private add(event: TensorBoardEvent): void {
    this.pending.push(tfRecord(encodeEvent(event)));
  }

  private wallTime(): number {
    return this.now() / 1000;
  }

  /** Creates a new event file with its version record; a name already taken gets the next counter. */
  private async create(): Promise<string> {
    await mkdir(this.logDir, { recursive: true });
    const first = tfRecord(encodeEvent(fileVersionEvent(this.wallTime())));
    const seconds = Math.floor(this.now() / 1000);
    for (let n = 0; ; n++) {
      const file = join(this.logDir, `events.out.tfevents.${seconds}.${hostname()}.${process.pid}.${n}`);
      try {
        await writeFile(file, first, { flag: 'wx' });
        return file;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
    }
  }

  private async image(step: number): Promise<void> {
    const gan = this.info?.gan;
    if (this.images === false || gan === undefined || step === this.lastImage) return;
    this.lastImage = step;
    const images = this.images(gan);
    try {
      const [n, h, w] = images.shape as [number, number, number];
      const encoded = await encodeImageGrid(images, this.grid);
      const { width, height } = imageGridSize(n, h, w, this.grid);
      this.add(imageEvent(step, TENSORBOARD_IMAGE_TAG, { width, height, encoded }, this.wallTime()));
    } finally {
      images.dispose();
    }
  }

  private addEvaluations(): void {
    const records = this.evaluation?.records ?? [];
    for (; this.evaluationsWritten < records.length; this.evaluationsWritten++) {
      const { step, metrics } = records[this.evaluationsWritten] as (typeof records)[number];
      const scalars: Record<string, number> = {};
      for (const [key, value] of Object.entries(metrics)) scalars[`eval/${key}`] = value;
      this.add(scalarEvent(step, scalars, this.wallTime()));
    }
  }
}

/**
 * Creates a {@link TensorBoardCallback}.
 *
 * @param options - see {@link TensorBoardOptions}.
 * @returns the callback.
 * @example
 * ```ts
 * await trainer.fit(images, { steps: 5000, callbacks: [tensorBoardLogger({ logDir: 'runs/my-gan' })] });
 * ```
 * @category Callbacks
 */
export function tensorBoardLogger(options: TensorBoardOptions): TensorBoardCallback {
  return new TensorBoardCallback(options);
}

/**
 * Reads an event file written by {@link TensorBoardCallback}, TensorFlow or PyTorch.
 *
 * @param file - the path of an `events.out.tfevents.*` file.
 * @returns its events in file order.
 * @throws {@link index!DataError | DataError} when a record's CRC does not match or the file ends inside a record.
 * @example
 * ```ts
 * const events = await readEvents(tensorboard.file!);
 * ```
 * @category IO
 */
export async function readEvents(file: string): Promise<TensorBoardEvent[]> {
  const bytes = await readFile(file);
  return parseEventFile(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
}
