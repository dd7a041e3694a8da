/**
 * scripts/twemoji.ts without the network: a small fake of the package's tarball, built here with
 * the system's tar, stands in for `npm pack`; the failed download runs the real npm against a
 * registry address where nothing listens.
 */
import { execFileSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fetchTwemoji, npmPack, TWEMOJI_SPEC, TWEMOJI_TARBALL } from '../../scripts/twemoji.js';

let work: string;
beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), 'ts-gan-twemoji-'));
});
afterEach(() => {
  rmSync(work, { recursive: true, force: true });
});

/** A tarball laid out as the package's: `package/` with the 64 px images, other sizes and files beside them. */
function fakeTarball(files: Record<string, string>): string {
  const root = join(work, 'src');
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  const tarball = join(work, 'fake.tgz');
  execFileSync('tar', ['-czf', tarball, '-C', root, 'package']);
  return tarball;
}

const PACKAGE_FILES = {
  'package/package.json': '{}',
  'package/img/twitter/64/1f600.png': 'grinning',
  'package/img/twitter/64/2764-fe0f.png': 'heart',
  'package/img/twitter/sheets/32.png': 'a sheet',
  'package/img/twitter/sheets-128/64.png': 'another sheet',
};

/** A packer that copies the fake tarball where npm would write it, and counts its calls. */
function fakePacker(tarball: string) {
  const calls: string[] = [];
  const pack = (spec: string, destination: string) => {
    calls.push(spec);
    const out = join(destination, TWEMOJI_TARBALL);
    copyFileSync(tarball, out);
    return out;
  };
  return { pack, calls };
}

describe('fetchTwemoji', () => {
  it('extracts only the 64 px images, flat, writes the credit and removes the tarball', () => {
    const { pack, calls } = fakePacker(fakeTarball(PACKAGE_FILES));
    const dir = join(work, 'data', 'twemoji');
    const result = fetchTwemoji({ dir, pack });
    expect(calls).toEqual([TWEMOJI_SPEC]);
    expect(result).toEqual({ imagesDir: join(dir, '64'), count: 2, fetched: true });
    expect(readdirSync(join(dir, '64')).sort()).toEqual(['1f600.png', '2764-fe0f.png']);
    expect(readFileSync(join(dir, '64', '2764-fe0f.png'), 'utf8')).toBe('heart');
    expect(readdirSync(dir).sort()).toEqual(['64', 'CREDIT.txt']);
    expect(readFileSync(join(dir, 'CREDIT.txt'), 'utf8')).toMatch(
      /Twemoji graphics by Twitter, Inc and other contributors.*CC-BY 4\.0/,
    );
  });

  it('does nothing on a second run', () => {
    const { pack, calls } = fakePacker(fakeTarball(PACKAGE_FILES));
    const dir = join(work, 'twemoji');
    fetchTwemoji({ dir, pack });
    const again = fetchTwemoji({ dir, pack });
    expect(calls).toHaveLength(1);
    expect(again).toEqual({ imagesDir: join(dir, '64'), count: 2, fetched: false });
  });

  it('reuses a tarball already in the folder instead of downloading it', () => {
    const { pack, calls } = fakePacker(fakeTarball(PACKAGE_FILES));
    const dir = join(work, 'twemoji');
    mkdirSync(dir);
    copyFileSync(join(work, 'fake.tgz'), join(dir, TWEMOJI_TARBALL));
    expect(fetchTwemoji({ dir, pack }).count).toBe(2);
    expect(calls).toHaveLength(0);
  });

  it('leaves no image folder after a failed extraction, so the next run starts again', () => {
    const dir = join(work, 'twemoji');
    const broken = join(work, 'broken.tgz');
    writeFileSync(broken, 'not a gzip file');
    const brokenPack = (_spec: string, destination: string) => {
      copyFileSync(broken, join(destination, TWEMOJI_TARBALL));
      return join(destination, TWEMOJI_TARBALL);
    };
    expect(() => fetchTwemoji({ dir, pack: brokenPack })).toThrow(/tar could not extract package\/img\/twitter\/64/);
    expect(existsSync(join(dir, '64'))).toBe(false);
    expect(readdirSync(dir).filter((f) => f.includes('partial'))).toEqual([]);

    // The broken tarball is still there and would be reused: a good one takes its place.
    copyFileSync(fakeTarball(PACKAGE_FILES), join(dir, TWEMOJI_TARBALL));
    expect(fetchTwemoji({ dir }).count).toBe(2);
  });

  it('says so when the tarball has no 64 px images', () => {
    const { pack } = fakePacker(fakeTarball({ 'package/package.json': '{}', 'package/img/twitter/32/a.png': 'x' }));
    expect(() => fetchTwemoji({ dir: join(work, 'twemoji'), pack })).toThrow(/package\/img\/twitter\/64/);
    expect(existsSync(join(work, 'twemoji', '64'))).toBe(false);
  });
});

describe('npmPack', () => {
  it('names the package and the registry when the registry cannot be reached', () => {
    const saved = { ...process.env };
    // A closed local port: the connection is refused at once. A fresh npm cache, so nothing is
    // served from an earlier download; no retries, so the failure comes quickly.
    Object.assign(process.env, {
      npm_config_registry: 'http://127.0.0.1:9/',
      npm_config_cache: join(work, 'npm-cache'),
      npm_config_fetch_retries: '0',
    });
    try {
      expect(() => npmPack(TWEMOJI_SPEC, work)).toThrow(
        /could not download emoji-datasource-twitter@16\.0\.0 from http:\/\/127\.0\.0\.1:9\/: npm error code ECONNREFUSED[\s\S]*Check the network/,
      );
    } finally {
      process.env = saved;
    }
    expect(readdirSync(work).filter((f) => f.endsWith('.tgz'))).toEqual([]);
  });
});
