/**
 * loadImages in a real browser: generated PNG blobs decoded by the browser, fitted to one size.
 */
import * as tf from '@tensorflow/tfjs-core';
import { BadImageError, DataError, loadImages } from 'ts-gan';
import { expect, test } from 'vitest';

/** A PNG blob `width` x `height`: the left half `left`, the right half `right` (opaque). */
async function pngBlob(width: number, height: number, left: string, right: string): Promise<Blob> {
  const canvas = new OffscreenCanvas(width, height);
  const context = canvas.getContext('2d') as OffscreenCanvasRenderingContext2D;
  context.fillStyle = left;
  context.fillRect(0, 0, width / 2, height);
  context.fillStyle = right;
  context.fillRect(width / 2, 0, width / 2, height);
  return canvas.convertToBlob({ type: 'image/png' });
}

const toBytes = (x: number) => Math.round((x + 1) * 127.5);

test('PNG files of several sizes become [n, h, w, c] in [-1, 1], centre-cropped by the Node loader rules', async () => {
  const wide = new File([await pngBlob(8, 4, 'rgb(200, 0, 0)', 'rgb(0, 0, 100)')], 'wide.png', { type: 'image/png' });
  const square = await pngBlob(4, 4, 'rgb(0, 255, 0)', 'rgb(0, 255, 0)');
  const before = tf.memory().numTensors;
  const data = await loadImages([wide, square], { size: 2 });
  expect(tf.memory().numTensors).toBe(before + 1);
  try {
    expect(data.images.shape).toEqual([2, 2, 2, 3]);
    expect(data.files).toEqual(['wide.png', '#1']);
    expect(data.skipped).toEqual([]);
    const values = [...(await data.images.data())].map(toBytes);
    // wide: crop to the centre 4 x 4, so each output pixel averages 2 x 2 pixels of one half.
    expect(values.slice(0, 12)).toEqual([200, 0, 0, 0, 0, 100, 200, 0, 0, 0, 0, 100]);
    expect(values.slice(12)).toEqual([0, 255, 0, 0, 255, 0, 0, 255, 0, 0, 255, 0]);
  } finally {
    data.images.dispose();
  }
  expect(tf.memory().numTensors).toBe(before);

  const grey = await loadImages([await createImageBitmap(square)], { size: [1, 1], channels: 1 });
  expect([...(await grey.images.data())].map(toBytes)).toEqual([Math.round(0.587 * 255)]);
  grey.images.dispose();
  expect(tf.memory().numTensors).toBe(before);
});

test('a file that is no picture is skipped with its reason, or throws a BadImageError naming it', async () => {
  const good = await pngBlob(4, 4, 'white', 'black');
  const bad = new File(['not a picture'], 'notes.png', { type: 'image/png' });
  const empty = new File([], 'empty.jpg');
  const before = tf.memory().numTensors;
  const data = await loadImages([bad, good, empty], { size: 4 });
  expect(data.images.shape).toEqual([1, 4, 4, 3]);
  expect(data.skipped).toEqual([
    { file: 'notes.png', reason: expect.stringMatching(/not a picture this browser can decode/) },
    { file: 'empty.jpg', reason: 'empty file' },
  ]);
  data.images.dispose();
  const thrown = await loadImages([good, bad], { size: 4, onBadFile: 'throw' }).catch((e: unknown) => e);
  expect(thrown).toBeInstanceOf(BadImageError);
  expect((thrown as BadImageError).file).toBe('notes.png');
  await expect(loadImages([bad], { size: 4 })).rejects.toThrow(/none of the 1 pictures could be decoded \(notes\.png/);
  await expect(loadImages([], { size: 4 })).rejects.toBeInstanceOf(DataError);
  await expect(loadImages([good], { size: 4, channels: 2 as never })).rejects.toThrow(/channels must be 1 or 3/);
  expect(tf.memory().numTensors).toBe(before);
});
