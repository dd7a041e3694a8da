/**
 * A hostile checkpoint's world for test/io/untrusted.test.ts: a folder `www/` holding a real
 * checkpoint under `case/`, decoys outside it (`secret.bin`, `elsewhere/file.bin`, byte copies of
 * the generator's weights, so that following a path out of the folder would even load), a naive
 * static web server over `www/` that records every request, spies that record every file read
 * and every fetch, and fast-check arbitraries for weight manifests.
 */

import * as fs from 'node:fs';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { vi } from 'vitest';

export const www = realpathSync(mkdtempSync(path.join(tmpdir(), 'ts-gan-untrusted-')));
export const caseDir = path.join(www, 'case');
export const goodDir = path.join(www, 'good');
export const SECRET = path.join(www, 'secret.bin');
export const ELSEWHERE = path.join(www, 'elsewhere', 'file.bin');

/** The JSON files of a checkpoint that name weight files. */
export const MODEL_FILES = ['generator/model.json', 'discriminator/model.json', 'checkpoint.json'] as const;
export type ModelFile = (typeof MODEL_FILES)[number];

/** Places the decoys once `good/` holds a checkpoint. */
export function placeDecoys(): void {
  const bytes = readFileSync(path.join(goodDir, 'generator', 'weights.bin'));
  mkdirSync(path.dirname(ELSEWHERE), { recursive: true });
  writeFileSync(SECRET, bytes);
  writeFileSync(ELSEWHERE, bytes);
}

/** `case/` as a fresh copy of `good/`, with `file`'s weightsManifest replaced by `manifest`. */
export function writeCase(file: ModelFile, manifest: unknown): void {
  rmSync(caseDir, { recursive: true, force: true });
  cpSync(goodDir, caseDir, { recursive: true });
  const jsonPath = path.join(caseDir, file);
  const json = JSON.parse(readFileSync(jsonPath, 'utf8')) as Record<string, unknown>;
  json.weightsManifest = manifest;
  writeFileSync(jsonPath, JSON.stringify(json));
}

/** The weightsManifest `good/` has in `file`. */
export function goodManifest(file: ModelFile): { paths: string[]; weights: Record<string, unknown>[] }[] {
  return JSON.parse(readFileSync(path.join(goodDir, file), 'utf8')).weightsManifest;
}

/** Records the paths passed to fs.promises.readFile and fs.promises.open while `run` runs. */
export async function recordReads<T>(
  run: () => Promise<T>,
): Promise<{ result: T | undefined; error: unknown; reads: string[] }> {
  const readFile = vi.spyOn(fs.promises, 'readFile');
  const open = vi.spyOn(fs.promises, 'open');
  try {
    const out = await run().then(
      (result) => ({ result, error: undefined }),
      (error: unknown) => ({ result: undefined, error }),
    );
    const reads = [...readFile.mock.calls, ...open.mock.calls].map((c) => path.resolve(String(c[0])));
    return { ...out, reads };
  } finally {
    readFile.mockRestore();
    open.mockRestore();
  }
}

/** Whether `p` is `dir` or inside it. */
export function inside(dir: string, p: string): boolean {
  const rel = path.relative(dir, p);
  return rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel);
}

/**
 * A static server over `www/` that joins the decoded request path to it, as a naive server
 * does (so a request that climbs out of `case/` is served, and shows up here).
 */
