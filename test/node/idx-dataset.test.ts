import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import * as tf from '@tensorflow/tfjs-core';
import { DataError } from 'ts-gan';
import { loadIdx } from 'ts-gan/node';
import { describe, expect, test } from 'vitest';
import { idxFile } from '../support/idx';

const PIXELS = Uint8Array.from([0, 255, 51, 204, 127, 128, 10, 20, 30, 40, 50, 60]); // 3 images of 2x2

describe('loadIdx', () => {
  test('reads plain and gzipped images with their labels, scaled to [-1, 1]', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ts-gan-idx-'));
    await writeFile(join(dir, 'images'), idxFile(0x08, [3, 2, 2], PIXELS));
    await writeFile(join(dir, 'labels.gz'), gzipSync(idxFile(0x08, [3], Uint8Array.from([1, 0, 4]))));
    const before = tf.memory().numTensors;
    const data = await loadIdx(join(dir, 'images'), join(dir, 'labels.gz'), { limit: 2 });
    expect(tf.memory().numTensors).toBe(before + 1);
    try {
      expect(data.images.shape).toEqual([2, 2, 2, 1]);
      const values = [...(await data.images.data())];
      expect(values.map((v) => Math.round((v + 1) * 127.5))).toEqual([...PIXELS.subarray(0, 8)]);
      expect([...(data.labels ?? [])]).toEqual([1, 0]);
      // The classes follow every label of the file, not only the kept ones.
      expect(data.classNames).toEqual(['0', '1', '2', '3', '4']);
    } finally {
      data.images.dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
    const unlabelled = await loadIdx(join(dir, 'images'));
    expect(unlabelled.labels).toBeUndefined();
    expect(unlabelled.classNames).toEqual([]);
    unlabelled.images.dispose();
  });

  test('labels that do not match, and missing files, are DataErrors naming the file; no tensor is left', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ts-gan-idx-'));
    await writeFile(join(dir, 'images'), idxFile(0x08, [3, 2, 2], PIXELS));
    await writeFile(join(dir, 'two'), idxFile(0x08, [2], Uint8Array.from([1, 2])));
    await writeFile(join(dir, 'wide'), idxFile(0x08, [3, 1], Uint8Array.from([1, 2, 3])));
    const before = tf.memory().numTensors;
    await expect(loadIdx(join(dir, 'images'), join(dir, 'two'))).rejects.toThrow(
      /holds 3 images but .*two holds 2 labels/,
    );
    await expect(loadIdx(join(dir, 'images'), join(dir, 'wide'))).rejects.toThrow(
      /wide must hold uint8 labels of shape \[n\]/,
    );
    await expect(loadIdx(join(dir, 'nope'))).rejects.toBeInstanceOf(DataError);
    await expect(loadIdx(join(dir, 'nope'))).rejects.toThrow(/cannot read .*nope/);
    expect(tf.memory().numTensors).toBe(before);
  });
});
