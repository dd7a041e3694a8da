/**
 * The files of an image folder: which files are pictures, their classes, and their decoding (PNG
 * with pngjs, JPEG with jpeg-js, told apart by content), shared by the loader and the stream.
 *
 * @packageDocumentation
 */
import { readdir } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import { decode as decodeJpeg } from 'jpeg-js';
import { PNG } from 'pngjs';
import type { RgbaPicture } from '../data/image-fit.js';
import { DataError } from '../errors.js';

/** The extensions the loader reads (case-insensitive); other files are not looked at. */
const EXTENSIONS = ['.png', '.jpg', '.jpeg'] as const;
const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47] as const;
const JPEG_MAGIC = [0xff, 0xd8, 0xff] as const;
/** jpeg-js refuses pictures beyond these, instead of exhausting memory on a hostile file. */
const JPEG_LIMITS = { maxResolutionInMP: 200, maxMemoryUsageInMB: 2048 } as const;
/** How labels come from a folder (see {@link LoadImageFolderOptions.labels}). */
export type FolderLabels = 'auto' | 'folders' | 'none';

/** The pictures of a folder, and whether their subfolders are their classes. */
export interface FolderPlan {
  root: string;
  /** Relative paths, sorted. */
  paths: string[];
  byFolder: boolean;
}

/**
 * Checks the options every folder reader shares.
 * @throws DataError naming the bad option.
 */
export function checkFolderOptions(fn: string, options: { onBadFile?: unknown; labels?: unknown }): void {
  const { onBadFile = 'skip', labels = 'auto' } = options;
  if (onBadFile !== 'skip' && onBadFile !== 'throw') {
    throw new DataError(`${fn}: onBadFile must be "skip" or "throw", got ${JSON.stringify(onBadFile)}.`);
  }
  if (labels !== 'auto' && labels !== 'folders' && labels !== 'none') {
    throw new DataError(`${fn}: labels must be "auto", "folders" or "none", got ${JSON.stringify(labels)}.`);
  }
}

/**
 * Lists the pictures of a folder and decides where labels come from.
 * @throws DataError when the folder cannot be read or holds no picture.
 */
export async function planFolder(fn: string, dir: string, labels: FolderLabels): Promise<FolderPlan> {
  const root = resolve(dir);
  const paths = await listImages(fn, root);
  if (paths.length === 0) {
    throw new DataError(
      `${fn}: no images in ${root}: looked for ${EXTENSIONS.join(', ')} files in it and its subfolders.`,
    );
  }
  const inFolders = paths.every((p) => p.includes(sep));
  return { root, paths, byFolder: labels === 'folders' || (labels === 'auto' && inFolders) };
}

/** The class of a relative path: its first folder. */
export function classOf(file: string): string {
  return file.split(sep)[0] as string;
}

/**
 * Decodes a PNG or JPEG file (told apart by its first bytes, not its name) to RGBA.
 * @throws Error with a short reason for anything else, or a damaged file.
 */
export function decodePicture(bytes: Uint8Array): RgbaPicture {
  const starts = (magic: readonly number[]) => magic.every((b, i) => bytes[i] === b);
  if (bytes.length === 0) throw new Error('empty file');
  if (starts(PNG_MAGIC)) {
    let png: PNG;
    try {
      png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    } catch (err) {
      throw new Error(`damaged or truncated PNG (${(err as Error).message})`);
    }
    return { width: png.width, height: png.height, data: png.data };
  }
  if (starts(JPEG_MAGIC)) {
    let jpeg: RgbaPicture;
    try {
      jpeg = decodeJpeg(bytes, { useTArray: true, formatAsRGBA: true, tolerantDecoding: false, ...JPEG_LIMITS });
    } catch (err) {
      throw new Error(`damaged or truncated JPEG (${(err as Error).message})`);
    }
    if (jpeg.width < 1 || jpeg.height < 1) throw new Error('JPEG without pixels');
    return jpeg;
  }
  throw new Error('not a PNG or JPEG file');
}

/** Image files under `root`, relative to it, sorted by path (hidden entries are left out). */
async function listImages(fn: string, root: string): Promise<string[]> {
  let entries: import('node:fs').Dirent[];
  try {
    entries = await readdir(root, { withFileTypes: true, recursive: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT' ? 'it does not exist' : code === 'ENOTDIR' ? 'it is not a folder' : (err as Error).message;
    throw new DataError(`${fn}: cannot read the folder ${root}: ${why}.`, { cause: err });
  }
  const files: string[] = [];
  for (const e of entries) {
    if (!e.isFile()) continue;
    const rel = relative(root, join(e.parentPath ?? (e as unknown as { path: string }).path, e.name));
    if (rel.split(sep).some((part) => part.startsWith('.'))) continue;
    const lower = e.name.toLowerCase();
    if (EXTENSIONS.some((x) => lower.endsWith(x))) files.push(rel);
  }
  return files.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
