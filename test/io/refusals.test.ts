/**
 * Refusals and crash safety: a checkpoint that does not match what the caller expects, or that is
 * damaged, gets a CheckpointError naming the field or the file, with nothing left allocated; a
 * save killed at any moment leaves the previous checkpoint loadable.
 */
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { CheckpointError, GAN, type GanLoss, nonSaturatingLoss, Trainer } from 'ts-gan';
import 'ts-gan/node';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { tinyData, tinyDiscriminator, tinyGan, tinyGenerator } from '../../test-shared/fixtures';
import { spawnScript } from '../support/io-spawn';

const root = mkdtempSync(path.join(tmpdir(), 'ts-gan-refuse-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A fresh copy of a good trainer checkpoint (step 2) to damage. */
let good: string;
beforeAll(async () => {
  good = path.join(root, 'good');
  const trainer = new Trainer(tinyGan(), { batchSize: 4 });
  const data = tinyData();
  await trainer.fit(data, { steps: 2 });
  await trainer.save(good);
  data.dispose();
  trainer.dispose();
  trainer.gan.dispose();
  // Warm-up: the first load creates tfjs-layers' cached scalars.
  const t = await Trainer.load(good);
  t.dispose();
  t.gan.dispose();
});

function copyOfGood(name: string): string {
  const dir = path.join(root, name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(path.join(dir, 'generator'), { recursive: true });
  mkdirSync(path.join(dir, 'discriminator'));
  for (const rel of [
    'checkpoint.json',
    'optimizers.bin',
    'generator/model.json',
    'generator/weights.bin',
    'discriminator/model.json',
    'discriminator/weights.bin',
  ]) {
    writeFileSync(path.join(dir, rel), readFileSync(path.join(good, rel)));
  }
  return dir;
}

/** Asserts that `load` rejects with a CheckpointError matching `message` and allocates nothing. */
async function refuses(load: () => Promise<unknown>, message: RegExp): Promise<CheckpointError> {
  const before = tf.memory().numTensors;
  const variables = Object.keys(tf.engine().registeredVariables).length;
  const err = await load().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(CheckpointError);
  expect((err as CheckpointError).code).toBe('ERR_GAN_CHECKPOINT');
  expect((err as Error).message).toMatch(message);
  expect(tf.memory().numTensors).toBe(before);
  expect(Object.keys(tf.engine().registeredVariables).length).toBe(variables);
  return err as CheckpointError;
}

describe('expectations that differ', () => {
  test('latentDim, dataShape, loss, batchSize: the error names the field and both values', async () => {
    await refuses(
      () => Trainer.load(good, { expect: { latentDim: 8 } }),
      /latentDim differs: the checkpoint has 4, expected 8/,
    );
    await refuses(
      () => Trainer.load(good, { expect: { dataShape: [28, 28, 1] } }),
      /dataShape differs: the checkpoint has \[2, 2, 1\], expected \[28, 28, 1\]/,
    );
    await refuses(
      () => GAN.load(good, { expect: { loss: 'hinge' } }),
      /loss differs: the checkpoint was trained with "non-saturating", expected "hinge"/,
    );
    await refuses(
      () => Trainer.load(good, { expect: { batchSize: 64 } }),
      /batchSize differs: the checkpoint has 4, expected 64/,
    );
  });

  test('architecture: a factory or model that differs is named, with the first difference', async () => {
    const wider = ({ latentDim, dataShape }: { latentDim: number; dataShape: readonly number[] }) =>
      tfl.sequential({
        layers: [
          tfl.layers.dense({ units: 16, inputShape: [latentDim] }),
          tfl.layers.batchNormalization({ momentum: 0.8 }),
          tfl.layers.leakyReLU({ alpha: 0.2 }),
          tfl.layers.dense({ units: 4, activation: 'tanh' }),
          tfl.layers.reshape({ targetShape: [...dataShape] }),
        ],
      });
    await refuses(
      () => Trainer.load(good, { expect: { generator: wider } }),
      /generator architecture differs at .*units: the checkpoint has 8, expected 16/,
    );
    await refuses(
      () => Trainer.load(good, { expect: { discriminator: (ctx) => tinyDiscriminator(ctx, true) } }),
      /discriminator architecture differs/,
    );
    // The same architecture built in this process (other layer names) is accepted.
    const t = await Trainer.load(good, {
      expect: { generator: (ctx) => tinyGenerator(ctx), discriminator: (ctx) => tinyDiscriminator(ctx) },
    });
    expect(t.step).toBe(2);
    t.dispose();
    t.gan.dispose();
  });

  test('an optimizer of another class than the saved one', async () => {
    const sgd = tf.train.sgd(0.1);
    await refuses(
      () => Trainer.load(good, { generatorOptimizer: sgd }),
      /generatorOptimizer differs: the checkpoint has a Adam optimizer, the one passed is SGD/,
    );
    sgd.dispose();
  });

  test('a custom loss must be passed again, under its name', async () => {
    const custom: GanLoss = { ...nonSaturatingLoss, name: 'my-loss' };
    const gan = tinyGan({ loss: custom });
    const dir = path.join(root, 'custom-loss');
    await gan.save(dir);
    await refuses(() => GAN.load(dir), /custom loss "my-loss"; pass it as expect.loss/);
    const loaded = await GAN.load(dir, { expect: { loss: custom } });
    expect(loaded.loss).toBe(custom);
    loaded.dispose();
    gan.dispose();
  });

  test('Trainer.load of a GAN checkpoint, and a custom step the saved run did not use', async () => {
    const gan = tinyGan();
    const dir = path.join(root, 'gan-only');
    await gan.save(dir);
    gan.dispose();
    await refuses(() => Trainer.load(dir), /holds a GAN without trainer state; load it with GAN.load/);
    await refuses(() => Trainer.load(good, { step: () => ({}) as never }), /step differs/);
  });
});

describe('damaged checkpoints', () => {
  test('truncated weights: the error names the file', async () => {
    const dir = copyOfGood('truncated');
    truncateSync(path.join(dir, 'generator', 'weights.bin'), 100);
    await refuses(
      () => Trainer.load(dir),
      /generator[/\\]weights\.bin is damaged: it has 100 bytes, model\.json describes \d+/,
    );
  });

  test('altered weights of the same size: the checksum names the network', async () => {
    const dir = copyOfGood('flipped');
    const file = path.join(dir, 'discriminator', 'weights.bin');
    const bytes = readFileSync(file);
    bytes[10] = (bytes[10] as number) ^ 0xff;
    writeFileSync(file, bytes);
    await refuses(
      () => GAN.load(dir),
      /the discriminator's weights are damaged: \d+ bytes with CRC-32 [0-9a-f]{8}, the manifest records/,
    );
  });

  test('altered optimizer state', async () => {
    const dir = copyOfGood('flipped-optimizers');
    const file = path.join(dir, 'optimizers.bin');
    const bytes = readFileSync(file);
    bytes[0] = (bytes[0] as number) ^ 0x01;
    writeFileSync(file, bytes);
    await refuses(() => Trainer.load(dir), /the optimizer state is damaged/);
  });

  test('bad JSON, an unknown format version, a missing checkpoint', async () => {
    const bad = copyOfGood('bad-json');
    appendFileSync(path.join(bad, 'checkpoint.json'), '}garbage');
    await refuses(() => Trainer.load(bad), /checkpoint\.json is damaged: not valid JSON/);

    const future = copyOfGood('future');
    const file = path.join(future, 'checkpoint.json');
    writeFileSync(file, readFileSync(file, 'utf8').replace('"formatVersion":1', '"formatVersion":99'));
    await refuses(() => Trainer.load(future), /format version 99 .*reads versions up to 1\. Upgrade ts-gan/);

    const other = copyOfGood('not-ours');
    const layersJson = JSON.parse(readFileSync(path.join(other, 'generator', 'model.json'), 'utf8'));
    writeFileSync(path.join(other, 'checkpoint.json'), JSON.stringify({ ...layersJson, weightsManifest: [] }));
    await refuses(() => GAN.load(other), /not a ts-gan checkpoint: its manifest part is a tfjs Layers model/);

    await refuses(() => Trainer.load(path.join(root, 'nothing-here')), /Nothing found at/);
  });
});

describe('crash safety of file saves', () => {
  test('a leftover temporary folder (a save killed mid-write) is ignored, and the next save removes it', async () => {
    const dir = copyOfGood('leftover');
    const tmp = `${dir}.tmp-1-2-deadbeef`;
    mkdirSync(path.join(tmp, 'generator'), { recursive: true });
    writeFileSync(path.join(tmp, 'checkpoint.json'), '{"modelTopology": {"format": "ts-gan-chec');
    writeFileSync(path.join(tmp, 'generator', 'weights.bin'), Buffer.alloc(7));
    const t = await Trainer.load(dir);
    expect(t.step).toBe(2);
    await t.save(dir);
    expect(existsSync(tmp)).toBe(false);
    t.dispose();
    t.gan.dispose();
  });

  test('a save killed between its two renames: the previous version beside it is loaded', async () => {
    const dir = copyOfGood('between-renames');
    renameSync(dir, `${dir}.old-1700000000000-1-cafebabe`);
    const t = await Trainer.load(dir);
    expect(t.step).toBe(2);
    t.dispose();
    t.gan.dispose();
  });

  test('saving over a folder that is not a checkpoint is refused and leaves it untouched', async () => {
    const dir = path.join(root, 'user-folder');
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'notes.txt'), 'mine');
    const gan = tinyGan();
    await refuses(() => gan.save(dir), /Refusing to overwrite .*not a ts-gan checkpoint/);
    expect(readdirSync(dir)).toEqual(['notes.txt']);
    gan.dispose();
  });

  test('SIGKILL mid-write and between the renames: the previous checkpoint loads, and the run resumes from it', async () => {
    const dir = path.join(root, 'killed');
    const base = path.basename(dir);
    // A save writes 6 files and makes 2 renames (1 for the first save). Each run saves once
    // completely, then is killed inside its second save: half-way through its first file, and
    // between its two renames.
    const runs: { env: Record<string, string>; left: string }[] = [
      { env: { PAUSE_AT_WRITE: '7' }, left: '.tmp-' },
      // Its first save (over run 1's checkpoint) makes renames 1 and 2; rename 3 moves the target aside.
      { env: { PAUSE_AFTER_RENAME: '3' }, left: '.old-' },
    ];
    let step = 0;
    for (const run of runs) {
      const child = spawnScript('./io-save-loop.ts', [dir], run.env);
      let out = '';
      let err = '';
      child.stderr.on('data', (d) => {
        err += d;
      });
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (d) => {
          out += d;
          if (out.includes('PAUSED')) resolve();
        });
        child.on('exit', (code) => reject(new Error(`save loop exited before pausing (${code}): ${err}`)));
      });
      child.kill('SIGKILL');
      await new Promise((resolve) => child.on('close', resolve));
      expect(out).toContain(`START ${step}`);
      expect(out).toContain(`SAVED ${step + 1}`);
      expect(out).not.toContain(`SAVED ${step + 2}`);
      // The kill left the interrupted save's traces.
      expect(readdirSync(root).some((name) => name.startsWith(`${base}${run.left}`))).toBe(true);
      if (run.left === '.old-') expect(existsSync(dir)).toBe(false);
      // The last complete save loads.
      const t = await Trainer.load(dir);
      expect(t.step).toBe(step + 1);
      step = t.step;
      t.dispose();
      t.gan.dispose();
    }
  });
});
