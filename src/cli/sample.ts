/**
 * `ts-gan sample`: draws a grid of samples from a saved GAN.
 *
 * @packageDocumentation
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type * as tf from '@tensorflow/tfjs-core';
import type { GAN } from '../gan.js';
import { INTERPOLATION_METHODS, type InterpolationMethod } from '../latent.js';
import { CONDITIONAL_COLUMNS } from './arch.js';
import { type CliIO, type Command, intFlag, UsageError } from './args.js';
import { BACKEND_CHOICES, checkBackendFlag, setupBackend } from './backend.js';
import {
  type FlagTable,
  HELP_ROW,
  integer,
  isGiven,
  optionalInteger,
  optionalSeed,
  optionalText,
  optionsHelp,
  parseTable,
  textOr,
} from './flags.js';
import { INTERPOLATION_DEFAULTS, type InterpolationGridOptions, writeInterpolationGrid } from './interpolation.js';
import { loadGan } from './persist.js';
import { gridPixels, writeGridStream } from './png-stream.js';

/** Default grid scale: 28-pixel digits drawn 3x larger. */
const DEFAULT_SCALE = 3;

/**
 * The flags of `ts-gan sample`, in the order of its help. `--n`, `--rows`, `--steps` and `--method`
 * are read as text: their defaults and checks depend on `--labels` and `--interpolate`.
 */
const FLAGS = {
  from: {
    key: 'from',
    arg: 'DIR',
    help: 'the saved GAN, or a run folder that holds gan/; required',
    read: optionalText,
  },
  n: {
    key: 'n',
    arg: 'N',
    help: 'how many samples; with --labels: per label; the grid is drawn and written in chunks, up to 2^30 pixels',
    default: '64; with --labels, 10',
    read: optionalText,
  },
  labels: {
    key: 'labels',
    arg: 'LIST',
    help: 'draw these classes, one row each: comma-separated, ranges allowed (0-9, 3,3,8)',
    read: optionalText,
  },
  out: {
    key: 'out',
    arg: 'FILE',
    help: 'the PNG to write',
    default: 'samples.png; with --interpolate, interpolation.png',
    read: optionalText,
  },
  seed: {
    key: 'seed',
    arg: 'N',
    help: 'seed of the noise',
    default: "a fresh draw from the GAN's sampling stream; with --labels, 0",
    read: optionalSeed,
  },
  columns: {
    key: 'columns',
    arg: 'N',
    help: 'images per row',
    default: 'ceil(sqrt(n))',
    read: optionalInteger(1),
  },
  scale: {
    key: 'scale',
    arg: 'N',
    help: 'pixel scale',
    default: String(DEFAULT_SCALE),
    read: integer(DEFAULT_SCALE, 1),
  },
  interpolate: {
    key: 'interpolate',
    help: 'draw interpolations between random latent vectors instead of samples',
    read: isGiven,
  },
  rows: {
    key: 'rows',
    arg: 'N',
    help: 'with --interpolate: rows, each a pair of endpoints',
    default: String(INTERPOLATION_DEFAULTS.rows),
    read: optionalText,
  },
  steps: {
    key: 'steps',
    arg: 'N',
    help: 'with --interpolate: images per row, endpoints included',
    default: String(INTERPOLATION_DEFAULTS.steps),
    read: optionalText,
  },
  method: {
    key: 'method',
    arg: 'NAME',
    help:
      `with --interpolate: ${INTERPOLATION_METHODS.join(' | ')}; slerp: along the great circle through both ` +
      'endpoints, linear: along the straight line between them',
    default: INTERPOLATION_DEFAULTS.method,
    read: optionalText,
  },
  backend: { key: 'backend', arg: 'NAME', help: BACKEND_CHOICES.join(' | '), default: 'auto', read: textOr('auto') },
  help: HELP_ROW,
} as const satisfies FlagTable;

