/**
 * `ts-gan train`: the training pipeline of `ts-gan mnist` (./training-run.ts) on the user's own
 * images: a folder of PNG and JPEG pictures, or an IDX file.
 *
 * @packageDocumentation
 */
import { FashionJudge } from '../metrics/fashion-judge.js';
import type { DiffAugmentOptions } from '../regularizers/diff-augment.js';
import { type CliIO, type Command, UsageError } from './args.js';
import { optionsHelp } from './flags.js';
import { EXIT_DIVERGED } from './mnist-flags.js';
import { loadTrainData } from './train-data.js';
import { TRAIN_FLAGS } from './train-flags.js';
import { parseTrainFlags, type TrainRunOptions } from './train-options.js';
import { type RunData, runTraining } from './training-run.js';

/** The shape of the data the built-in judges score. */
const JUDGE_SHAPE = [28, 28, 1] as const;

/** The help of `ts-gan train`. */
export const TRAIN_USAGE = `Usage: ts-gan train --data PATH [options]

Trains a GAN on your own images: a folder of PNG and JPEG pictures (searched recursively), or an
IDX file such as Fashion-MNIST's. Pictures are scaled and centre-cropped to --size (transparent
parts on white), in colour (--channels 3) or grey (--channels 1). With one subfolder per class
(photos/cats/*.jpg, photos/dogs/*.png), the subfolder names are the class labels that --arch cgan
and acgan train on; an IDX file takes its labels from --labels or the labels file beside it.
--arch dcgan, cgan, acgan and infogan build presets.dcgan for 28, 32 or 64 px (other sizes work
when they halve to a small start map); --arch mlp works at any size. The built-in judges
(--eval-every, with --judge mnist or fashion) apply to 28x28 grey data only and are off by default.

${optionsHelp(TRAIN_FLAGS)}
Writes into --out what ts-gan mnist writes: samples/ (grids from fixed noise, one row per class for
the conditional architectures), metrics.jsonl, gan/, checkpoint/ (for --resume), tensorboard/,
run.json and report.html. A folder's decoded images are cached (see --cache), keyed by the folder,
its files' sizes and modification times, and the flags that shape the images.

Files that cannot be used (damaged, truncated, not a PNG or JPEG) are skipped and named on stderr;
--on-bad-file fail stops instead. A folder without pictures, or a --data that does not exist, fails
with exit code 1 and says what was looked for.

Exit codes: 0 done (also after Ctrl-C), 1 failure (unusable data, unwritable folder), 2 usage error,
${EXIT_DIVERGED} training diverged, 143 stopped by SIGTERM after saving.

Examples:
  ts-gan train --data photos --size 32 --channels 3 --arch dcgan --steps 5000 --out runs/photos
  ts-gan train --data /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz --steps 3000 \
    --judge fashion --eval-every 500 --out runs/fashion
`;

async function run(argv: string[], io: CliIO): Promise<number> {
  const o = parseTrainFlags(argv);
  if (o === 'help') {
    io.stdout.write(TRAIN_USAGE);
    return 0;
  }
  if (o.augmentProbability !== undefined && o.augment === undefined) {
    throw new UsageError('ts-gan train: --augment-probability needs --augment LIST.');
  }
  const augment = augmentOption(o);
  return runTraining(
    {
      command: 'train',
      options: o,
      argv,
      load: () => load(o, io),
      ...(o.judge === 'fashion' && { loadJudge: () => FashionJudge.load() }),
      ...(augment && { trainerOptions: { augment }, expect: { augment } }),
    },
    io,
  );
}

/** The Trainer's `augment` option from --augment and --augment-probability. */
function augmentOption(o: TrainRunOptions): DiffAugmentOptions | undefined {
  if (o.augment === undefined) return undefined;
  return { policy: o.augment, ...(o.augmentProbability === undefined ? {} : { probability: o.augmentProbability }) };
}

/** The data, checked against the flags that depend on its shape. */
async function load(o: TrainRunOptions, io: CliIO): Promise<RunData> {
  const data = await loadTrainData(o, io);
  if (o.evalEvery > 0 && data.dataShape.some((d, i) => d !== JUDGE_SHAPE[i])) {
    data.images.dispose();
    throw new UsageError(
      `ts-gan train: --eval-every scores with the ${o.judge === 'fashion' ? 'Fashion-MNIST' : 'MNIST'} judge, which reads 28x28 images with 1 channel; ` +
        `this data is ${data.dataShape.join('x')}. Leave --eval-every out.`,
    );
  }
  return data;
}

/** `ts-gan train`. */
export const trainCommand: Command = {
  summary: 'train a GAN on your own images: a folder of PNG/JPEG files or an IDX file (same run folder as mnist)',
  usage: TRAIN_USAGE,
  run,
};
