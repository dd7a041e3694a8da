/**
 * The flags of `ts-gan train`: every flag of `ts-gan mnist` (the same rows, so both commands read,
 * check and resume them alike), with `--data` naming the user's images and the flags that say how
 * to read them.
 *
 * @packageDocumentation
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { DIFF_AUGMENT_POLICIES, type DiffAugmentPolicy } from '../regularizers/diff-augment.js';
import { UsageError } from './args.js';
import { type FlagAt, integer, isGiven, optionalInteger, optionalText, textOr } from './flags.js';
import { MNIST_FLAGS, type MnistFlag } from './mnist-flags.js';

/** The run folder of `ts-gan train` by default. */
const DEFAULT_OUT = 'runs/train';

/** The side of a folder's images when `--size` is not given: the smallest size presets.dcgan builds 4x4 starts for. */
export const DEFAULT_FOLDER_SIZE = 32;

/** The largest side `--size` accepts: presets.dcgan and the MLP are built for small images. */
const MAX_SIZE = 256;

/** The user's cache folder: `$XDG_CACHE_HOME/ts-gan`, else `~/.cache/ts-gan`. */
export function defaultCacheDir(): string {
  return join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'ts-gan');
}

function row<K extends string, T>(r: MnistFlag<K, T>): MnistFlag<K, T> {
  return r;
}

function text(raw: string | true | undefined): string | undefined {
  return raw === true ? undefined : raw;
}

/** `--size N` or `--size HxW`. */
function sizeValue(raw: string | true | undefined, at: FlagAt): [number, number] | undefined {
  const value = text(raw);
  if (value === undefined) return undefined;
  const match = /^(\d+)(?:x(\d+))?$/.exec(value.trim());
  const h = Number(match?.[1]);
  const w = match?.[2] === undefined ? h : Number(match[2]);
  if (!match || !(h >= 1 && h <= MAX_SIZE && w >= 1 && w <= MAX_SIZE)) {
    throw new UsageError(
      `ts-gan ${at.command}: --${at.flag} must be N or HxW with sides from 1 to ${MAX_SIZE}, got ${JSON.stringify(value)}.`,
    );
  }
  return [h, w];
}

/** A value among `choices`, or undefined. */
function choice<C extends string>(choices: readonly C[]) {
  return (raw: string | true | undefined, at: FlagAt): C | undefined => {
    const value = text(raw);
    if (value === undefined) return undefined;
    if (!(choices as readonly string[]).includes(value)) {
      throw new UsageError(
        `ts-gan ${at.command}: --${at.flag} must be ${choices.join(' or ')}, got ${JSON.stringify(value)}.`,
      );
    }
    return value as C;
  };
}