const USAGE = `Usage: ts-gan sample --from DIR [options]

Draws samples from a saved GAN (the gan/ folder of a run, or the run folder itself) into a PNG grid.
With --labels (conditional GANs: cgan, acgan; InfoGAN: its categorical code), one row per label,
--n samples per row, the same noise down each column. With --interpolate, a grid of latent walks:
each row goes from one random noise vector to another in --steps images (with --labels, one row per
label, the class held along the row).

${optionsHelp(FLAGS)}`;

async function run(argv: string[], io: CliIO): Promise<number> {
  const { values: v } = parseTable('sample', argv, FLAGS);
  if (v.help) {
    io.stdout.write(USAGE);
    return 0;
  }
  if (v.from === undefined) throw new UsageError('ts-gan sample: --from DIR is required (a saved GAN folder).');
  const rows = v.labels === undefined ? undefined : parseLabels(v.labels);
  const n = intFlag('sample', 'n', v.n, rows ? CONDITIONAL_COLUMNS : 64, 1);
  const { seed, columns, scale } = v;
  const backend = checkBackendFlag('sample', v.backend);
  const dir = existsSync(join(v.from, 'gan')) ? join(v.from, 'gan') : v.from;
  if (!existsSync(dir)) throw new UsageError(`ts-gan sample: --from ${resolve(dir)} does not exist.`);

  const out = v.out ?? (v.interpolate ? 'interpolation.png' : 'samples.png');
  const walks = v.interpolate ? interpolationFlags(v, rows, seed, scale) : undefined;
  if (!walks && (v.rows ?? v.steps ?? v.method) !== undefined) {
    throw new UsageError('ts-gan sample: --rows, --steps and --method go with --interpolate.');
  }
  const total = (rows?.length ?? 1) * n;
  const perRow = columns ?? (rows ? n : undefined);
  const layout = { scale, ...(perRow === undefined ? {} : { columns: perRow }) };

  await setupBackend(backend, io);
  const gan = await loadGan(dir);
  try {
    if (walks) {
      const classes = gan.conditioning?.numClasses ?? 0;
      if (walks.labels && classes === 0) {
        throw new UsageError(`ts-gan sample: --labels needs a conditional GAN; ${resolve(dir)} is not one.`);
      }
      const bad = walks.labels?.find((r) => r >= classes);
      if (bad !== undefined) {
        throw new UsageError(`ts-gan sample: --labels must lie in 0..${classes - 1} for this GAN, got ${bad}.`);
      }
      await writeInterpolationGrid(gan, out, walks);
      io.stdout.write(`${resolve(out)}\n`);
      return 0;
    }
    const [height, width, channels] = gan.dataShape as [number, number, number];
    if (gan.dataShape.length !== 3 || (channels !== 1 && channels !== 3)) {
      throw new UsageError(
        `ts-gan sample: ${resolve(dir)} makes samples of shape [${gan.dataShape.join(', ')}], not images [height, width, 1 or 3].`,
      );
    }
    checkGridSize(total, rows ? `--n ${n} with ${rows.length} labels` : `--n ${n}`, { height, width, ...layout });
    let chunks: Iterable<tf.Tensor>;
    if (rows) {
      const classes = gan.conditioning?.numClasses ?? 0;
      if (classes === 0) {
        throw new UsageError(
          `ts-gan sample: --labels needs a conditional GAN (trained with --arch cgan, acgan or infogan); ${resolve(dir)} is not one.`,
        );
      }
      const bad = rows.find((r) => r >= classes);
      if (bad !== undefined) {
        throw new UsageError(`ts-gan sample: --labels must lie in 0..${classes - 1} for this GAN, got ${bad}.`);
      }
      chunks = labelRows(gan, seed ?? 0, rows, n);
    } else {
      chunks = gan.sampleChunks(n, seed === undefined ? {} : { seed });
    }
    await writeGridStream(chunks, out, { n: total, height, width, channels, ...layout });
  } finally {
    gan.dispose();
  }
  io.stdout.write(`${resolve(out)}\n`);
  return 0;
}

/**
 * Most pixels in a grid: 2^30, a 32,768 x 32,768 image (1 GiB as grey bytes). The grid is written
 * in chunks, so memory is no limit; this is where a grid stops being a picture and becomes a typo.
 */