export async function startServer(): Promise<{ origin: string; requests: string[]; close: () => Promise<void> }> {
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    requests.push(req.url ?? '');
    try {
      const file = path.join(www, decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
      const body = readFileSync(file);
      res.writeHead(200, { 'content-type': file.endsWith('.json') ? 'application/json' : 'application/octet-stream' });
      res.end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/**
 * Records every URL given to the global fetch while `run` runs; requests to any origin other
 * than `origin` are recorded and refused (the test machine has no network to reach them anyway).
 */
export async function recordFetches<T>(
  origin: string,
  run: () => Promise<T>,
): Promise<{ result: T | undefined; error: unknown; fetched: string[] }> {
  const realFetch = globalThis.fetch;
  const fetched: string[] = [];
  const spy = vi.spyOn(globalThis, 'fetch').mockImplementation((input, init) => {
    const url = input instanceof Request ? input.url : String(input);
    fetched.push(url);
    if (!url.startsWith(`${origin}/`)) return Promise.reject(new TypeError(`the test refuses to fetch ${url}`));
    return realFetch(input, init);
  });
  try {
    const out = await run().then(
      (result) => ({ result, error: undefined }),
      (error: unknown) => ({ result: undefined, error }),
    );
    return { ...out, fetched };
  } finally {
    spy.mockRestore();
  }
}

/**
 * Whether a requested URL stays under `${origin}/case/`, read as strictly as a server that
 * decodes the path before resolving it would.
 */
export function underCase(origin: string, url: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url, `${origin}/`);
  } catch {
    return false;
  }
  if (parsed.origin !== origin) return false;
  let decoded = parsed.pathname;
  try {
    decoded = decodeURIComponent(decoded);
  } catch {
    // Leave it encoded: a server cannot decode it either.
  }
  return path.posix.normalize(decoded.replaceAll('\\', '/')).startsWith('/case/');
}

export function cleanUp(): void {
  rmSync(www, { recursive: true, force: true });
}

// ---------------------------------------------------------------------------------------------
// Arbitraries. `{origin}` in a path stands for the test server's origin (or a closed port).

const SEGMENTS = [
  '..',
  '.',
  '',
  'generator',
  'discriminator',
  'weights.bin',
  'optimizers.bin',
  'secret.bin',
  'elsewhere',
  'file.bin',
  'case',
  '%2e%2e',
  '.%2E',
  '..%2f',
  '%5c..',
  '%00',
  'a b',
  '?q=1',
  '#x',
];

const SPECIAL_PATHS = [
  'weights.bin',
  './weights.bin',
  './optimizers.bin',
  '../generator/weights.bin',
  '../../elsewhere/file.bin',
  '../secret.bin',
  '../../secret.bin',
  '{absolute}',
  'file://{absolute}',
  'data:application/octet-stream;base64,AAAA',
  'javascript:alert(1)',
  'http://evil.example/x.bin',
  'https://evil.example/x.bin',
  '//evil.example/x.bin',
  '{origin}/secret.bin',
  '{origin}/case/generator/weights.bin',
  '',
  '.',
  '..',
  '/',
  'weights.bin\u0000.png',
  '\\\\evil.example\\share\\x.bin',
  'C:\\Windows\\x.bin',
  'c:weights.bin',
  '%2e%2e/%2e%2e/secret.bin',
  '..%2f..%2fsecret.bin',
  '..\\..\\secret.bin',
];

export const weightPath: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...SPECIAL_PATHS) },
  {
    weight: 4,
    arbitrary: fc
      .tuple(fc.constantFrom('', '/', './'), fc.array(fc.constantFrom(...SEGMENTS), { minLength: 1, maxLength: 6 }))
      .chain(([lead, segs]) => fc.constantFrom('/', '\\').map((sep) => lead + segs.join(sep))),
  },
  { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
  { weight: 1, arbitrary: fc.constantFrom(null, 7, {}, ['weights.bin']) },
);

const DTYPES = ['float32', 'int32', 'bool', 'string', 'complex64', 'float16', 'uint8', 'bogus', undefined];

const weightSpec = (names: string[]): fc.Arbitrary<unknown> =>
  fc.record({
    name: fc.oneof(fc.constantFrom(...names), fc.string({ maxLength: 8 })),
    shape: fc.oneof(
      fc.array(fc.oneof(fc.integer({ min: -2, max: 40 }), fc.constantFrom(0, 2 ** 31, 1e9, Number.NaN, 1.5)), {
        maxLength: 4,
      }),
      fc.constantFrom(null, 'x', 3),
    ),
    dtype: fc.constantFrom(...DTYPES),
  });

type Spec = Record<string, unknown> & { name: string; shape: number[] };

