/**
 * The parsed options of `ts-gan mnist`, read from its flag table ({@link MNIST_FLAGS}), and what a
 * fresh run builds from them: its Trainer options and its networks.
 *
 * @packageDocumentation
 */
import type { TrainerOptions } from '../train/trainer.js';
import { archConfig, archTrainerOptions } from './arch.js';
import { UsageError } from './args.js';
import { type FlagValues, parseTable } from './flags.js';
import { MNIST_FLAGS, mnistRows, type NetworkOption } from './mnist-flags.js';

/** The parsed, validated flags of `ts-gan mnist`. */
export type MnistRunOptions = Omit<FlagValues<typeof MNIST_FLAGS>, 'help'> & {
  /** The flags that shape a run, as given on the command line (without defaults), for `--resume`. */
  given: ReadonlySet<string>;
};

/** The value of the option that a row with this `key` sets. */
export function optionValue(o: MnistRunOptions, key: string): unknown {
  return (o as unknown as Record<string, unknown>)[key];
}

/** Parses and checks the flags (no side effects). @throws UsageError. */
export function parseMnistFlags(argv: string[]): MnistRunOptions | 'help' {
  const { values, given } = parseTable('mnist', argv, MNIST_FLAGS);
  if (values.help) return 'help';
  const { help: _, ...options } = values;
  return { ...options, given: checkRunFlags('mnist', options, given) };
}

/**
 * The checks every training command makes of the shared flags.
 * @returns the given flags that shape the run, for `--resume`.
 * @throws UsageError for `--resume` with `--overwrite`, or a network flag with `--arch mlp`.
 */
export function checkRunFlags(
  command: string,
  options: Pick<MnistRunOptions, 'resume' | 'overwrite' | 'arch'>,
  given: ReadonlySet<string>,
): ReadonlySet<string> {
  if (options.resume && options.overwrite) {
    throw new UsageError(
      `ts-gan ${command}: --resume continues the run in --out, --overwrite replaces it; give one of them.`,
    );
  }
  for (const [flag, r] of mnistRows()) {
    if (r.network !== undefined && given.has(flag) && options.arch === 'mlp') {
      throw new UsageError(
        `ts-gan ${command}: --${flag} applies to the convolutional architectures (--arch dcgan, cgan, acgan, infogan), not mlp.`,
      );
    }
  }
  const shaping = mnistRows().filter(([flag, r]) => r.resume !== undefined && given.has(flag));
  return new Set(shaping.map(([flag]) => flag));
}

/** The Trainer options of a fresh run: the architecture's, and those of each flag that is a Trainer option. */
export function mnistTrainerOptions(o: MnistRunOptions): TrainerOptions {
  let options: TrainerOptions = archTrainerOptions(o.arch);
  for (const [, r] of mnistRows()) {
    if (r.trainer) options = { ...options, ...r.trainer(optionValue(o, r.key)) };
  }
  return options;
}

/**
 * The networks the flags ask for: `--arch` shaped by the width and kernel flags, built for an R1 run
 * or not, with `numClasses` classes for the conditional ones (default MNIST's 10).
 */
export function runArchConfig(o: MnistRunOptions, r1: boolean, numClasses?: number): ReturnType<typeof archConfig> {
  const shape: Partial<Record<NetworkOption, number | undefined>> = {};
  for (const [, r] of mnistRows()) {
    if (r.network !== undefined) shape[r.network] = optionValue(o, r.key) as number | undefined;
  }
  return archConfig(o.arch, { ...shape, r1, ...(numClasses === undefined ? {} : { numClasses }) });
}
