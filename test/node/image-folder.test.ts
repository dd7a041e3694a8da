import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { BadImageError, DataError } from 'ts-gan';
import { loadImageFolder } from 'ts-gan/node';
import { describe, expect, test } from 'vitest';
import { jpegBytes, pngBytes, shapePixels, writeShapesFolder } from '../support/images';

async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'ts-gan-images-'));
}

/** RGBA bytes from a list of [r, g, b, a] pixels. */
function rgba(pixels: number[][]): Uint8Array {
  return Uint8Array.from(pixels.flat());
}

const toBytes = (x: number) => Math.round((x + 1) * 127.5);

describe('loadImageFolder', () => {
  test('loads PNG and JPEG files of several sizes from class subfolders into [n, h, w, c] in [-1, 1]', async () => {
    const dir = await tempDir();
    const files = await writeShapesFolder(dir, 3);
    const data = await loadImageFolder(dir, { size: 8, channels: 3 });
    try {
      expect(data.images.shape).toEqual([6, 8, 8, 3]);
      expect(data.classNames).toEqual(['discs', 'squares']);
      expect([...(data.labels ?? [])]).toEqual([0, 0, 0, 1, 1, 1]);
      expect(data.files).toEqual(files);
      expect(data.skipped).toEqual([]);
      expect(data.cache).toBe('off');
      const values = await data.images.data();
      expect(Math.min(...values)).toBeGreaterThanOrEqual(-1);
      expect(Math.max(...values)).toBeLessThanOrEqual(1);
      // The centre of the first disc (a red PNG) is red, its corner white paper.
      const at = (y: number, x: number) => [...values.subarray((y * 8 + x) * 3, (y * 8 + x) * 3 + 3)].map(toBytes);
      expect(at(4, 4)).toEqual([220, 30, 30]);
      expect(at(0, 0)).toEqual([255, 255, 255]);
    } finally {
      data.images.dispose();
    }
  });

  test('crop keeps the centre, pad keeps everything on white, averaging the pixels each output pixel covers', async () => {
    const dir = await tempDir();
    // 4 x 2: columns black, red, green, blue (opaque); the second row is the same.
    const row = [
      [0, 0, 0, 255],
      [200, 0, 0, 255],
      [0, 100, 0, 255],
      [0, 0, 50, 255],
    ];
    await writeFile(join(dir, 'a.png'), pngBytes(rgba([...row, ...row]), 4, 2));
    const crop = await loadImageFolder(dir, { size: 2, channels: 3 });
    const pad = await loadImageFolder(dir, { size: 2, channels: 3, fit: 'pad' });
    const grey = await loadImageFolder(dir, { size: [1, 2], channels: 1 });
    try {
      expect([...(await crop.images.data())].map(toBytes)).toEqual([200, 0, 0, 0, 100, 0, 200, 0, 0, 0, 100, 0]);
      // Each output pixel covers 2 x 2 source pixels; the top row's upper half and the bottom row's lower half are padding.
      const top = [(0 + 200 + 510) / 4, (0 + 0 + 510) / 4, (0 + 0 + 510) / 4];
      const topRight = [(0 + 0 + 510) / 4, (100 + 0 + 510) / 4, (0 + 50 + 510) / 4];
      const expected = [...top, ...topRight, ...top, ...topRight].map(Math.round);
      expect([...(await pad.images.data())].map(toBytes)).toEqual(expected);
      // [1, 2] from 4 x 2: each output pixel averages a 2 x 2 block, then luminance 0.299 R + 0.587 G + 0.114 B.
      const left = 0.299 * 100;
      const right = 0.587 * 50 + 0.114 * 25;
      expect(grey.images.shape).toEqual([1, 1, 2, 1]);
      expect([...(await grey.images.data())].map(toBytes)).toEqual([Math.round(left), Math.round(right)]);
    } finally {
      for (const d of [crop, pad, grey]) d.images.dispose();
    }
  });

  test('transparent pixels lie on white', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'a.png'), pngBytes(rgba([[0, 0, 0, 0]]), 1, 1));
    await writeFile(join(dir, 'b.png'), pngBytes(rgba([[0, 0, 0, 128]]), 1, 1));
    const data = await loadImageFolder(dir, { size: 1, channels: 1 });
    try {
      expect([...(await data.images.data())].map(toBytes)).toEqual([255, Math.round(255 * (1 - 128 / 255))]);
      expect(data.labels).toBeUndefined();
      expect(data.classNames).toEqual([]);
    } finally {
      data.images.dispose();
    }
  });

  test('bad files are skipped with their reasons, or with onBadFile "throw" a BadImageError names the file', async () => {
    const dir = await tempDir();
    await writeShapesFolder(dir, 2);
    const good = pngBytes(shapePixels('disc', [1, 2, 3], 8, 8), 8, 8);
    const jpeg = jpegBytes(shapePixels('disc', [1, 2, 3], 8, 8), 8, 8);
    await writeFile(join(dir, 'discs', 'truncated.png'), good.subarray(0, good.length - 20));
    await writeFile(join(dir, 'discs', 'truncated.jpg'), jpeg.subarray(0, 30));
    await writeFile(join(dir, 'discs', 'empty.jpeg'), new Uint8Array(0));
    await writeFile(join(dir, 'squares', 'notes.PNG'), 'not a picture');
    await writeFile(join(dir, 'squares', 'readme.txt'), 'ignored: not an image name');
    const data = await loadImageFolder(dir, { size: 4 });
    try {
      expect(data.images.shape[0]).toBe(4);
      expect(data.skipped.map((s) => s.file).sort()).toEqual(
        [
          join('discs', 'empty.jpeg'),
          join('discs', 'truncated.jpg'),
          join('discs', 'truncated.png'),
          join('squares', 'notes.PNG'),
        ].sort(),
      );
      const reasons = Object.fromEntries(data.skipped.map((s) => [s.file, s.reason]));
      expect(reasons[join('discs', 'empty.jpeg')]).toBe('empty file');
      expect(reasons[join('discs', 'truncated.png')]).toMatch(/damaged or truncated PNG/);
      expect(reasons[join('discs', 'truncated.jpg')]).toMatch(/damaged or truncated JPEG/);
      expect(reasons[join('squares', 'notes.PNG')]).toBe('not a PNG or JPEG file');
    } finally {
      data.images.dispose();
    }
    const before = tf.memory().numTensors;
    const thrown = await loadImageFolder(dir, { size: 4, onBadFile: 'throw' }).catch((e: unknown) => e);
    expect(thrown).toBeInstanceOf(BadImageError);
    expect(thrown).toBeInstanceOf(DataError);
    expect((thrown as BadImageError).code).toBe('ERR_GAN_DATA');
    expect((thrown as BadImageError).file).toBe(join(dir, 'discs', 'empty.jpeg'));
    expect((thrown as Error).message).toContain(join(dir, 'discs', 'empty.jpeg'));
    expect(tf.memory().numTensors).toBe(before);
  });

  test('an empty folder, a folder of bad files only, and a missing folder are DataErrors saying what was looked for', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'notes.txt'), 'no pictures here');
    await expect(loadImageFolder(dir, { size: 8 })).rejects.toThrow(
      new DataError(
        `loadImageFolder: no images in ${dir}: looked for .png, .jpg, .jpeg files in it and its subfolders.`,
      ),
    );
    await writeFile(join(dir, 'x.png'), 'nope');
    await expect(loadImageFolder(dir, { size: 8 })).rejects.toThrow(
      /no usable image .* all 1 image files were skipped \(x\.png: not a PNG or JPEG file\)/,
    );
    await expect(loadImageFolder(join(dir, 'missing'), { size: 8 })).rejects.toThrow(
      /cannot read the folder .*missing: it does not exist/,
    );
    await expect(loadImageFolder(join(dir, 'notes.txt'), { size: 8 })).rejects.toThrow(/it is not a folder/);
  });

  test('bad options are DataErrors', async () => {
    const dir = await tempDir();
    await writeShapesFolder(dir, 1);
    for (const [options, pattern] of [
      [{ size: 0 }, /size must be an integer from 1 to 1024/],
      [{ size: [8, 2.5] }, /size must be/],
      [{ size: 8, channels: 2 }, /channels must be 1 or 3, got 2/],
      [{ size: 8, fit: 'stretch' }, /fit must be "crop" or "pad"/],
      [{ size: 8, limit: 0 }, /limit must be a positive integer/],
      [{ size: 8, onBadFile: 'ignore' }, /onBadFile must be "skip" or "throw"/],
      [{ size: 8, labels: 'files' }, /labels must be "auto", "folders" or "none"/],
    ] as const) {
      await expect(loadImageFolder(dir, options as never)).rejects.toThrow(pattern);
    }
    await expect(loadImageFolder(dir, undefined as never)).rejects.toBeInstanceOf(DataError);
  });

  test('labels: images beside the subfolders turn folder labels off (auto), or are skipped (folders); limit keeps the first', async () => {
    const dir = await tempDir();
    await writeShapesFolder(dir, 2);
    await writeFile(join(dir, 'top.png'), pngBytes(shapePixels('disc', [9, 9, 9], 8, 8), 8, 8));
    const auto = await loadImageFolder(dir, { size: 4 });
    const folders = await loadImageFolder(dir, { size: 4, labels: 'folders' });
    const none = await loadImageFolder(join(dir, 'squares'), { size: 4, labels: 'none', limit: 1 });
    try {
      expect(auto.images.shape[0]).toBe(5);
      expect(auto.labels).toBeUndefined();
      expect(folders.images.shape[0]).toBe(4);
      expect(folders.skipped).toEqual([{ file: 'top.png', reason: expect.stringMatching(/not in a class subfolder/) }]);
      expect([...(folders.labels ?? [])]).toEqual([0, 0, 1, 1]);
      expect(none.files).toEqual(['0.png']);
      expect(none.labels).toBeUndefined();
    } finally {
      for (const d of [auto, folders, none]) d.images.dispose();
    }
  });

  test('the cache: written once, read back the same, rebuilt when damaged or when a file changes', async () => {
    const dir = await tempDir();
    const cacheDir = join(await tempDir(), 'cache');
    await writeShapesFolder(dir, 2);
    const first = await loadImageFolder(dir, { size: 8, cacheDir });
    const second = await loadImageFolder(dir, { size: 8, cacheDir });
    try {
      expect(first.cache).toBe('written');
      expect(second.cache).toBe('hit');
      expect(await second.images.data()).toEqual(await first.images.data());
      expect(second.labels).toEqual(first.labels);
      expect(second.classNames).toEqual(first.classNames);
      expect(second.files).toEqual(first.files);
    } finally {
      first.images.dispose();
      second.images.dispose();
    }
    const [name] = await readdir(cacheDir);
    const file = join(cacheDir, name as string);
    const bytes = await readFile(file);
    bytes[bytes.length - 1] = (bytes[bytes.length - 1] as number) ^ 0xff;
    await writeFile(file, bytes);
    const damaged = await loadImageFolder(dir, { size: 8, cacheDir });
    expect(damaged.cache).toBe('written');
    damaged.images.dispose();
    await writeFile(file, bytes.subarray(0, 10));
    const torn = await loadImageFolder(dir, { size: 8, cacheDir });
    expect(torn.cache).toBe('written');
    torn.images.dispose();
    // Other options and another file list are other entries, not hits.
    const grey = await loadImageFolder(dir, { size: 8, channels: 1, cacheDir });
    expect(grey.cache).toBe('written');
    grey.images.dispose();
    await rm(join(dir, 'discs', '0.png'));
    const fewer = await loadImageFolder(dir, { size: 8, cacheDir });
    expect(fewer.cache).toBe('written');
    expect(fewer.images.shape[0]).toBe(3);
    fewer.images.dispose();
    // An unwritable cache folder (a file stands in its way) still loads.
    const blocked = join(dir, 'blocked');
    await writeFile(blocked, '');
    const unwritable = await loadImageFolder(dir, { size: 8, cacheDir: join(blocked, 'sub') });
    expect(unwritable.cache).toBe('unwritable');
    unwritable.images.dispose();
  });

  test('leaks no tensors: one tensor per load, owned by the caller, none on a failure', async () => {
    const dir = await tempDir();
    const cacheDir = join(dir, '.cache');
    await writeShapesFolder(dir, 2);
    await mkdir(join(dir, 'empty'));
    for (const opts of [{ size: 8 }, { size: 8, cacheDir }, { size: 8, cacheDir }]) {
      const before = tf.memory().numTensors;
      const data = await loadImageFolder(dir, opts);
      expect(tf.memory().numTensors).toBe(before + 1);
      data.images.dispose();
      expect(tf.memory().numTensors).toBe(before);
    }
    const before = tf.memory().numTensors;
    await expect(loadImageFolder(join(dir, 'empty'), { size: 8 })).rejects.toBeInstanceOf(DataError);
    expect(tf.memory().numTensors).toBe(before);
  });
});
