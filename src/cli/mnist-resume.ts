/**
 * `ts-gan mnist --resume`: loads the run's checkpoint once through `Trainer.load`, with every given
 * flag that shapes the run as an expectation (each as its row in the flag table says), and turns
 * the library's refusal into one naming every such flag and the checkpoint's value.
 *
 * @packageDocumentation
 */
import type { CheckpointMismatch } from '../errors.js';
import { CheckpointError } from '../errors.js';
import type { Trainer } from '../train/trainer.js';
import type { SavedTrainerOptions, TrainerExpectations, TrainerLoadOptions } from '../train/trainer-io.js';
import { UsageError } from './args.js';
import { mnistRows } from './mnist-flags.js';
import { type MnistRunOptions, optionValue, runArchConfig } from './mnist-options.js';
import { loadCheckpoint } from './persist.js';

/** The expectations the network flags become: the networks they build, and their conditioning. */
const NETWORK_FIELDS: readonly string[] = ['generator', 'discriminator', 'conditional'];

/**
 * What `Trainer.load` checks for a resumed run: the data shape, and each given flag whose row
 * shapes the run. With network flags, a function of the saved options: the convolutional
 * discriminators leave out their BatchNorm when the run trains with R1, so the networks the flags
 * build depend on the checkpoint's own penalty, which only the load reads.
 */
export function resumeExpectations(
  o: MnistRunOptions,
  dataShape: readonly number[],
  classes?: number,
): TrainerLoadOptions['expect'] {
  let expect: TrainerExpectations = { dataShape };
  let networks = false;
  for (const [flag, r] of mnistRows()) {
    if (r.resume === undefined || !o.given.has(flag)) continue;
    if (r.resume === 'networks') networks = true;
    else expect = { ...expect, ...r.resume.expect(optionValue(o, r.key)) };
  }
  if (!networks) return expect;
  return (saved: SavedTrainerOptions): TrainerExpectations => {
    const { buildGenerator, buildDiscriminator, numClasses, conditioning, auxiliaryWeight, infoCodes } = runArchConfig(
      o,
      saved.r1 !== undefined,
      classes,
    );
    const conditional = { numClasses, conditioning, auxiliaryWeight, infoCodes };
    const isConditional = Object.values(conditional).some((v) => v !== undefined);
    return {
      ...expect,
      ...(buildGenerator && { generator: buildGenerator }),
      ...(buildDiscriminator && { discriminator: buildDiscriminator }),
      conditional: isConditional ? conditional : false,
    };
  };
}

/**
 * The flags that the mismatches of a refused load come from, as a refusal names them: one phrase
 * per flag, in the table's order, the network flags together at the end.
 * @returns the phrases, or undefined when a mismatch comes from no given flag (the data shape).
 */
export function flagConflicts(o: MnistRunOptions, mismatches: readonly CheckpointMismatch[]): string[] | undefined {
  const conflicts: string[] = [];
  const networkFlags: string[] = [];
  const named = new Set<CheckpointMismatch>();
  for (const [flag, r] of mnistRows()) {
    if (r.resume === undefined || !o.given.has(flag)) continue;
    const value = optionValue(o, r.key);
    if (r.resume === 'networks') {
      networkFlags.push(`--${flag} ${String(value)}`);
      continue;
    }
    const fields = Object.keys(r.resume.expect(value));
    const own = mismatches.filter((m) => fields.includes(m.field));
    for (const m of own) named.add(m);
    if (own[0]) conflicts.push(`--${flag} ${String(value)} (${r.resume.says(own[0].saved)})`);
  }
  const networks = mismatches.filter((m) => NETWORK_FIELDS.includes(m.field));
  for (const m of networks) named.add(m);
  if (networkFlags.length > 0 && networks.length > 0) {
    conflicts.push(`${networkFlags.join(' ')} (these build networks unlike the checkpoint's)`);
  }
  return named.size === mismatches.length && conflicts.length > 0 ? conflicts : undefined;
}

/** `expect` with `more` merged in (either may be a function of the saved options). */
function withExpectations(
  expect: TrainerLoadOptions['expect'],
  more: TrainerExpectations | undefined,
): TrainerLoadOptions['expect'] {
  if (more === undefined || expect === undefined) return expect ?? more;
  if (typeof expect !== 'function') return { ...expect, ...more };
  return (saved) => ({ ...expect(saved), ...more });
}

/**
 * Loads the checkpoint in `dir` for a resumed run, once, with the expectations of
 * {@link resumeExpectations}.
 * @returns the trainer, with its GAN; the caller disposes both.
 * @throws UsageError naming each flag that differs from the checkpoint, with the checkpoint's value;
 *   the library's CheckpointError for any other refusal.
 */
export async function resumeTrainer(
  o: MnistRunOptions,
  dir: string,
  dataShape: readonly number[],
  run: { command?: string; numClasses?: number; expect?: TrainerExpectations } = {},
): Promise<Trainer> {
  try {
    return await loadCheckpoint(dir, {
      logEvery: o.logEvery,
      dataShape,
      expect: withExpectations(resumeExpectations(o, dataShape, run.numClasses), run.expect),
    });
  } catch (err) {
    const conflicts = err instanceof CheckpointError ? flagConflicts(o, err.mismatches) : undefined;
    if (conflicts === undefined) throw err;
    throw new UsageError(
      `ts-gan ${run.command ?? 'mnist'} --resume: ${conflicts.join('; ')}. A resumed run keeps the checkpoint's settings: ` +
        'leave these flags out, or start a new run with another --out.',
    );
  }
}
