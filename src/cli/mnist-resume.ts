/**
 * `ts-gan mnist --resume`: loads the run's checkpoint through `Trainer.load`, with the expectations
 * the library checks itself, and refuses a flag that shapes the run and differs from the checkpoint,
 * naming every such flag and the checkpoint's value.
 *
 * @packageDocumentation
 */
import { CheckpointError } from '../errors.js';
import { GAN } from '../gan.js';
import type { Trainer } from '../train/trainer.js';
import type { TrainerExpectations } from '../train/trainer-io.js';
import { UsageError } from './args.js';
import { mnistRows } from './mnist-flags.js';
import { type MnistRunOptions, optionValue, runArchConfig } from './mnist-options.js';
import { loadCheckpoint } from './persist.js';

/**
 * What a `--resume` command line asks for that the checkpoint does not have: a resumed run keeps
 * the checkpoint's networks, batch size, seed, penalty, learning rate and Adam betas, so a differing
 * flag would be silently ignored. Only flags given on the command line are checked, each as its row
 * in the flag table says; the network flags together, by the networks they build.
 * @returns one phrase per conflict, empty when the flags agree.
 */
export function resumeConflicts(o: MnistRunOptions, trainer: Trainer): string[] {
  const conflicts: string[] = [];
  const networkFlags: string[] = [];
  for (const [flag, r] of mnistRows()) {
    if (r.resume === undefined || !o.given.has(flag)) continue;
    const value = optionValue(o, r.key);
    if (r.resume === 'networks') {
      networkFlags.push(`--${flag} ${String(value)}`);
      continue;
    }
    const saved = r.resume.saved(trainer);
    const same = r.resume.same ? r.resume.same(value, saved) : value === saved;
    if (!same) conflicts.push(`--${flag} ${String(value)} (${r.resume.says(saved)})`);
  }
  if (networkFlags.length > 0 && !sameNetworks(o, trainer.gan, trainer.initialOptions.r1 !== undefined)) {
    conflicts.push(`${networkFlags.join(' ')} (these build networks unlike the checkpoint's)`);
  }
  return conflicts;
}

/** Whether the flags' architecture builds networks with the same weight shapes as `gan`'s. */
function sameNetworks(o: MnistRunOptions, gan: GAN, r1: boolean): boolean {
  const shapes = (g: GAN) =>
    [g.generator, g.discriminator].map((m) => m.weights.map((w) => w.shape.join('x')).join(',')).join('|');
  const reference = new GAN({
    ...runArchConfig(o, r1),
    latentDim: gan.latentDim,
    dataShape: gan.dataShape,
  });
  try {
    return shapes(reference) === shapes(gan);
  } finally {
    reference.dispose();
  }
}

/** What `Trainer.load` checks itself: the data shape, and the given flags whose rows name an expectation. */
export function resumeExpectations(o: MnistRunOptions, dataShape: readonly number[]): TrainerExpectations {
  let expect: TrainerExpectations = { dataShape };
  for (const [flag, r] of mnistRows()) {
    if (typeof r.resume === 'object' && r.resume.expect && o.given.has(flag)) {
      expect = { ...expect, ...r.resume.expect(optionValue(o, r.key)) };
    }
  }
  return expect;
}

/**
 * Loads the checkpoint in `dir` for a resumed run. `Trainer.load` checks the expectations it can
 * express; the flags it cannot check are compared with the loaded trainer.
 * @returns the trainer, with its GAN; the caller disposes both.
 * @throws UsageError naming each flag that differs from the checkpoint, with the checkpoint's value.
 */
export async function resumeTrainer(o: MnistRunOptions, dir: string, dataShape: readonly number[]): Promise<Trainer> {
  const base = { logEvery: o.logEvery, dataShape };
  let trainer: Trainer;
  let refusal: CheckpointError | undefined;
  try {
    trainer = await loadCheckpoint(dir, { ...base, expect: resumeExpectations(o, dataShape) });
  } catch (err) {
    if (!(err instanceof CheckpointError)) throw err;
    // Trainer.load names the first difference only, in its own words: the checkpoint is loaded as
    // saved, so that the refusal names every flag that differs, as the command line spells it.
    refusal = err;
    trainer = await loadCheckpoint(dir, base);
  }
  const conflicts = resumeConflicts(o, trainer);
  if (conflicts.length === 0 && refusal === undefined) return trainer;
  const { gan } = trainer;
  trainer.dispose();
  gan.dispose();
  // The library refused what the flags accept: its own message says why.
  if (conflicts.length === 0 && refusal !== undefined) throw refusal;
  throw new UsageError(
    `ts-gan mnist --resume: ${conflicts.join('; ')}. A resumed run keeps the checkpoint's settings: ` +
      'leave these flags out, or start a new run with another --out.',
  );
}