export const MAX_GRID_PIXELS = 2 ** 30;

/** @throws UsageError naming --n when the grid would have more than {@link MAX_GRID_PIXELS} pixels. */
function checkGridSize(
  total: number,
  given: string,
  layout: { height: number; width: number; scale: number; columns?: number },
): void {
  const pixels = (count: number) => gridPixels({ n: count, channels: 1, ...layout });
  const size = pixels(total);
  if (size.pixels <= MAX_GRID_PIXELS) return;
  let most = 0;
  for (let step = 2 ** 40; step >= 1; step /= 2) if (pixels(most + step).pixels <= MAX_GRID_PIXELS) most += step;
  throw new UsageError(
    `ts-gan sample: ${given} makes a grid of ${size.width} x ${size.height} pixels at --scale ${layout.scale}, ` +
      `more than the ${MAX_GRID_PIXELS} (2^30) this command writes; at most about ${most} images fit. ` +
      'Lower --n or --scale, or draw the samples in batches with gan.sampleChunks.',
  );
}

/** Each label's row: `n` samples of that class from the same noise (seed `seed`), in chunks. */
function* labelRows(gan: GAN, seed: number, rows: readonly number[], n: number): Generator<tf.Tensor> {
  const continuous = gan.conditioning?.continuous ?? 0;
  // InfoGAN's continuous codes are held at 0 (the middle of their range), so rows differ by the class only.
  const codes = continuous > 0 ? Array.from({ length: n }, () => new Array<number>(continuous).fill(0)) : undefined;
  for (const label of rows) {
    yield* gan.sampleChunks(n, { seed, labels: new Int32Array(n).fill(label), ...(codes && { codes }) });
  }
}

/** The grid options of `--interpolate`: --rows, --steps, --method; --labels sets the rows' classes. */
function interpolationFlags(
  v: { rows?: string | undefined; steps?: string | undefined; method?: string | undefined },
  labels: number[] | undefined,
  seed: number | undefined,
  scale: number,
): InterpolationGridOptions {
  const method = v.method ?? INTERPOLATION_DEFAULTS.method;
  if (!(INTERPOLATION_METHODS as readonly string[]).includes(method)) {
    throw new UsageError(
      `ts-gan sample: --method must be one of ${INTERPOLATION_METHODS.join(', ')}, got "${method}".`,
    );
  }
  if (labels && v.rows !== undefined) throw new UsageError('ts-gan sample: give --rows or --labels, not both.');
  return {
    rows: labels ? labels.length : intFlag('sample', 'rows', v.rows, INTERPOLATION_DEFAULTS.rows, 1),
    steps: intFlag('sample', 'steps', v.steps, INTERPOLATION_DEFAULTS.steps, 2),
    seed: seed ?? 0,
    method: method as InterpolationMethod,
    scale,
    ...(labels ? { labels } : {}),
  };
}

/** Longest --labels list: a grid of more rows than this is a typo, not a picture. */
const MAX_LABELS = 1000;

/**
 * Parses `--labels`: comma-separated class indices and ascending ranges, `0-9` or `3,3,8,1-2`.
 * @throws UsageError naming the bad item.
 */
export function parseLabels(text: string): number[] {
  const out: number[] = [];
  for (const item of text.split(',')) {
    const m = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(item);
    const from = m ? Number(m[1]) : Number.NaN;
    const to = m?.[2] === undefined ? from : Number(m[2]);
    if (!m || to < from) {
      throw new UsageError(
        `ts-gan sample: --labels must be class indices and ranges like "0-9" or "3,3,8", got "${item.trim()}" in "${text}".`,
      );
    }
    for (let c = from; c <= to; c++) out.push(c);
    if (out.length > MAX_LABELS) throw new UsageError(`ts-gan sample: --labels lists more than ${MAX_LABELS} rows.`);
  }
  return out;
}

/** `ts-gan sample`. */
export const sampleCommand: Command = {
  summary: 'draw a PNG grid of samples from a saved GAN',
  usage: USAGE,
  run,
};
