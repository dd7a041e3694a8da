import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { GAN, SeededRandom, Trainer } from 'ts-gan';
import { expect, test } from 'vitest';
import { ARCH_CHOICES, archConfig, CONDITIONAL_COLUMNS, conditionalGrid } from '../../src/cli/arch';
import { flagConflicts, mnistCommand, mnistTrainerOptions, parseMnistFlags } from '../../src/cli/mnist';
import { resumeExpectations } from '../../src/cli/mnist-resume';
import { loadCheckpoint, saveCheckpoint } from '../../src/cli/persist';
import { CheckpointError } from '../../src/errors';
import { toyDiscriminator, toyGenerator } from '../support/family';

test('--arch accepts the six architectures (fast by default) and refuses others', () => {
  for (const arch of ARCH_CHOICES) {
    const o = parseMnistFlags(['--arch', arch]);
    expect(o !== 'help' && o.arch).toBe(arch);
  }
  expect(parseMnistFlags([]) !== 'help' && (parseMnistFlags([]) as { arch: string }).arch).toBe('fast');
  expect(() => parseMnistFlags(['--arch', 'stylegan'])).toThrow(
    /--arch must be one of fast, mlp, dcgan, cgan, acgan, infogan/,
  );
  // The fast recipe: its conditional networks and its trainer settings, which flags may override.
  expect(archConfig('fast')).toMatchObject({ numClasses: 10 });
  expect(archConfig('fast', { numClasses: 0 })).not.toHaveProperty('numClasses');
  const fastOptions = parseMnistFlags([]);
  if (fastOptions === 'help') throw new Error('unexpected help');
  expect(mnistTrainerOptions(fastOptions)).toMatchObject({
    r1: { gamma: 40, every: 4 },
    generatorLearningRate: 1.2e-3,
  });
  const tuned = parseMnistFlags(['--learning-rate', '5e-4']);
  if (tuned === 'help') throw new Error('unexpected help');
  expect(mnistTrainerOptions(tuned)).toMatchObject({ r1: { gamma: 40, every: 4 }, generatorLearningRate: 5e-4 });
  expect(archConfig('acgan')).toMatchObject({ numClasses: 10, conditioning: 'auxiliary' });
  expect(archConfig('infogan')).toMatchObject({ infoCodes: { categorical: 10, continuous: 2 } });
});

test('the conditional grid has one row per class and one noise vector per column', () => {
  const gan = new GAN({
    latentDim: 4,
    dataShape: [2],
    numClasses: 3,
    buildGenerator: toyGenerator,
    buildDiscriminator: toyDiscriminator,
  });
  const grid = conditionalGrid(gan, 7);
  expect(grid.shape).toEqual([3 * CONDITIONAL_COLUMNS, 2]);
  // Row 2, column 4 is the generator on noise vector 4 with label 2.
  const rng = new SeededRandom(7);
  const z = gan.noise(CONDITIONAL_COLUMNS, rng);
  const expected = tf.tidy(() =>
    gan.generate(tf.slice(z, [4, 0], [1, 4]), tf.cast(tf.oneHot(tf.tensor1d([2], 'int32'), 3), 'float32')),
  );
  const cell = tf.slice(grid, [2 * CONDITIONAL_COLUMNS + 4, 0], [1, 2]);
  expect(Array.from(cell.dataSync())).toEqual(Array.from(expected.dataSync()));
  tf.dispose([grid, z, expected, cell]);
  gan.dispose();
  expect(tf.memory().numTensors).toBe(0);
});

test('--kernel-size shapes the convolutional kernels and is refused for mlp', () => {
  const o = parseMnistFlags(['--arch', 'dcgan', '--kernel-size', '5']);
  expect(o !== 'help' && o.kernelSize).toBe(5);
  expect((parseMnistFlags(['--arch', 'dcgan']) as { kernelSize: unknown }).kernelSize).toBeUndefined();
  expect(() => parseMnistFlags(['--arch', 'mlp', '--kernel-size', '5'])).toThrow(
    /--kernel-size applies to the convolutional architectures/,
  );
  expect(() => parseMnistFlags(['--arch', 'dcgan', '--kernel-size', '0'])).toThrow(/kernel-size/);
  const gan = new GAN({ ...archConfig('dcgan', { filters: 4, kernelSize: 5 }), latentDim: 8, dataShape: [28, 28, 1] });
  const convs = gan.discriminator.layers.filter((l) => l.getClassName() === 'Conv2D');
  expect(convs.map((l) => l.getWeights()[0]?.shape.slice(0, 2))).toEqual([
    [5, 5],
    [5, 5],
  ]);
  gan.dispose();
});

