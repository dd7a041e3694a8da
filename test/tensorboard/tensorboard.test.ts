/**
 * TensorBoardCallback: the files it writes during a tiny training run parse back to the values
 * written (also when read by protobufjs), a resumed fit is marked, no tensor leaks, and a corrupted
 * byte is detected by readEvents.
 */
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { PNG } from 'pngjs';
import { type Callback, ConfigError, readTfRecords, type StepLogs, type TensorBoardEvent, Trainer } from 'ts-gan';
import { EvaluationCallback } from 'ts-gan/metrics';
import { readEvents, TENSORBOARD_IMAGE_TAG, TensorBoardCallback, tensorBoardLogger } from 'ts-gan/node';
import { describe, expect, test } from 'vitest';
import { tinyData, tinyGan } from '../../test-shared/fixtures';
import { decodeIndependently } from '../support/tensorboard-proto';

const temp = (prefix: string) => mkdtemp(join(tmpdir(), `ts-gan-tensorboard-${prefix}-`));

/** Records each logged step's logs, to compare with what the event file holds. */
class LogRecorder implements Callback {
  readonly logs: { step: number; logs: StepLogs }[] = [];
  onStepEnd(step: number, logs: StepLogs): void {
    this.logs.push({ step, logs: { ...logs } });
  }
}

/** A clock that moves 250 ms on each reading. */
function fakeClock(startMs: number): { now: () => number; readings: number[] } {
  const readings: number[] = [];
  return {
    readings,
    now: () => {
      const t = startMs + readings.length * 250;
      readings.push(t);
      return t;
    },
  };
}

/** The bytes encodeImageGrid should draw for samples in [-1, 1] with 1 px of padding, 2 columns, scale 1. */
function expectedGrid(
  samples: Float32Array,
  n: number,
  size: number,
): { width: number; height: number; rgba: number[] } {
  const columns = 2;
  const rows = Math.ceil(n / columns);
  const width = columns * size + columns + 1;
  const height = rows * size + rows + 1;
  const rgba = new Array<number>(width * height * 4).fill(128);
  for (let i = 3; i < rgba.length; i += 4) rgba[i] = 255;
  for (let k = 0; k < n; k++) {
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const v = Math.min(1, Math.max(-1, samples[(k * size + y) * size + x] as number));
        const byte = Math.round(((v + 1) / 2) * 255);
        const px = 1 + (k % columns) * (size + 1) + x;
        const py = 1 + Math.floor(k / columns) * (size + 1) + y;
        rgba.fill(byte, (py * width + px) * 4, (py * width + px) * 4 + 3);
      }
    }
  }
  return { width, height, rgba };
}

const SCALAR_KEYS = ['dFake', 'dLoss', 'dReal', 'gLoss', 'stepsPerSecond'];
const scalars = (events: TensorBoardEvent[], prefix: string) =>
  events.filter((e) => e.summary?.some((v) => v.simpleValue !== undefined && v.tag.startsWith(prefix)));

