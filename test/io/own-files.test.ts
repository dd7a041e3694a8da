/**
 * A save writes and replaces only its own files: a user's files in a checkpoint folder survive
 * every save, at every moment; a save refuses NaN or infinite weights before it touches the
 * folder; and `findCheckpoint` is the one answer to "is there a checkpoint here", the one
 * `Trainer.load` and `ts-gan mnist --resume` share.
 */
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { CheckpointError, Trainer } from 'ts-gan';
import { findCheckpoint } from 'ts-gan/node';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { tinyData, tinyGan } from '../../test-shared/fixtures';

const root = mkdtempSync(path.join(tmpdir(), 'ts-gan-own-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let trainer: Trainer;
let data: tf.Tensor4D;
beforeAll(async () => {
  trainer = new Trainer(tinyGan(), { batchSize: 4 });
  data = tinyData();
  await trainer.fit(data, { steps: 1 });
});
afterAll(() => {
  data.dispose();
  trainer.dispose();
  trainer.gan.dispose();
});

/** A user's files in a checkpoint folder: a note, a samples/ folder with a nested one, a file inside a network's folder, a link. */
const USER_FILES: Record<string, string> = {
  'notes.txt': 'lr 2e-4 looked best',
  'samples/step-1.png': 'png bytes',
  'samples/best/grid.png': 'more png bytes',
  'generator/README.md': 'the generator of run 3',
};

function addUserFiles(dir: string): void {
  for (const [rel, text] of Object.entries(USER_FILES)) {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), text);
  }
  mkdirSync(path.join(dir, 'empty-folder'));
  symlinkSync('notes.txt', path.join(dir, 'notes-link'));
}

function expectUserFiles(dir: string): void {
  for (const [rel, text] of Object.entries(USER_FILES)) expect(readFileSync(path.join(dir, rel), 'utf8')).toBe(text);
  expect(existsSync(path.join(dir, 'empty-folder'))).toBe(true);
  expect(readlinkSync(path.join(dir, 'notes-link'))).toBe('notes.txt');
}

async function step(dir: string): Promise<number> {
  const t = await Trainer.load(dir);
  const s = t.step;
  t.dispose();
  t.gan.dispose();
  return s;
}

describe("a save keeps a user's files", () => {
  test('saving again into a checkpoint folder with a user’s files (nested too) keeps every one of them', async () => {
    const dir = path.join(root, 'with-notes');
    await trainer.save(dir);
    addUserFiles(dir);
    await trainer.fit(data, { steps: 1 });
    await trainer.save(dir);
    expectUserFiles(dir);
    expect(await step(dir)).toBe(trainer.step);
    // And through a GAN save, which writes no optimizer state: the trainer's old one is not carried.
    await trainer.gan.save(dir);
    expectUserFiles(dir);
    expect(existsSync(path.join(dir, 'optimizers.bin'))).toBe(false);
    expect(readdirSync(root).filter((n) => n.startsWith('with-notes.'))).toEqual([]);
  });

  test('a save interrupted between its renames: the user’s files are in the previous version, and the next save brings them back', async () => {
    const dir = path.join(root, 'interrupted');
    await trainer.save(dir);
    addUserFiles(dir);
    const old = `${dir}.old-1700000000000-1-cafebabe`;
    renameSync(dir, old);
    expectUserFiles(old);
    expect(await findCheckpoint(dir)).toBe(old);
    await trainer.save(dir);
    expectUserFiles(dir);
    expect(existsSync(old)).toBe(false);
  });

  test('clean-up never removes a previous version that holds a file the current folder lacks', async () => {
    const dir = path.join(root, 'orphan');
    await trainer.save(dir);
    const old = `${dir}.old-1700000000000-1-0badf00d`;
    mkdirSync(path.join(old, 'samples'), { recursive: true });
    writeFileSync(path.join(old, 'samples', 'only-here.png'), 'only copy');
    const tmp = `${dir}.tmp-1700000000000-1-0badf00d`;
    mkdirSync(tmp);
    await trainer.save(dir);
    expect(readFileSync(path.join(old, 'samples', 'only-here.png'), 'utf8')).toBe('only copy');
    expect(existsSync(tmp)).toBe(false);
  });

  test('a user’s entry where a save writes its own file is refused, and nothing changes', async () => {
    const dir = path.join(root, 'in-the-way');
    await trainer.save(dir);
    rmSync(path.join(dir, 'optimizers.bin'));
    mkdirSync(path.join(dir, 'optimizers.bin'));
    writeFileSync(path.join(dir, 'optimizers.bin', 'mine.txt'), 'mine');
    await expect(trainer.save(dir)).rejects.toThrow(/optimizers\.bin is in the way of the save/);
    expect(readFileSync(path.join(dir, 'optimizers.bin', 'mine.txt'), 'utf8')).toBe('mine');
    expect(readdirSync(root).filter((n) => n.startsWith('in-the-way.'))).toEqual([]);
  });
});

