import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { BadImageError, DataError, GAN, presets, Trainer } from 'ts-gan';
import { loadImageFolder, streamImageFolder } from 'ts-gan/node';
import { describe, expect, test } from 'vitest';
import { writeShapesFolder } from '../support/images';

const temp = () => mkdtemp(join(tmpdir(), 'ts-gan-stream-'));

/** Each image of a batch as one string of its values, to compare sets of images. */
function rows(x: tf.Tensor): string[] {
  const [n] = x.shape as [number];
  const size = x.size / n;
  const v = x.dataSync();
  return Array.from({ length: n }, (_, i) => Array.from(v.subarray(i * size, (i + 1) * size)).join(','));
}

describe('streamImageFolder', () => {
  test('one pass holds every picture once, with the labels of loadImageFolder, in batches of batchSize', async () => {
    const dir = await temp();
    await writeShapesFolder(dir, 3);
    const whole = await loadImageFolder(dir, { size: 8 });
    const byImage = new Map(rows(whole.images).map((r, i) => [r, whole.labels?.[i]]));
    const stream = await streamImageFolder(dir, { size: 8, batchSize: 4, epochs: 1, seed: 1 });
    expect(stream.classNames).toEqual(['discs', 'squares']);
    expect(stream.size).toBe(6);
    const seen: string[] = [];
    const sizes: number[] = [];
    const before = tf.memory().numTensors;
    for await (const { x, labels } of stream.labelledBatches()) {
      sizes.push(x.shape[0] as number);
      const ls = labels.dataSync();
      rows(x).forEach((r, i) => {
        expect(byImage.get(r)).toBe(ls[i]);
        seen.push(r);
      });
      tf.dispose([x, labels]);
    }
    expect(tf.memory().numTensors).toBe(before);
    expect(sizes).toEqual([4, 2]);
    expect(seen.sort()).toEqual([...byImage.keys()].sort());
    whole.images.dispose();
  });

  test('the order is seeded: the same seed repeats it, each pass reshuffles', async () => {
    const dir = await temp();
    await writeShapesFolder(dir, 4);
    const order = async (seed: number) => {
      const out: string[] = [];
      const stream = await streamImageFolder(dir, { size: 4, batchSize: 8, epochs: 2, seed });
      for await (const x of stream.batches()) {
        out.push(rows(x).join('|'));
        x.dispose();
      }
      return out;
    };
    const a = await order(3);
    expect(a).toHaveLength(2);
    expect(await order(3)).toEqual(a);
    expect(a[0]).not.toEqual(a[1]);
    expect(await order(4)).not.toEqual(a);
  });

  test('a trainer trains a conditional GAN from the stream; bad files are skipped once, or throw', async () => {
    const dir = await temp();
    await writeShapesFolder(dir, 2);
    await writeFile(join(dir, 'discs', 'bad.png'), 'nope');
    const stream = await streamImageFolder(dir, { size: 8, channels: 1, batchSize: 2 });
    const gan = new GAN({
      ...presets.dcgan({ filters: 2 }),
      latentDim: 4,
      dataShape: [8, 8, 1],
      numClasses: 2,
      seed: 1,
    });
    const trainer = new Trainer(gan, { batchSize: 2 });
    await trainer.fit(stream.labelledBatches(), { steps: 2 }); // warm-up: the optimizers make their slots
    const before = tf.memory().numTensors;
    await trainer.fit(stream.labelledBatches(), { steps: 3 });
    expect(trainer.step).toBe(5);
    expect(stream.skipped).toEqual([{ file: join('discs', 'bad.png'), reason: 'not a PNG or JPEG file' }]);
    expect(tf.memory().numTensors).toBe(before);
    trainer.dispose();
    gan.dispose();
    const strict = await streamImageFolder(dir, { size: 8, batchSize: 8, onBadFile: 'throw', seed: 0 });
    const consume = async () => {
      for await (const x of strict.batches()) x.dispose();
    };
    await expect(consume()).rejects.toBeInstanceOf(BadImageError);
  });

  test('bad options, an empty folder and a folder without classes are DataErrors', async () => {
    const dir = await temp();
    await expect(streamImageFolder(dir, { size: 8, batchSize: 2 })).rejects.toThrow(/no images in/);
    await writeShapesFolder(dir, 1);
    await expect(streamImageFolder(dir, { size: 8, batchSize: 0 })).rejects.toThrow(
      /batchSize must be a positive integer/,
    );
    await expect(streamImageFolder(dir, { size: 8, batchSize: 2, epochs: 0 })).rejects.toThrow(/epochs must be/);
    const flat = await streamImageFolder(join(dir, 'discs'), { size: 8, batchSize: 2 });
    const consume = async () => {
      for await (const b of flat.labelledBatches()) tf.dispose([b.x, b.labels]);
    };
    await expect(consume()).rejects.toThrow(DataError);
  });
});