/** The flags that say what to train on, first in the help. */
const DATA_FLAGS = {
  data: row({
    key: 'data',
    arg: 'PATH',
    help:
      'the images: a folder of PNG and JPEG files (searched recursively; with one subfolder per class, the ' +
      'subfolders are the labels of --arch cgan and acgan), or an IDX images file, plain or .gz (required)',
    read: (raw, at): string => {
      const value = text(raw);
      if (value === undefined || value === '') {
        throw new UsageError(
          `ts-gan ${at.command}: --data PATH is required: a folder of PNG/JPEG images or an IDX file (.gz or plain).`,
        );
      }
      return value;
    },
  }),
  labels: row({
    key: 'labels',
    arg: 'FILE',
    help: 'the IDX labels file of an IDX --data',
    default: 'beside the images file, its name with labels-idx1 for images-idx3, when there is one',
    read: optionalText,
  }),
  size: row({
    key: 'size',
    arg: 'N|HxW',
    help: "the images' size in pixels; pictures are scaled and centre-cropped (see --fit) to it",
    default: `${DEFAULT_FOLDER_SIZE} for a folder, the file's own for IDX`,
    read: sizeValue,
  }),
  channels: row({
    key: 'channels',
    arg: '1|3',
    help: '1: grey (luminance), 3: colour',
    default: '3 for a folder, 1 for IDX',
    read: (raw, at): 1 | 3 | undefined => {
      const value = choice(['1', '3'] as const)(raw, at);
      return value === undefined ? undefined : (Number(value) as 1 | 3);
    },
  }),
  fit: row({
    key: 'fit',
    arg: 'crop|pad',
    help: 'a picture of another aspect ratio is centre-cropped, or padded with white',
    default: 'crop',
    read: (raw, at): 'crop' | 'pad' => choice(['crop', 'pad'] as const)(raw, at) ?? 'crop',
  }),
  limit: row({
    key: 'limit',
    arg: 'N',
    help: 'train on the first N images only (in path order for a folder)',
    default: 'all',
    read: optionalInteger(1),
  }),
  'on-bad-file': row({
    key: 'onBadFile',
    arg: 'skip|fail',
    help: 'a file that cannot be decoded (damaged, truncated, not an image) is skipped and counted on stderr, or fails the run',
    default: 'skip',
    read: (raw, at): 'skip' | 'fail' => choice(['skip', 'fail'] as const)(raw, at) ?? 'skip',
  }),
  cache: row({
    key: 'cache',
    arg: 'DIR',
    help: "where a folder's decoded images are kept, so that the next run with the same files and flags starts at once",
    default: '$XDG_CACHE_HOME/ts-gan or ~/.cache/ts-gan',
    read: (raw): string => text(raw) ?? defaultCacheDir(),
  }),
  'no-cache': row({ key: 'noCache', help: 'decode the folder anew and keep no cache', read: isGiven }),
  augment: row({
    key: 'augment',
    arg: 'LIST',
    help:
      'DiffAugment (Zhao et al. 2020) for small sets: color, translation and/or cutout, comma-separated, or all; ' +
      'applied alike to real and generated images whenever the discriminator sees them',
    default: 'none',
    read: (raw, at): DiffAugmentPolicy[] | undefined => {
      const value = text(raw);
      if (value === undefined) return undefined;
      const list = value === 'all' ? [...DIFF_AUGMENT_POLICIES] : value.split(',').map((p) => p.trim());
      const bad = list.find((p) => !(DIFF_AUGMENT_POLICIES as readonly string[]).includes(p));
      if (bad !== undefined || list.length === 0 || new Set(list).size !== list.length) {
        throw new UsageError(
          `ts-gan ${at.command}: --${at.flag} must be all or a list of ${DIFF_AUGMENT_POLICIES.join(', ')} ` +
            `(each once), got ${JSON.stringify(value)}.`,
        );
      }
      return list as DiffAugmentPolicy[];
    },
  }),
  judge: row({
    key: 'judge',
    arg: 'NAME',
    help: 'the judge of --eval-every: mnist (digits) or fashion (Fashion-MNIST); both read 28x28 images with 1 channel',
    default: 'mnist',
    read: (raw, at): 'mnist' | 'fashion' => choice(['mnist', 'fashion'] as const)(raw, at) ?? 'mnist',
  }),
  'augment-probability': row({
    key: 'augmentProbability',
    arg: 'P',
    help: 'the chance, per image and augmentation, that --augment applies it, in (0, 1]',
    default: '1',
    read: (raw, at): number | undefined => {
      const value = text(raw);
      if (value === undefined) return undefined;
      const p = Number(value);
      if (!(p > 0 && p <= 1)) {
        throw new UsageError(
          `ts-gan ${at.command}: --${at.flag} must be a number in (0, 1], got ${JSON.stringify(value)}.`,
        );
      }
      return p;
    },
  }),
} as const;

/** The shared flags whose help or default differ for images that are not digits. */
const OVERRIDES = {
  arch: {
    ...MNIST_FLAGS.arch,
    help:
      'fast | mlp | dcgan | cgan | acgan | infogan: the fast recipe (presets.fast(): a small DCGAN with lazy R1, ' +
      'conditioned on the class where the data has labels); the MLP GAN; DCGAN (Radford et al. 2015); DCGAN conditioned on the ' +
      'class (cGAN) or with an auxiliary classifier (ACGAN), both needing labels; InfoGAN with a 10-way code and 2 ' +
      'continuous codes. The conditional ones draw grids with one row per class, InfoGAN one per code',
  },
  'start-filters': {
    ...MNIST_FLAGS['start-filters'],
    help: "channels of the convolutional generators' start map (7x7 at 28 px, 4x4 at 32 and 64 px)",
  },
  'batch-size': { ...MNIST_FLAGS['batch-size'], help: 'real images per discriminator update' },
  'eval-every': row({
    key: 'evalEvery',
    arg: 'N',
    help: 'score the generator with the built-in judge of --judge every N steps (as ts-gan mnist does); only for 28x28 data with 1 channel; 0: never',
    default: '0',
    read: integer(0, 0),
  }),
  out: row({ key: 'out', arg: 'DIR', help: 'run folder', default: DEFAULT_OUT, read: textOr(DEFAULT_OUT) }),
} as const;

/** The flags of `ts-gan train`, in the order of its help: the data's, then those of `ts-gan mnist`. */
export const TRAIN_FLAGS = { ...DATA_FLAGS, ...MNIST_FLAGS, ...DATA_FLAGS, ...OVERRIDES } as const;
