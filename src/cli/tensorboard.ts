/**
 * The TensorBoard logger of `ts-gan mnist`: the same fixed-noise grid as samples/, and the judge's
 * metrics beside the step logs.
 *
 * @packageDocumentation
 */
import { join } from 'node:path';
import type { GAN } from '../gan.js';
import type { EvaluationCallback } from '../metrics/callback.js';
import { TensorBoardCallback } from '../node/tensorboard.js';
import { fixedNoiseGrid, gridColumns } from './recorder.js';

/** The run folder's subfolder of event files: `tensorboard --logdir runs/` lists it as `<run>/tensorboard`. */
export const TENSORBOARD_DIR = 'tensorboard';

/**
 * Writes `<out>/tensorboard/events.out.tfevents.*`: the step logs, the evaluations of `judge`, and
 * the grid of samples/ (one row per class for conditional GANs) every `sampleEvery` steps.
 */
export function mnistTensorBoard(
  out: string,
  gan: GAN,
  sampleEvery: number,
  judge: EvaluationCallback | undefined,
): TensorBoardCallback {
  return new TensorBoardCallback({
    logDir: join(out, TENSORBOARD_DIR),
    imageEvery: sampleEvery,
    images: (g) => fixedNoiseGrid(g, g.seed),
    grid: { columns: gridColumns(gan), scale: 2 },
    ...(judge === undefined ? {} : { evaluation: judge }),
  });
}
