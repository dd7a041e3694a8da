/**
 * A reader for the IDX format, the format MNIST ships in: a magic number (two zero bytes, a type
 * code, the number of dimensions), each dimension as a big-endian uint32, then the values in
 * big-endian, row-major order. Browser-safe: it works on bytes, never on files.
 *
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { DataError } from '../errors.js';

/**
 * The value types an IDX file can hold, by their names in the format's description.
 * @category Data
 */
export type IdxDataType = 'uint8' | 'int8' | 'int16' | 'int32' | 'float32' | 'float64';

/**
 * A parsed IDX file.
 * @category Data
 */
export interface IdxArray {
  /** The type code of the file. */
  readonly dtype: IdxDataType;
  /** The dimensions, for example `[60000, 28, 28]` for MNIST's training images. */
  readonly shape: readonly number[];
  /** The values in row-major order, in native byte order. */
  readonly data: Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;
}

/**
 * Options of {@link idxImagesToTensor}.
 * @category Data
 */
export interface IdxImageOptions {
  /** Keep only the first `limit` images. Default: all. */
  limit?: number;
  /** Names the file in error messages, for example its path. */
  source?: string;
}

/** How far past [-1, 1] a float image may stray (float32 rounding of a tanh output). */
const FLOAT_SLACK = 1e-6;

/** IDX type codes (third byte of the magic number) and their element sizes. */
const TYPES: Record<number, { dtype: IdxDataType; bytes: number }> = {
  8: { dtype: 'uint8', bytes: 1 },
  9: { dtype: 'int8', bytes: 1 },
  11: { dtype: 'int16', bytes: 2 },
  12: { dtype: 'int32', bytes: 4 },
  13: { dtype: 'float32', bytes: 4 },
  14: { dtype: 'float64', bytes: 8 },
};

/** The first two bytes of every gzip stream (RFC 1952). */
const GZIP_MAGIC = [0x1f, 0x8b] as const;

/** Half of the largest byte value: `x / 127.5 - 1` maps 0..255 onto [-1, 1], the range of a tanh generator. */
const HALF_BYTE = 127.5;

/**
 * Whether `bytes` start like a gzip stream (`.gz` files as MNIST's original site ships them).
 * @param bytes - file contents.
 * @returns true for the gzip magic number.
 * @category Data
 */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === GZIP_MAGIC[0] && bytes[1] === GZIP_MAGIC[1];
}

/**
 * Parses the bytes of an IDX file.
 *
 * @param bytes - the whole file, already decompressed (see {@link decodeIdx} for gzipped bytes).
 * @param source - names the file in error messages, for example its path.
 * @returns the type, shape and values.
 * @throws {@link DataError} naming what is wrong: gzipped input, a bad magic number, an unknown
 *   type code, a header or data shorter than the dimensions say, or extra bytes at the end.
 * @example
 * ```ts
 * const { shape, data } = parseIdx(bytes, 'train-images-idx3-ubyte'); // shape [60000, 28, 28]
 * ```
 * @category Data
 */
export function parseIdx(bytes: Uint8Array, source = 'IDX data'): IdxArray {
  if (!(bytes instanceof Uint8Array)) {
    throw new DataError(`parseIdx: ${source} must be a Uint8Array of the file's bytes, got ${typeof bytes}.`);
  }
  if (isGzip(bytes)) {
    throw new DataError(
      `parseIdx: ${source} is gzipped; decompress it first (decodeIdx does, and so does readIdxFile from 'ts-gan/node').`,
    );
  }
  if (bytes.length < 4) {
    throw new DataError(
      `parseIdx: ${source} is truncated: ${bytes.length} bytes, shorter than the 4-byte magic number.`,
    );
  }
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    throw new DataError(
      `parseIdx: ${source} is not an IDX file: its magic number starts with 0x${hex(bytes[0])} 0x${hex(bytes[1])}, ` +
        'expected 0x00 0x00.',
    );
  }
  const type = TYPES[bytes[2] as number];
  if (!type) {
    throw new DataError(
      `parseIdx: ${source} has unknown type code 0x${hex(bytes[2])}; expected one of ` +
        `${Object.keys(TYPES)
          .map((k) => `0x${hex(Number(k))}`)
          .join(', ')}.`,
    );
  }
  const rank = bytes[3] as number;
  if (rank === 0) throw new DataError(`parseIdx: ${source} declares 0 dimensions; an IDX file has at least one.`);
  const headerLength = 4 + 4 * rank;
  if (bytes.length < headerLength) {
    throw new DataError(
      `parseIdx: ${source} is truncated: its header declares ${rank} dimensions (${headerLength} bytes), ` +
        `but the file has ${bytes.length} bytes.`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shape: number[] = [];
  for (let i = 0; i < rank; i++) shape.push(view.getUint32(4 + 4 * i, false));
  const count = shape.reduce((a, b) => a * b, 1);
  const expected = headerLength + count * type.bytes;
  if (bytes.length < expected) {
    throw new DataError(
      `parseIdx: ${source} is truncated: shape [${shape.join(', ')}] of ${type.dtype} needs ${expected} bytes, ` +
        `the file has ${bytes.length}. Download or copy it again.`,
    );
  }
  if (bytes.length > expected) {
    throw new DataError(
      `parseIdx: ${source} has ${bytes.length - expected} bytes after the ${expected} that shape ` +
        `[${shape.join(', ')}] of ${type.dtype} needs; it is not a well-formed IDX file.`,
    );
  }
  return { dtype: type.dtype, shape: Object.freeze(shape), data: readValues(view, headerLength, count, type.dtype) };
}

/**
 * Decompresses `bytes` when they are gzipped (with the platform's `DecompressionStream`, present
 * in browsers and Node 18+), then parses them with {@link parseIdx}.
 *
 * @param bytes - the file, plain or gzipped.
 * @param source - names the file in error messages.
 * @returns the parsed file.
 * @throws {@link DataError} for a corrupt gzip stream or any problem {@link parseIdx} reports.
 * @category Data
 */
export async function decodeIdx(bytes: Uint8Array, source = 'IDX data'): Promise<IdxArray> {
  if (!isGzip(bytes)) return parseIdx(bytes, source);
  if (typeof DecompressionStream !== 'function') {
    throw new DataError(
      `decodeIdx: ${source} is gzipped and this platform has no DecompressionStream; decompress it first.`,
    );
  }
  let plain: Uint8Array;
  try {
    const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DecompressionStream('gzip'));
    plain = new Uint8Array(await new Response(stream).arrayBuffer());
  } catch (err) {
    throw new DataError(`decodeIdx: ${source} is not a valid gzip stream (${(err as Error).message}).`, { cause: err });
  }
  return parseIdx(plain, `${source} (gunzipped)`);
}