describe('TensorBoardCallback', () => {
  test('a tiny training run writes scalars, evaluations and grids that parse back to the values written', async () => {
    const logDir = join(await temp('run'), 'tb');
    const clock = fakeClock(1_700_000_000_000);
    const gan = tinyGan();
    const data = tinyData();
    const metric = (step: number) => ({ score: step / 3, spread: -step });
    const evaluation = new EvaluationCallback({ every: 2, samples: 4, evaluator: async (_, { step }) => metric(step) });
    const board = new TensorBoardCallback({
      logDir,
      imageEvery: 3,
      images: (g) => g.sample(3, { seed: 5 }),
      grid: { columns: 2, padding: 1 },
      evaluation,
      now: clock.now,
    });
    const recorder = new LogRecorder();
    const trainer = new Trainer(gan, { batchSize: 4, logEvery: 1, seed: 2 });
    await trainer.fit(data, { steps: 6, callbacks: [recorder, evaluation, board] });

    const files = await readdir(logDir);
    expect(files).toEqual([`events.out.tfevents.1700000000.${hostname()}.${process.pid}.0`]);
    expect(board.file).toBe(join(logDir, files[0] as string));
    const bytes = await readFile(board.file as string);
    const events = await readEvents(board.file as string);

    // Every record's bytes decode the same with protobufjs; the file starts with its version.
    expect(readTfRecords(bytes).map(decodeIndependently)).toEqual(events);
    expect(events[0]).toMatchObject({ step: 0, fileVersion: 'brain.Event:2' });
    // Wall times: seconds, in writing order, each a reading of the clock.
    const times = events.map((e) => e.wallTime);
    for (const [i, t] of times.entries()) {
      if (i > 0) expect(t).toBeGreaterThan(times[i - 1] as number);
      expect(clock.readings.map((ms) => ms / 1000)).toContain(t);
    }

    // One scalar event per logged step, with every log entry, as float32.
    const train = scalars(events, 'train/');
    expect(train.map((e) => e.step)).toEqual([1, 2, 3, 4, 5, 6]);
    for (const [i, e] of train.entries()) {
      const logged = recorder.logs[i] as { step: number; logs: StepLogs };
      expect(e.step).toBe(logged.step);
      const values = Object.fromEntries((e.summary ?? []).map((v) => [v.tag, v.simpleValue]));
      expect(Object.keys(values).sort()).toEqual(
        Object.keys(logged.logs)
          .map((k) => `train/${k}`)
          .sort(),
      );
      for (const key of SCALAR_KEYS) expect(values[`train/${key}`]).toBe(Math.fround(logged.logs[key] as number));
    }
    // The evaluations after steps 2, 4 and 6.
    const evals = scalars(events, 'eval/');
    expect(evals.map((e) => e.step)).toEqual([2, 4, 6]);
    for (const e of evals) {
      const m = metric(e.step);
      expect(e.summary).toEqual([
        { tag: 'eval/score', simpleValue: Math.fround(m.score) },
        { tag: 'eval/spread', simpleValue: Math.fround(m.spread) },
      ]);
    }

    // Grids at the start, after step 3 and at the end; the last one is the trained generator's samples.
    const grids = events.filter((e) => e.summary?.[0]?.image);
    expect(grids.map((e) => [e.step, e.summary?.[0]?.tag])).toEqual([
      [0, TENSORBOARD_IMAGE_TAG],
      [3, TENSORBOARD_IMAGE_TAG],
      [6, TENSORBOARD_IMAGE_TAG],
    ]);
    const last = grids.at(-1)?.summary?.[0]?.image;
    if (!last) throw new Error('no grid');
    const samples = gan.sample(3, { seed: 5 });
    const expected = expectedGrid((await samples.data()) as Float32Array, 3, 2);
    samples.dispose();
    const png = PNG.sync.read(Buffer.from(last.encoded));
    expect([last.width, last.height, last.colorspace]).toEqual([expected.width, expected.height, 4]);
    expect([png.width, png.height]).toEqual([expected.width, expected.height]);
    expect(Array.from(png.data)).toEqual(expected.rgba);
    expect(grids[0]?.summary?.[0]?.image?.encoded).not.toEqual(last.encoded);

    trainer.dispose();
    gan.dispose();
    data.dispose();
  });

  test('a second fit appends to the same file after a session-start marker, and leaks no tensor', async () => {
    const logDir = await temp('resume');
    const gan = tinyGan();
    const data = tinyData();
    const board = tensorBoardLogger({ logDir, every: 2, imageEvery: 0 });
    const trainer = new Trainer(gan, { batchSize: 4, logEvery: 1, seed: 2 });
    await trainer.fit(data, { steps: 4, callbacks: [board] });
    const before = tf.memory().numTensors;
    await trainer.fit(data, { steps: 4, callbacks: [board] });
    expect(tf.memory().numTensors).toBe(before);

    expect(await readdir(logDir)).toHaveLength(1);
    const events = await readEvents(board.file as string);
    const kinds = events.map((e) =>
      e.fileVersion ? 'version' : e.sessionLog ? `start@${e.step}` : e.summary?.[0]?.image ? `grid@${e.step}` : e.step,
    );
    // every: 2 writes the even steps; imageEvery: 0 draws the start and the end of each fit.
    expect(kinds).toEqual(['version', 'grid@0', 2, 4, 'grid@4', 'start@4', 6, 8, 'grid@8']);
    // The default grid: 25 samples of 2x2 in 5 columns, 2 px padding, drawn 2x.
    const grid = events[1]?.summary?.[0]?.image;
    expect([grid?.width, grid?.height]).toEqual([(5 * 2 + 6 * 2) * 2, (5 * 2 + 6 * 2) * 2]);
    trainer.dispose();
    gan.dispose();
    data.dispose();
  });

  test('a corrupted byte in a written file is detected by readEvents', async () => {
    const logDir = await temp('corrupt');
    const gan = tinyGan();
    const data = tinyData();
    const board = new TensorBoardCallback({ logDir, images: false });
    const trainer = new Trainer(gan, { batchSize: 4, logEvery: 1, seed: 2 });
    await trainer.fit(data, { steps: 2, callbacks: [board] });
    const file = board.file as string;
    const bytes = await readFile(file);
    expect((await readEvents(file)).map((e) => e.step)).toEqual([0, 1, 2]);
    bytes[bytes.length - 10] = (bytes[bytes.length - 10] as number) ^ 0xff;
    await writeFile(file, bytes);
    await expect(readEvents(file)).rejects.toThrow(/record 2 at byte \d+: the data's CRC does not match/);
    trainer.dispose();
    gan.dispose();
    data.dispose();
  });

  test('bad options are ConfigErrors', () => {
    expect(() => new TensorBoardCallback({ logDir: '' })).toThrow(ConfigError);
    expect(() => new TensorBoardCallback({ logDir: 'x', every: 0 })).toThrow(/every/);
    expect(() => new TensorBoardCallback({ logDir: 'x', imageEvery: -1 })).toThrow(/imageEvery/);
    expect(() => new TensorBoardCallback({ logDir: 'x', images: 3 as never })).toThrow(/images must be/);
    expect(() => new TensorBoardCallback({ logDir: 'x', logdir: 'y' } as never)).toThrow(ConfigError);
  });
});