test('--filters sizes the convolutional architectures and is refused for mlp', () => {
  const o = parseMnistFlags(['--arch', 'cgan', '--filters', '8']);
  expect(o !== 'help' && o.filters).toBe(8);
  expect((parseMnistFlags(['--arch', 'dcgan']) as { filters: unknown }).filters).toBeUndefined();
  expect(() => parseMnistFlags(['--arch', 'mlp', '--filters', '8'])).toThrow(
    /--filters applies to the convolutional architectures/,
  );
  expect(() => parseMnistFlags(['--arch', 'dcgan', '--filters', '0'])).toThrow(/--filters/);
  const params = (filters?: number) => {
    const gan = new GAN({ ...archConfig('cgan', { filters }), latentDim: 8, dataShape: [28, 28, 1] });
    const conv = gan.discriminator.layers.filter((l) => l.getClassName() === 'Conv2D');
    const widths = conv.map((l) => (l.getConfig() as { filters: number }).filters);
    gan.dispose();
    return widths;
  };
  expect(params(8)).toEqual([8, 16]);
  expect(params()).toEqual([64, 128]);
});

test('--r1 adds the R1 penalty and takes BatchNorm out of the convolutional discriminators', () => {
  const o = parseMnistFlags(['--arch', 'dcgan', '--r1', '10']);
  if (o === 'help') throw new Error('unexpected help');
  expect(o.r1).toBe(10);
  expect(mnistTrainerOptions(o)).toMatchObject({ r1: { gamma: 10 }, frozenNetworkMode: 'training' });
  expect((parseMnistFlags(['--r1', '0.5']) as { r1: unknown }).r1).toBe(0.5);
  const plain = parseMnistFlags(['--arch', 'dcgan']);
  expect(plain !== 'help' && 'r1' in mnistTrainerOptions(plain)).toBe(false);
  for (const bad of ['0', '-1', 'ten', '', 'Infinity']) {
    expect(() => parseMnistFlags([`--r1=${bad}`])).toThrow(/--r1 must be a number above 0/);
  }
  const batchNorms = (r1: boolean) => {
    const gan = new GAN({ ...archConfig('dcgan', { filters: 4, r1 }), latentDim: 8, dataShape: [28, 28, 1] });
    const count = (m: typeof gan.discriminator) =>
      m.layers.filter((l) => l.getClassName() === 'BatchNormalization').length;
    const counts = [count(gan.discriminator), count(gan.generator)];
    gan.dispose();
    return counts;
  };
  expect(batchNorms(false)).toEqual([1, 2]);
  expect(batchNorms(true)).toEqual([0, 2]);
});