/**
 * Turns parsed IDX images (shape `[n, height, width]`) into a float32 tensor `[n, height, width, 1]`
 * in [-1, 1], the range of a tanh generator. `uint8` images are scaled from 0..255; `float32` and
 * `float64` images (samples another program wrote, for example PyTorch's) are taken as they are and
 * must already lie in [-1, 1].
 *
 * @param images - from {@link parseIdx}.
 * @param options - `limit` keeps the first images only.
 * @returns a tensor the caller owns.
 * @throws {@link DataError} when the array is not 3-dimensional uint8 or float, holds no images, a
 *   float value lies outside [-1, 1], or `limit` is invalid.
 * @example
 * ```ts
 * const x = idxImagesToTensor(parseIdx(bytes), { limit: 1000 }); // [1000, 28, 28, 1]
 * ```
 * @category Data
 */
export function idxImagesToTensor(images: IdxArray, options: IdxImageOptions = {}): tf.Tensor4D {
  const float = images.dtype === 'float32' || images.dtype === 'float64';
  if ((images.dtype !== 'uint8' && !float) || images.shape.length !== 3) {
    throw new DataError(
      `idxImagesToTensor: images must be uint8 or float with shape [n, height, width] (an idx3 file), ` +
        `got ${images.dtype} [${images.shape.join(', ')}].`,
    );
  }
  const [total, height, width] = images.shape as [number, number, number];
  if (total === 0) {
    throw new DataError(
      `idxImagesToTensor: ${options.source ?? 'the IDX file'} holds no images (shape [${images.shape.join(', ')}]); ` +
        'give a file with at least one image.',
    );
  }
  const limit = options.limit ?? total;
  if (!Number.isInteger(limit) || limit < 1) {
    throw new DataError(`idxImagesToTensor: limit must be a positive integer, got ${String(options.limit)}.`);
  }
  const n = Math.min(limit, total);
  const size = n * height * width;
  const scaled = new Float32Array(size);
  const src = images.data;
  if (float) {
    for (let i = 0; i < size; i++) {
      const value = src[i] as number;
      // NaN fails both comparisons, so test for the good range rather than the bad one.
      if (!(value >= -1 - FLOAT_SLACK && value <= 1 + FLOAT_SLACK)) {
        throw new DataError(
          `idxImagesToTensor: float images must lie in [-1, 1] (a tanh generator's range), but value ${i} ` +
            `(image ${Math.floor(i / (height * width))}) is ${value}; rescale them before writing the file.`,
        );
      }
      scaled[i] = value;
    }
  } else {
    for (let i = 0; i < size; i++) scaled[i] = (src[i] as number) / HALF_BYTE - 1;
  }
  return tf.tensor4d(scaled, [n, height, width, 1]);
}

function readValues(view: DataView, offset: number, count: number, dtype: IdxDataType): IdxArray['data'] {
  const start = view.byteOffset + offset;
  switch (dtype) {
    case 'uint8':
      return new Uint8Array(view.buffer.slice(start, start + count));
    case 'int8':
      return new Int8Array(view.buffer.slice(start, start + count));
    case 'int16': {
      const out = new Int16Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getInt16(offset + 2 * i, false);
      return out;
    }
    case 'int32': {
      const out = new Int32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getInt32(offset + 4 * i, false);
      return out;
    }
    case 'float32': {
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat32(offset + 4 * i, false);
      return out;
    }
    case 'float64': {
      const out = new Float64Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat64(offset + 8 * i, false);
      return out;
    }
  }
}

function hex(byte: number | undefined): string {
  return (byte ?? 0).toString(16).padStart(2, '0');
}
