/**
 * Gathers the files a person drops or picks: many files, or whole folders (walked recursively
 * through `DataTransferItem.webkitGetAsEntry()`), then tells pictures from everything else by type
 * and extension. No decoding here: that happens in ./decode-worker.ts.
 */

/** Extensions browsers decode as pictures (SVG is left out: it has no pixel size of its own). */
const PICTURE_EXTENSIONS = ['png', 'jpg', 'jpeg', 'gif', 'webp', 'bmp', 'avif', 'ico'];

/** The parts of the File and Directory Entries API the walk uses (so that tests can fake them). */
export interface EntryLike {
  readonly isFile: boolean;
  readonly isDirectory: boolean;
  readonly name: string;
  readonly fullPath: string;
  file?(success: (file: File) => void, failure?: (err: unknown) => void): void;
  createReader?(): {
    readEntries(success: (entries: EntryLike[]) => void, failure?: (err: unknown) => void): void;
  };
}

/** A file and where it was found (its path inside a dropped folder, else its name). */
export interface FoundFile {
  file: File;
  path: string;
}

/**
 * Every file of a drop: the dropped files themselves and the files of dropped folders, at any
 * depth, sorted by path. A synthetic drop (or a browser without entries) gives no entries: then
 * the plain `files` list is used.
 */
export async function filesFromDrop(data: Pick<DataTransfer, 'items' | 'files'>): Promise<FoundFile[]> {
  // Entries must be taken synchronously, before the first await: the drop's data store closes then.
  const entries: EntryLike[] = [];
  for (const item of Array.from(data.items ?? [])) {
    if (item.kind !== 'file') continue;
    const entry = (item.webkitGetAsEntry?.() ?? null) as EntryLike | null;
    if (entry) entries.push(entry);
  }
  const plain = Array.from(data.files ?? []);
  if (entries.length === 0) return sortByPath(plain.map((file) => ({ file, path: file.name })));
  return sortByPath(await filesFromEntries(entries));
}

/** The files of a picker's FileList; from a folder picker (`webkitdirectory`), with their relative paths. */
export function filesFromInput(files: FileList | readonly File[]): FoundFile[] {
  return sortByPath(Array.from(files, (file) => ({ file, path: file.webkitRelativePath || file.name })));
}

/** The files under `entries`, folders walked depth-first; an unreadable entry is left out. */
export async function filesFromEntries(entries: readonly EntryLike[]): Promise<FoundFile[]> {
  const found: FoundFile[] = [];
  for (const entry of entries) {
    if (entry.isFile && entry.file) {
      const file = await new Promise<File | null>((resolve) => entry.file?.(resolve, () => resolve(null)));
      if (file) found.push({ file, path: entry.fullPath.replace(/^\//, '') || file.name });
    } else if (entry.isDirectory && entry.createReader) {
      found.push(...(await filesFromEntries(await readAll(entry))));
    }
  }
  return found;
}

/** All entries of a folder: `readEntries` returns them in batches (100 in Chromium) until an empty one. */
async function readAll(folder: EntryLike): Promise<EntryLike[]> {
  const reader = folder.createReader?.();
  if (!reader) return [];
  const all: EntryLike[] = [];
  for (;;) {
    const batch = await new Promise<EntryLike[]>((resolve) => reader.readEntries(resolve, () => resolve([])));
    if (batch.length === 0) return all;
    all.push(...batch);
  }
}

/** Whether a file looks like a picture: an `image/*` type, or a picture's extension when the type is empty. */
export function isPicture(file: { name: string; type: string }): boolean {
  if (file.type) return file.type.startsWith('image/') && file.type !== 'image/svg+xml';
  const ext = /\.([^./]+)$/.exec(file.name)?.[1]?.toLowerCase() ?? '';
  return PICTURE_EXTENSIONS.includes(ext);
}

/** Splits found files into pictures and the rest (text files, `.DS_Store`, videos...). */
export function splitPictures(found: readonly FoundFile[]): { pictures: FoundFile[]; others: FoundFile[] } {
  const pictures: FoundFile[] = [];
  const others: FoundFile[] = [];
  for (const f of found) (isPicture(f.file) ? pictures : others).push(f);
  return { pictures, others };
}

function sortByPath(found: FoundFile[]): FoundFile[] {
  return found.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
