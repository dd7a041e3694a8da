/**
 * The cache of {@link loadImageFolder}: the fitted bytes of a folder, in one file per folder and
 * options, so that a second run skips the decoding. The file's name is a hash of the folder's path,
 * every image's path, size and modification time, and the options; a file that does not read back
 * whole (wrong magic, length or checksum, another key) is ignored and written anew.
 *
 * @packageDocumentation
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from '../io/crc32.js';
import { replaceFile } from './atomic-folder.js';

/** The first bytes of a cache file; the digit is the format's version. */
const MAGIC = 'TSGANIMG1';
/** Bytes of the little-endian header length that follows the magic. */
const LENGTH_BYTES = 4;

/** What a cache file holds besides the pixels. */
export interface CachedHeader {
  key: string;
  shape: [number, number, number, number];
  classNames: string[];
  labels: number[] | null;
  files: string[];
  skipped: { file: string; reason: string }[];
  crc: string;
}

/** The cache's key: a hash of everything the fitted bytes depend on. */
export function cacheKey(
  dir: string,
  listing: readonly (readonly [string, number, number])[],
  options: object,
): string {
  return createHash('sha256')
    .update(JSON.stringify({ format: MAGIC, dir, listing, options }))
    .digest('hex');
}

/** The cache file of a key in `cacheDir`. */
export function cacheFile(cacheDir: string, key: string): string {
  return join(cacheDir, `images-${key.slice(0, 32)}.bin`);
}

/** Reads a cache file; undefined when it is missing, torn, damaged or holds another key. */
export async function readCache(
  file: string,
  key: string,
): Promise<{ header: CachedHeader; bytes: Uint8Array } | undefined> {
  let data: Uint8Array;
  try {
    data = await readFile(file);
  } catch {
    return undefined;
  }
  try {
    const magic = new TextDecoder().decode(data.subarray(0, MAGIC.length));
    if (magic !== MAGIC) return undefined;
    const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
    const headerLength = view.getUint32(MAGIC.length, true);
    const start = MAGIC.length + LENGTH_BYTES;
    const header = JSON.parse(new TextDecoder().decode(data.subarray(start, start + headerLength))) as CachedHeader;
    const bytes = data.subarray(start + headerLength);
    const expected = header.shape.reduce((a, b) => a * b, 1);
    if (header.key !== key || bytes.length !== expected || crc32(bytes) !== header.crc) return undefined;
    return { header, bytes };
  } catch {
    return undefined;
  }
}

/** Writes a cache file atomically (a temporary sibling renamed over it). */
export async function writeCache(
  file: string,
  cacheDir: string,
  header: Omit<CachedHeader, 'crc'>,
  bytes: Uint8Array,
): Promise<void> {
  await mkdir(cacheDir, { recursive: true });
  const json = new TextEncoder().encode(JSON.stringify({ ...header, crc: crc32(bytes) }));
  const out = new Uint8Array(MAGIC.length + LENGTH_BYTES + json.length + bytes.length);
  out.set(new TextEncoder().encode(MAGIC), 0);
  new DataView(out.buffer).setUint32(MAGIC.length, json.length, true);
  out.set(json, MAGIC.length + LENGTH_BYTES);
  out.set(bytes, MAGIC.length + LENGTH_BYTES + json.length);
  await replaceFile(file, out);
}
