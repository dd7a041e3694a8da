/**
 * The flag tables of the `ts-gan` command: one row gives a flag its help line, its parsed option and,
 * for `ts-gan mnist`, its resume check; `--resume` loads through `Trainer.load`'s expectations.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { GAN, Trainer } from 'ts-gan';
import { afterEach, describe, expect, expectTypeOf, test, vi } from 'vitest';
import { type Arch, archConfig } from '../../src/cli/arch';
import { UsageError } from '../../src/cli/args';
import { evaluateCommand } from '../../src/cli/evaluate';
import { type FlagRow, integer, optionalText, optionsHelp, parseTable } from '../../src/cli/flags';
import { type MnistRunOptions, mnistCommand, parseMnistFlags } from '../../src/cli/mnist';
import { MNIST_FLAGS } from '../../src/cli/mnist-flags';
import { resumeExpectations, resumeTrainer } from '../../src/cli/mnist-resume';
import { saveCheckpoint } from '../../src/cli/persist';
import { reportCommand } from '../../src/cli/report';
import { sampleCommand } from '../../src/cli/sample';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('a flag table', () => {
  const table = {
    'max-items': {
      key: 'maxItems',
      arg: 'N',
      help: 'how many items',
      default: '5',
      read: integer(5, 1),
    } as FlagRow<'maxItems', number>,
    'a-rather-long-flag-name': {
      key: 'longName',
      arg: 'TEXT',
      help: 'a label longer than the column',
      read: optionalText,
    } as FlagRow<'longName', string | undefined>,
    quiet: { key: 'quiet', help: 'say less', read: (raw) => raw !== undefined } as FlagRow<'quiet', boolean>,
  };

  test('one row is one help entry with its default, one parsed option under its key, and its own check', () => {
    const help = optionsHelp(table);
    expect(help).toMatch(/^ {2}--max-items N {2,}how many items \(default 5\)$/m);
    // A label longer than the column puts its help on the next line, under the column.
    expect(help).toMatch(/^ {2}--a-rather-long-flag-name TEXT\n {6,}a label longer than the column$/m);
    expect(help).toMatch(/^ {2}--quiet {2,}say less$/m);

    const parsed = parseTable('demo', ['--max-items', '7', '--quiet'], table);
    expect(parsed.values).toEqual({ maxItems: 7, longName: undefined, quiet: true });
    expect([...parsed.given].sort()).toEqual(['max-items', 'quiet']);
    expect(parseTable('demo', [], table).values).toEqual({ maxItems: 5, longName: undefined, quiet: false });
    expect(() => parseTable('demo', ['--max-items', '0'], table)).toThrow(
      'ts-gan demo: --max-items must be a positive integer, got "0".',
    );
    expect(() => parseTable('demo', ['--max-item', '3'], table)).toThrow(UsageError);
  });
});

describe('ts-gan mnist: the table', () => {
  test('the parsed options take their types from the rows (checked by tsc)', () => {
    expectTypeOf<MnistRunOptions['arch']>().toEqualTypeOf<Arch>();
    expectTypeOf<MnistRunOptions['adamBetas']>().toEqualTypeOf<[number, number] | undefined>();
    expectTypeOf<MnistRunOptions['steps']>().toEqualTypeOf<number | undefined>();
    expectTypeOf<MnistRunOptions['divergence']>().toEqualTypeOf<'stop' | 'warn' | 'off'>();
    expectTypeOf<MnistRunOptions['tensorboard']>().toEqualTypeOf<boolean>();
    expectTypeOf<MnistRunOptions['data']>().toEqualTypeOf<string | undefined>();
    expectTypeOf<MnistRunOptions>().not.toHaveProperty('help');
    const o = parseMnistFlags(['--no-tensorboard', '--adam-betas', '0,0.99']);
    expect(o !== 'help' && [o.tensorboard, o.adamBetas]).toEqual([false, [0, 0.99]]);
  });

  test('--help lists every row of the table, with its default', () => {
    const usage = mnistCommand.usage;
    for (const [name, row] of Object.entries(MNIST_FLAGS) as [string, FlagRow][]) {
      expect(usage, name).toContain(`--${name}`);
      if (row.default !== undefined) {
        const words = row.default.split(/\s+/).map((w) => w.replace(/[.*+?^${}()|[\]]/g, '\\$&'));
        expect(usage, name).toMatch(new RegExp(`\\(default:?\\s+${words.join('\\s+')}\\)`));
      }
    }
  });

  test('--help is reference: no scores, no measurements', () => {
    for (const usage of [mnistCommand.usage, sampleCommand.usage, evaluateCommand.usage, reportCommand.usage]) {
      expect(usage).not.toMatch(/PyTorch|twin|Frechet \d|read \d|after [\d,]+ steps/);
    }
    expect(mnistCommand.usage).toContain('docs/gan-family.md');
  });

  test('the flags --resume checks are the rows that shape a run, and --help names them', () => {
    const shaping = Object.entries(MNIST_FLAGS)
      .filter(([, row]) => 'resume' in row)
      .map(([name]) => name);
    expect(shaping.sort()).toEqual(
      [
        'adam-betas',
        'arch',
        'batch-size',
        'discriminator-filters',
        'filters',
        'kernel-size',
        'learning-rate',
        'r1',
        'seed',
        'start-filters',
      ].sort(),
    );
    const resumeHelp = MNIST_FLAGS.resume.help;
    for (const name of shaping) expect(resumeHelp).toContain(`--${name}`);
    // Only given flags are checked; `--steps` and `--out` never are.
    const o = parseMnistFlags(['--resume', '--steps', '9', '--seed', '4', '--arch', 'dcgan']);
    expect(o !== 'help' && [...o.given].sort()).toEqual(['arch', 'seed']);
  });
});

describe('ts-gan mnist --resume: Trainer.load checks what it can', () => {
  const DATA_SHAPE = [28, 28, 1] as const;

  async function savedRun(): Promise<string> {
    const dir = join(await mkdtemp(join(tmpdir(), 'ts-gan-cli-flags-')), 'checkpoint');
    const gan = new GAN({
      ...archConfig('dcgan', { filters: 4 }),
      latentDim: 100,
      dataShape: [...DATA_SHAPE],
      seed: 3,
    });
    const trainer = new Trainer(gan, { batchSize: 16 });
    await saveCheckpoint(trainer, dir);
    trainer.dispose();
    gan.dispose();
    return dir;
  }

  const flags = (...argv: string[]) => {
    const o = parseMnistFlags([...argv, '--resume']);
    if (o === 'help') throw new Error('unexpected help');
    return o;
  };

  test('the given --batch-size and --seed go to Trainer.load as expectations, beside the data shape', () => {
    expect(resumeExpectations(flags('--batch-size', '16', '--seed', '3'), DATA_SHAPE)).toEqual({
      dataShape: DATA_SHAPE,
      batchSize: 16,
      seed: 3,
    });
    expect(resumeExpectations(flags(), DATA_SHAPE)).toEqual({ dataShape: DATA_SHAPE });
  });

  test('a refusal by Trainer.load names every flag that differs, as the command line spells it', async () => {
    const dir = await savedRun();
    const load = vi.spyOn(Trainer, 'load');
    const before = tf.memory().numTensors;
    const refusal = await resumeTrainer(flags('--batch-size', '32', '--seed', '0'), dir, DATA_SHAPE).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(refusal).toBeInstanceOf(UsageError);
    expect((refusal as Error).message).toBe(
      "ts-gan mnist --resume: --batch-size 32 (the checkpoint trains with 16); --seed 0 (the checkpoint's is 3). " +
        "A resumed run keeps the checkpoint's settings: leave these flags out, or start a new run with another --out.",
    );
    // The first load carried the expectation, and the library refused it.
    expect(load.mock.calls[0]?.[1]?.expect).toMatchObject({ batchSize: 32, dataShape: DATA_SHAPE });
    await expect(load.mock.results[0]?.value).rejects.toThrow(/batchSize differs/);
    expect(tf.memory().numTensors).toBe(before);

    const trainer = await resumeTrainer(
      flags('--batch-size', '16', '--arch', 'dcgan', '--filters', '4'),
      dir,
      DATA_SHAPE,
    );
    // One load per resume: the refusal above and this one.
    expect(load).toHaveBeenCalledTimes(2);
    expect([trainer.batchSize, trainer.gan.seed]).toEqual([16, 3]);
    const { gan } = trainer;
    trainer.dispose();
    gan.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
