/**
 * The parsed options of `ts-gan train`, read from its flag table ({@link TRAIN_FLAGS}) and checked
 * as `ts-gan mnist` checks the flags they share.
 *
 * @packageDocumentation
 */
import { type FlagValues, parseTable } from './flags.js';
import { checkRunFlags } from './mnist-options.js';
import { TRAIN_FLAGS } from './train-flags.js';

/** The parsed, validated flags of `ts-gan train`. */
export type TrainRunOptions = Omit<FlagValues<typeof TRAIN_FLAGS>, 'help'> & {
  /** The flags that shape a run, as given on the command line (without defaults), for `--resume`. */
  given: ReadonlySet<string>;
};

/** Parses and checks the flags (no side effects). @throws UsageError. */
export function parseTrainFlags(argv: string[]): TrainRunOptions | 'help' {
  if (argv.includes('--help') || argv.includes('-h')) return 'help';
  const { values, given } = parseTable('train', argv, TRAIN_FLAGS);
  const { help: _, ...options } = values;
  return { ...options, given: checkRunFlags('train', options, given) };
}