describe('non-finite weights are never saved', () => {
  async function refusedNonFinite(save: () => Promise<unknown>, dir: string, name: RegExp): Promise<void> {
    const before = readFileSync(path.join(dir, 'checkpoint.json'));
    const tensors = tf.memory().numTensors;
    const err = await save().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(CheckpointError);
    expect((err as CheckpointError).code).toBe('ERR_GAN_NON_FINITE');
    expect((err as Error).message).toMatch(name);
    expect((err as Error).message).toMatch(/left as it was; resume from it with a lower learning rate/);
    expect(tf.memory().numTensors).toBe(tensors);
    expect(readFileSync(path.join(dir, 'checkpoint.json'))).toEqual(before);
    expect(readdirSync(root).filter((n) => n.startsWith(`${path.basename(dir)}.`))).toEqual([]);
  }

  test('a NaN generator weight: trainer.save and gan.save refuse, before touching the folder, leaking nothing', async () => {
    const t = new Trainer(tinyGan(), { batchSize: 4 });
    await t.fit(data, { steps: 1 });
    const dir = path.join(root, 'diverged');
    await t.save(dir);
    await t.save(dir); // warm-up of the save path
    const weight = t.gan.generator.weights[0] as (typeof t.gan.generator.weights)[number];
    const nan = tf.fill(weight.shape as number[], Number.NaN);
    const good = weight.read().clone();
    weight.write(nan);
    nan.dispose();
    await refusedNonFinite(
      () => t.save(dir),
      dir,
      /the generator's weight ".*kernel" holds NaN \(\d+ of \d+ values are not finite\)/,
    );
    await refusedNonFinite(() => t.gan.save(dir), dir, /the generator's weight/);
    weight.write(good);
    good.dispose();
    expect(await step(dir)).toBe(1);
    t.dispose();
    t.gan.dispose();
  });

  test('an infinite optimizer slot is refused too', async () => {
    const t = new Trainer(tinyGan(), { batchSize: 4 });
    await t.fit(data, { steps: 1 });
    const dir = path.join(root, 'diverged-slot');
    await t.save(dir);
    const slots = (t.discriminatorOptimizer as unknown as { accumulatedSecondMoment: { variable: tf.Variable }[] })
      .accumulatedSecondMoment;
    const slot = slots[0]?.variable as tf.Variable;
    const inf = tf.fill(slot.shape, Number.POSITIVE_INFINITY);
    slot.assign(inf);
    inf.dispose();
    await refusedNonFinite(
      () => t.save(dir),
      dir,
      /the trainer state \(optimizers, moving average\)'s weight "discriminatorOptimizer\/.*" holds Infinity/,
    );
    t.dispose();
    t.gan.dispose();
  });
});

describe('findCheckpoint', () => {
  test('the folder, the previous version after an interrupted save, or null', async () => {
    const dir = path.join(root, 'find');
    expect(await findCheckpoint(dir)).toBeNull();
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'notes.txt'), 'not a checkpoint');
    expect(await findCheckpoint(dir)).toBeNull();
    rmSync(dir, { recursive: true });
    await trainer.save(dir);
    expect(await findCheckpoint(dir)).toBe(dir);
    expect(await findCheckpoint(`file://${dir}`)).toBe(dir);
    const old = `${dir}.old-1700000000000-1-feedbeef`;
    renameSync(dir, old);
    expect(await findCheckpoint(dir)).toBe(old);
    expect(await step(dir)).toBe(trainer.step);
  });
});