test('--resume refuses flags that differ from the checkpoint, and only those given', async () => {
  const gan = new GAN({
    ...archConfig('dcgan', { filters: 4, kernelSize: 5, r1: true }),
    latentDim: 100,
    dataShape: [28, 28, 1],
    seed: 3,
  });
  const trainer = new Trainer(gan, { batchSize: 16, r1: { gamma: 10 } });
  const resume = await resumeAgainst(trainer);
  const before = tf.memory().numTensors;
  const same = ['--arch', 'dcgan', '--filters', '4', '--kernel-size', '5', '--r1', '10', '--batch-size', '16'];
  expect(await resume(...same, '--seed', '3')).toEqual([]);
  // Nothing given: the checkpoint's settings hold (the defaults, fast and batch 32, are not conflicts).
  expect(await resume()).toEqual([]);
  expect(await resume('--r1', '5')).toEqual(['--r1 5 (the checkpoint trains with --r1 10)']);
  expect(await resume('--batch-size', '32', '--seed', '0')).toEqual([
    '--batch-size 32 (the checkpoint trains with 16)',
    "--seed 0 (the checkpoint's is 3)",
  ]);
  for (const argv of [
    ['--arch', 'dcgan', '--filters', '8', '--kernel-size', '5'],
    ['--arch', 'dcgan', '--filters', '4'],
    ['--arch', 'cgan', '--filters', '4', '--kernel-size', '5'],
    ['--arch', 'mlp'],
  ]) {
    const conflicts = await resume(...argv);
    expect(conflicts, argv.join(' ')).toHaveLength(1);
    expect(conflicts[0]).toMatch(/build networks unlike the checkpoint's/);
  }
  expect(tf.memory().numTensors).toBe(before);
  trainer.dispose();
  gan.dispose();

  const plain = new GAN({ ...archConfig('dcgan', { filters: 4 }), latentDim: 100, dataShape: [28, 28, 1] });
  const plainTrainer = new Trainer(plain, { batchSize: 16 });
  const resumePlain = await resumeAgainst(plainTrainer);
  expect(await resumePlain('--r1', '10')).toEqual(['--r1 10 (the checkpoint has no R1 penalty)']);
  expect(await resumePlain('--arch', 'dcgan', '--filters', '4')).toEqual([]);
  plainTrainer.dispose();
  plain.dispose();
});

test('--start-filters widens the generator start map, --learning-rate sets both optimizers', async () => {
  const o = parseMnistFlags(['--arch', 'dcgan', '--start-filters', '12', '--learning-rate', '4e-4']);
  if (o === 'help') throw new Error('unexpected help');
  expect(o.startFilters).toBe(12);
  expect(mnistTrainerOptions(o)).toMatchObject({ generatorLearningRate: 4e-4, discriminatorLearningRate: 4e-4 });
  const plain = parseMnistFlags(['--arch', 'dcgan']);
  expect(plain !== 'help' && 'generatorLearningRate' in mnistTrainerOptions(plain)).toBe(false);
  expect(() => parseMnistFlags(['--arch', 'mlp', '--start-filters', '8'])).toThrow(
    /--start-filters applies to the convolutional/,
  );
  expect(() => parseMnistFlags(['--arch', 'dcgan', '--start-filters', '0'])).toThrow(/--start-filters/);
  expect(() => parseMnistFlags(['--learning-rate=-1'])).toThrow(/--learning-rate must be a number above 0/);
  const startUnits = (startFilters?: number) => {
    const gan = new GAN({ ...archConfig('dcgan', { filters: 4, startFilters }), latentDim: 8, dataShape: [28, 28, 1] });
    const units = (gan.generator.layers.find((l) => l.getClassName() === 'Dense')!.getConfig() as { units: number })
      .units;
    gan.dispose();
    return units;
  };
  expect(startUnits(12)).toBe(7 * 7 * 12);
  expect(startUnits()).toBe(7 * 7 * 8);

  // Both are part of the run a checkpoint keeps.
  const gan = new GAN({
    ...archConfig('dcgan', { filters: 4, startFilters: 12 }),
    latentDim: 100,
    dataShape: [28, 28, 1],
  });
  const trainer = new Trainer(gan, mnistTrainerOptions(o));
  const resume = await resumeAgainst(trainer);
  expect(
    await resume('--arch', 'dcgan', '--filters', '4', '--start-filters', '12', '--learning-rate', '0.0004'),
  ).toEqual([]);
  expect(await resume('--learning-rate', '2e-4')).toEqual([
    '--learning-rate 0.0002 (the checkpoint trains with 0.0004)',
  ]);
  expect((await resume('--arch', 'dcgan', '--filters', '4'))[0]).toMatch(
    /--arch dcgan --filters 4 \(these build networks/,
  );
  trainer.dispose();
  gan.dispose();
});

test('--discriminator-filters widens the discriminator, and a resume holds it', async () => {
  const o = parseMnistFlags(['--arch', 'dcgan', '--filters', '4', '--discriminator-filters', '6']);
  if (o === 'help') throw new Error('unexpected help');
  expect(o.discriminatorFilters).toBe(6);
  expect(() => parseMnistFlags(['--arch', 'mlp', '--discriminator-filters', '8'])).toThrow(
    /--discriminator-filters applies to the convolutional/,
  );
  expect(() => parseMnistFlags(['--arch', 'dcgan', '--discriminator-filters', '0'])).toThrow(/--discriminator-filters/);
  const gan = new GAN({
    ...archConfig('dcgan', { filters: 4, discriminatorFilters: 6 }),
    latentDim: 100,
    dataShape: [28, 28, 1],
  });
  const firstConv = gan.discriminator.layers.find((l) => l.getClassName() === 'Conv2D')!;
  expect((firstConv.getConfig() as { filters: number }).filters).toBe(6);
  const trainer = new Trainer(gan, mnistTrainerOptions(o));
  const resume = await resumeAgainst(trainer);
  expect(await resume('--arch', 'dcgan', '--filters', '4', '--discriminator-filters', '6')).toEqual([]);
  expect((await resume('--arch', 'dcgan', '--filters', '4', '--discriminator-filters', '4'))[0]).toMatch(
    /--arch dcgan --filters 4 --discriminator-filters 4 \(these build networks/,
  );
  trainer.dispose();
  gan.dispose();
  expect(tf.memory().numTensors).toBe(0);
});

test('--adam-betas sets both Adams, is refused when malformed, and a resume holds it', async () => {
  const o = parseMnistFlags(['--arch', 'dcgan', '--filters', '4', '--adam-betas', '0,0.99']);
  if (o === 'help') throw new Error('unexpected help');
  expect(o.adamBetas).toEqual([0, 0.99]);
  expect(mnistTrainerOptions(o)).toMatchObject({ adamBetas: [0, 0.99] });
  for (const bad of ['0.5', '0,1', '-0.1,0.9', '0,,0.9', 'a,b', '0.5,0.9,0.99']) {
    expect(() => parseMnistFlags([`--adam-betas=${bad}`])).toThrow(/--adam-betas must be two numbers in \[0, 1\)/);
  }
  const gan = new GAN({ ...archConfig('dcgan', { filters: 4 }), latentDim: 100, dataShape: [28, 28, 1] });
  const trainer = new Trainer(gan, mnistTrainerOptions(o));
  const resume = await resumeAgainst(trainer);
  expect(await resume('--adam-betas', '0,0.99')).toEqual([]);
  expect(await resume()).toEqual([]);
  expect(await resume('--adam-betas', '0.5,0.999')).toEqual([
    '--adam-betas 0.5,0.999 (the checkpoint trains with 0,0.99)',
  ]);
  trainer.dispose();
  gan.dispose();
  expect(tf.memory().numTensors).toBe(0);
});

/**
 * The conflicts `ts-gan mnist ARGV --resume` reports against `trainer`'s checkpoint: saved once,
 * then loaded with the flags' expectations, the refusal's mismatches mapped to the flags.
 */
async function resumeAgainst(trainer: Trainer): Promise<(...argv: string[]) => Promise<string[]>> {
  const dir = join(await mkdtemp(join(tmpdir(), 'ts-gan-family-cli-')), 'checkpoint');
  await saveCheckpoint(trainer, dir);
  const dataShape = [28, 28, 1];
  return async (...argv) => {
    const r = parseMnistFlags([...argv, '--resume']);
    if (r === 'help') throw new Error('unexpected help');
    const loaded = await loadCheckpoint(dir, { logEvery: 1, dataShape, expect: resumeExpectations(r, dataShape) }).then(
      (t) => t,
      (err: unknown) => err,
    );
    if (loaded instanceof Trainer) {
      const { gan } = loaded;
      loaded.dispose();
      gan.dispose();
      return [];
    }
    if (!(loaded instanceof CheckpointError)) throw loaded;
    const conflicts = flagConflicts(r, loaded.mismatches);
    if (conflicts === undefined) throw loaded;
    return conflicts;
  };
}

test('the DCGAN recipe printed by --help is a command line the parser accepts, with the documented values', () => {
  const usage = mnistCommand.usage;
  const at = usage.indexOf('  ts-gan mnist --arch dcgan');
  expect(at).toBeGreaterThan(0);
  const words = usage.slice(at).replace(/\\\n/g, ' ').split('\n')[0]?.trim().split(/\s+/).slice(2);
  const o = parseMnistFlags(words ?? []);
  if (o === 'help') throw new Error('the recipe asked for help');
  expect(o).toMatchObject({
    arch: 'dcgan',
    filters: 32,
    startFilters: 128,
    discriminatorFilters: 64,
    kernelSize: 5,
    r1: 10,
    learningRate: 4e-4,
    adamBetas: [0, 0.99],
    batchSize: 64,
    steps: 8000,
    backend: 'wasm',
  });
});
