/**
 * What `ts-gan mnist` writes while it trains: metrics.jsonl, sample grids from fixed noise, and
 * checkpoints, as one training callback.
 *
 * @packageDocumentation
 */
import { appendFile, copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { Callback, TrainBeginInfo, TrainEndInfo } from '../callbacks/callback.js';
import type { GAN } from '../gan.js';
import { writeImageGrid } from '../node/png.js';
import type { StepLogs } from '../types.js';
import { CONDITIONAL_COLUMNS, conditionalGrid } from './arch.js';

/** The seed's sample grid: 5 x 5 digits. */
export const GRID_SIZE = 25;
/** Digits are 28 px; drawn 3x larger so that a grid is easy to look at. */
export const GRID_SCALE = 3;

/** Options of {@link RunRecorder}. */
export interface RunRecorderOptions {
  /** The run folder. */
  out: string;
  /** The GAN being trained. */
  gan: GAN;
  /** Seed of the fixed noise behind every sample grid. */
  sampleSeed: number;
  /** Write a grid every this many steps; 0: only at the start and the end. */
  sampleEvery: number;
  /** Save a checkpoint every this many steps; 0: only at the end. */
  checkpointEvery: number;
  /** Saves a resumable checkpoint (after the step given). */
  checkpoint: (step: number) => Promise<void>;
}

/** Whether a GAN's grid has one row per class: conditional GANs, and InfoGAN's categorical code. */
function byClass(gan: GAN): boolean {
  return (gan.conditioning?.numClasses ?? 0) > 0;
}

/** The run's fixed-noise grid (the caller disposes it): 5 x 5 samples, or one row per class. */
export function fixedNoiseGrid(gan: GAN, seed: number): tf.Tensor {
  return byClass(gan) ? conditionalGrid(gan, seed) : gan.sample(GRID_SIZE, { seed });
}

/** Images per row of {@link fixedNoiseGrid}. */
export function gridColumns(gan: GAN): number {
  return byClass(gan) ? CONDITIONAL_COLUMNS : 5;
}

/** The file name of the grid for a step: `step-000200.png`. */
export function sampleFileName(step: number): string {
  return `step-${String(step).padStart(6, '0')}.png`;
}

/**
 * Records a run. Grids and checkpoints are taken at step boundaries (in `onStepBegin`, which comes
 * after the previous step completed), so they do not depend on the trainer's logging interval.
 */
export class RunRecorder implements Callback {
  private readonly o: RunRecorderOptions;
  private lastSampled = -1;
  private lastCheckpoint = -1;

  constructor(options: RunRecorderOptions) {
    this.o = options;
  }

  get metricsPath(): string {
    return join(this.o.out, 'metrics.jsonl');
  }

  async onTrainBegin(info: TrainBeginInfo): Promise<void> {
    await mkdir(join(this.o.out, 'samples'), { recursive: true });
    if (info.initialStep === 0) await this.sample(0);
    this.lastCheckpoint = info.initialStep;
  }

  async onStepBegin(step: number): Promise<void> {
    const completed = step - 1;
    if (completed <= 0) return;
    if (this.o.sampleEvery > 0 && completed % this.o.sampleEvery === 0) await this.sample(completed);
    if (this.o.checkpointEvery > 0 && completed % this.o.checkpointEvery === 0 && completed !== this.lastCheckpoint) {
      await this.o.checkpoint(completed);
      this.lastCheckpoint = completed;
    }
  }

  async onStepEnd(step: number, logs: StepLogs): Promise<void> {
    const { numTensors } = tf.memory();
    const line = {
      step,
      dLoss: logs.dLoss,
      gLoss: logs.gLoss,
      dReal: logs.dReal,
      dFake: logs.dFake,
      stepsPerSecond: logs.stepsPerSecond,
      numTensors,
      rssMB: Math.round(process.memoryUsage.rss() / 2 ** 20),
    };
    await appendFile(this.metricsPath, `${JSON.stringify(line)}\n`);
  }

  async onTrainEnd(info: TrainEndInfo): Promise<void> {
    await this.sample(info.finalStep);
  }

  /** Writes the fixed-noise grid for a completed step, and copies it to latest.png. */
  async sample(step: number): Promise<void> {
    if (step === this.lastSampled) return;
    this.lastSampled = step;
    const images = fixedNoiseGrid(this.o.gan, this.o.sampleSeed);
    try {
      const file = join(this.o.out, 'samples', sampleFileName(step));
      await writeImageGrid(images, file, { columns: gridColumns(this.o.gan), scale: GRID_SCALE });
      await copyFile(file, join(this.o.out, 'samples', 'latest.png'));
    } finally {
      images.dispose();
    }
  }
}
