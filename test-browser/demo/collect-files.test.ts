/**
 * How the demo gathers dropped files (examples/browser/src/collect-files.ts): folders are walked at
 * any depth through the File and Directory Entries API, in all of `readEntries`' batches; pictures
 * are told from other files by type and extension. Entries are faked here: a synthetic drop in a
 * browser carries files but no entries (the browser test covers that path).
 */
import { describe, expect, test } from 'vitest';
import {
  type EntryLike,
  filesFromDrop,
  filesFromEntries,
  filesFromInput,
  isPicture,
  splitPictures,
} from '../../examples/browser/src/collect-files';

const file = (name: string, type = '') => new File(['x'], name, { type });

function fileEntry(path: string, type = 'image/png'): EntryLike {
  const name = path.split('/').at(-1) as string;
  return { isFile: true, isDirectory: false, name, fullPath: `/${path}`, file: (ok) => ok(file(name, type)) };
}

/** A folder whose reader hands out its entries two at a time, then an empty batch (as browsers do, by 100). */
function folderEntry(path: string, children: EntryLike[]): EntryLike {
  return {
    isFile: false,
    isDirectory: true,
    name: path.split('/').at(-1) as string,
    fullPath: `/${path}`,
    createReader: () => {
      let next = 0;
      return {
        readEntries: (ok) => {
          ok(children.slice(next, next + 2));
          next += 2;
        },
      };
    },
  };
}

describe('collecting dropped files', () => {
  test('a dropped folder is walked at any depth, across readEntries batches, sorted by path', async () => {
    const broken: EntryLike = {
      isFile: true,
      isDirectory: false,
      name: 'gone.png',
      fullPath: '/pics/gone.png',
      file: (_ok, fail) => fail?.(new Error('NotFoundError')),
    };
    const tree = folderEntry('pics', [
      fileEntry('pics/b.png'),
      folderEntry('pics/cats', [
        fileEntry('pics/cats/c1.jpg', 'image/jpeg'),
        fileEntry('pics/cats/c2.jpg', 'image/jpeg'),
      ]),
      fileEntry('pics/a.png'),
      broken,
      folderEntry('pics/empty', []),
      fileEntry('pics/notes.txt', 'text/plain'),
    ]);
    const found = await filesFromEntries([tree, fileEntry('z.webp', 'image/webp')]);
    expect(found.map((f) => f.path)).toEqual([
      'pics/b.png',
      'pics/cats/c1.jpg',
      'pics/cats/c2.jpg',
      'pics/a.png',
      'pics/notes.txt',
      'z.webp',
    ]);

    const items = [tree].map((entry) => ({ kind: 'file', webkitGetAsEntry: () => entry }));
    const dropped = await filesFromDrop({ items, files: [] } as unknown as DataTransfer);
    expect(dropped.map((f) => f.path)).toEqual([
      'pics/a.png',
      'pics/b.png',
      'pics/cats/c1.jpg',
      'pics/cats/c2.jpg',
      'pics/notes.txt',
    ]);
  });

  test('a drop without entries (a synthetic one) falls back to its files; a picker keeps folder paths', async () => {
    const files = [file('b.png', 'image/png'), file('a.png', 'image/png')];
    const items = files.map(() => ({ kind: 'file', webkitGetAsEntry: () => null }));
    const dropped = await filesFromDrop({ items, files } as unknown as DataTransfer);
    expect(dropped.map((f) => f.path)).toEqual(['a.png', 'b.png']);

    const inFolder = file('x.png', 'image/png');
    Object.defineProperty(inFolder, 'webkitRelativePath', { value: 'holiday/x.png' });
    expect(filesFromInput([file('y.png'), inFolder]).map((f) => f.path)).toEqual(['holiday/x.png', 'y.png']);
  });

  test('pictures are told from other files by type, or by extension when the type is empty', () => {
    expect(isPicture(file('a.png', 'image/png'))).toBe(true);
    expect(isPicture(file('a.JPG'))).toBe(true);
    expect(isPicture(file('scan.webp'))).toBe(true);
    expect(isPicture(file('drawing.svg', 'image/svg+xml'))).toBe(false);
    expect(isPicture(file('.DS_Store'))).toBe(false);
    expect(isPicture(file('clip.mp4', 'video/mp4'))).toBe(false);
    expect(isPicture(file('notes.png.txt', 'text/plain'))).toBe(false);
    const { pictures, others } = splitPictures(
      ['a.png', 'Thumbs.db', 'b.jpeg', 'c.txt'].map((name) => ({ file: file(name), path: name })),
    );
    expect(pictures.map((f) => f.path)).toEqual(['a.png', 'b.jpeg']);
    expect(others.map((f) => f.path)).toEqual(['Thumbs.db', 'c.txt']);
  });
});