/** Changes that keep the byte count, so the data reaches decoding, the networks and the optimizer checks. */
const SAME_SIZE_CHANGES: Record<string, (specs: Spec[], i: number, j: number) => void> = {
  flatten: (specs, i) => {
    const s = specs[i] as Spec;
    specs[i] = { ...s, shape: [s.shape.reduce((a, b) => a * b, 1)] };
  },
  reverseShape: (specs, i) => {
    const s = specs[i] as Spec;
    specs[i] = { ...s, shape: [...s.shape].reverse() };
  },
  retype: (specs, i) => {
    const s = specs[i] as Spec;
    specs[i] = { ...s, dtype: s.dtype === 'int32' ? 'float32' : 'int32' };
  },
  swapNames: (specs, i, j) => {
    const a = specs[i] as Spec;
    const b = specs[j] as Spec;
    specs[i] = { ...a, name: b.name };
    specs[j] = { ...b, name: a.name };
  },
  sameName: (specs, i, j) => {
    specs[i] = { ...(specs[i] as Spec), name: (specs[j] as Spec).name };
  },
  swapOrder: (specs, i, j) => {
    const a = specs[i] as Spec;
    specs[i] = specs[j] as Spec;
    specs[j] = a;
  },
};

/** Weight specs: the good ones, with one change of the same size or not, or made up. */
function weightSpecs(good: Spec[]): fc.Arbitrary<unknown> {
  const names = good.map((s) => s.name);
  const last = Math.max(0, good.length - 1);
  const sameSize = fc
    .tuple(fc.constantFrom(...Object.keys(SAME_SIZE_CHANGES)), fc.nat(last), fc.nat(last))
    .map(([how, i, j]) => {
      const specs = [...good];
      SAME_SIZE_CHANGES[how]?.(specs, i, j);
      return specs;
    });
  const otherSize = fc
    .tuple(fc.nat(last), fc.constantFrom('drop', 'duplicate', 'replace'), weightSpec(names))
    .map(([i, how, spec]) => {
      const specs: unknown[] = [...good];
      if (how === 'drop') specs.splice(i, 1);
      else if (how === 'duplicate') specs.splice(i, 0, good[i]);
      else specs[i] = spec;
      return specs;
    });
  return fc.oneof(
    { weight: 3, arbitrary: fc.constant(good) },
    { weight: 4, arbitrary: sameSize },
    { weight: 2, arbitrary: otherSize },
    { weight: 1, arbitrary: fc.array(weightSpec(names), { maxLength: 4 }) },
    { weight: 1, arbitrary: fc.constantFrom(null, 'weights') },
  );
}

/** Paths that name the part's own weight file, written in other ways. */
function ownPaths(file: ModelFile, good: string): string[] {
  const name = good.replace(/^\.\//, '');
  const dir = path.posix.dirname(file);
  const fromRoot = dir === '.' ? name : `${dir}/${name}`;
  return [good, name, `./x/../${name}`, `${'../'.repeat(dir === '.' ? 0 : 1)}${fromRoot}`];
}

/**
 * A weightsManifest for `file`, made from the good one: its paths changed (to its own file
 * written otherwise, or to generated paths), its specs changed, or all of it made up.
 */
export function weightsManifest(file: ModelFile): fc.Arbitrary<unknown> {
  const good = goodManifest(file);
  const goodSpecs = (good[0]?.weights ?? []) as Spec[];
  const own = ownPaths(file, good[0]?.paths[0] ?? './weights.bin');
  const paths = fc.oneof(
    { weight: 2, arbitrary: fc.constantFrom(...own).map((p) => [p]) },
    { weight: 3, arbitrary: fc.array(weightPath, { minLength: 1, maxLength: 2 }) },
  );
  const group = fc.record({
    paths: fc.oneof({ weight: 6, arbitrary: paths }, { weight: 1, arbitrary: fc.constantFrom(null, 'weights.bin') }),
    weights: weightSpecs(goodSpecs),
  });
  return fc.oneof(
    { weight: 4, arbitrary: paths.map((p) => [{ paths: p, weights: goodSpecs }]) },
    { weight: 4, arbitrary: group.map((g) => [g]) },
    { weight: 1, arbitrary: fc.array(group, { maxLength: 3 }) },
    { weight: 1, arbitrary: fc.constantFrom(null, {}, 'x', [null]) },
  );
}

/** Puts the real origin and absolute path into a generated value. */
export function fill(value: unknown, origin: string): unknown {
  if (typeof value === 'string') return value.replaceAll('{origin}', origin).replaceAll('{absolute}', SECRET);
  if (Array.isArray(value)) return value.map((v) => fill(v, origin));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fill(v, origin)]));
  }
  return value;
}
