/**
 * The interpolation grid of `ts-gan sample --interpolate` and of every `ts-gan mnist` run: each row
 * walks from one random latent vector to another, so a person sees whether the generator changes
 * smoothly (a good sign) or jumps between a few outputs (memorization, collapse).
 *
 * @packageDocumentation
 */
import type { GAN } from '../gan.js';
import type { InterpolationMethod } from '../latent.js';
import { writeImageGrid } from '../node/png.js';
import { SeededRandom } from '../random.js';

/** Options of {@link writeInterpolationGrid}. */
export interface InterpolationGridOptions {
  /** Rows: pairs of random endpoints. */
  rows: number;
  /** Images per row, both endpoints included. */
  steps: number;
  /** Seed of the endpoints: row r goes from vector r to vector rows + r of this stream. */
  seed: number;
  method: InterpolationMethod;
  /** Pixel scale of the PNG. */
  scale: number;
  /** Conditional GANs: the class of each row (default row r: class r % numClasses). */
  labels?: readonly number[];
}

/** The defaults of the grid a run leaves in samples/interpolation.png: 8 rows of 10 steps. */
export const INTERPOLATION_DEFAULTS = { rows: 8, steps: 10, method: 'slerp' } as const;

/** Draws the grid and writes it as a PNG; disposes everything it made. */
export async function writeInterpolationGrid(gan: GAN, file: string, o: InterpolationGridOptions): Promise<void> {
  const rng = new SeededRandom(o.seed);
  const from = gan.noise(o.rows, rng);
  const to = gan.noise(o.rows, rng);
  try {
    const images = gan.interpolate(from, to, o.steps, {
      method: o.method,
      ...(o.labels === undefined ? {} : { labels: o.labels }),
    });
    try {
      await writeImageGrid(images, file, { columns: o.steps, scale: o.scale });
    } finally {
      images.dispose();
    }
  } finally {
    from.dispose();
    to.dispose();
  }
}
