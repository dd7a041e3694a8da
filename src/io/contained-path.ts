/**
 * The rule that keeps a checkpoint in its place: every weight file a checkpoint's JSON names must
 * lie inside the checkpoint's own folder (files) or under its own URL (http). One rule for both
 * loaders, checked on the text of the manifest before anything is read or fetched. Browser-safe:
 * no Node imports.
 *
 * @packageDocumentation
 */
import type * as tf from '@tensorflow/tfjs-core';
import { CheckpointError } from '../errors.js';
import { checkWeightSpecs } from './artifacts.js';

/** `scheme:` at the start: a URL of any scheme, and also a Windows drive (`C:`). */
const SCHEME = /^[a-zA-Z][a-zA-Z0-9+.-]*:/;
/** `%2e` (.), `%2f` (/), `%5c` (\) and `%00`: what a server might decode into a path step. */
const ENCODED_STEP = /%(2e|2f|5c|00)/i;

/** NUL and the other control characters, which URL parsers strip and file systems refuse or mangle. */
function hasControlCharacter(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
}

/** Why `ref` is not a plain relative path, or null when it is one. */
function syntaxProblem(ref: unknown): string | null {
  if (typeof ref !== 'string') return 'is not a string';
  if (ref.length === 0) return 'is empty';
  if (hasControlCharacter(ref)) return 'contains a NUL or control character';
  if (ref.includes('\\')) return 'contains a backslash';
  if (ENCODED_STEP.test(ref)) return "contains a percent-encoded '.', '/', '\\' or NUL";
  const scheme = SCHEME.exec(ref);
  if (scheme) return `is a URL or drive (${JSON.stringify(scheme[0])}), not a relative path`;
  if (ref.startsWith('/')) return 'is an absolute path, not a relative one';
  return null;
}

function refused(file: string, ref: unknown, why: string): CheckpointError {
  const shown = ref === undefined ? 'undefined' : JSON.stringify(ref);
  return new CheckpointError(
    `${file} names the weight file ${shown}, which ${why}; a checkpoint may only name files inside its own folder. ` +
      'It is refused without reading anything it names.',
  );
}

/**
 * Resolves a weight path that a checkpoint's JSON names, without touching any file.
 *
 * @param file - the JSON file or URL that names it, for messages.
 * @param ref - the path as the manifest gives it (untrusted: any JSON value).
 * @param base - where `file` sits inside the checkpoint, as path segments (`['generator']`).
 * @returns the path's segments from the checkpoint's root: plain names, no `.`, `..` or empty ones.
 * @throws {@link CheckpointError} naming `file` and `ref` when `ref` is not a string, is empty,
 *   absolute, a URL of any scheme, contains a NUL, a control character, a backslash or a
 *   percent-encoded `.`, `/` or `\`, climbs out of the root with `..`, or names the folder itself.
 */
export function containedSegments(file: string, ref: unknown, base: readonly string[] = []): string[] {
  const problem = syntaxProblem(ref);
  if (problem) throw refused(file, ref, problem);
  const steps = (ref as string).split('/');
  const last = steps[steps.length - 1];
  if (last === '' || last === '.' || last === '..') throw refused(file, ref, 'names a folder, not a file');
  const out = [...base];
  for (const step of steps) {
    if (step === '' || step === '.') continue;
    if (step !== '..') out.push(step);
    else if (out.pop() === undefined) {
      throw refused(file, ref, "climbs with '..' outside the checkpoint folder");
    }
  }
  return out;
}

/** A URL's folder: everything up to and including its path's last `/`, without query or fragment. */
function folderOf(url: URL): string {
  return url.pathname.slice(0, url.pathname.lastIndexOf('/') + 1);
}

/**
 * Whether `url` lies under `root`: same origin, and a path that starts with the root's folder path
 * and carries no percent-encoded path step.
 *
 * @param url - an absolute URL.
 * @param root - the checkpoint's URL, as a folder (`https://host/runs/a/`).
 */
export function urlInside(url: string, root: string): boolean {
  let u: URL;
  let r: URL;
  try {
    u = new URL(url);
    r = new URL(root);
  } catch {
    return false;
  }
  const prefix = folderOf(r);
  return (
    u.origin === r.origin &&
    u.protocol === r.protocol &&
    u.username === '' &&
    u.password === '' &&
    u.pathname.startsWith(prefix) &&
    !ENCODED_STEP.test(u.pathname.slice(prefix.length))
  );
}

/**
 * Resolves a weight path that a checkpoint's JSON names against that JSON's URL, as tfjs would
 * (keeping the JSON URL's query), and checks that it lies under the checkpoint's URL.
 *
 * @param jsonUrl - the absolute URL of the JSON that names it (`https://host/runs/a/generator/model.json`).
 * @param ref - the path as the manifest gives it.
 * @param root - the checkpoint's URL, as a folder (`https://host/runs/a/`).
 * @returns the absolute URL to fetch.
 * @throws {@link CheckpointError} as {@link containedSegments} does, or when it resolves outside `root`.
 */
export function containedURL(jsonUrl: string, ref: unknown, root: string): string {
  const json = new URL(jsonUrl);
  const rootUrl = new URL(root);
  const prefix = folderOf(rootUrl);
  const base = json.pathname.startsWith(prefix)
    ? folderOf(json)
        .slice(prefix.length)
        .split('/')
        .filter((s) => s !== '')
    : null;
  if (base === null || json.origin !== rootUrl.origin) {
    throw new CheckpointError(`${jsonUrl} is not under the checkpoint URL ${root}.`);
  }
  const segments = containedSegments(jsonUrl, ref, base);
  // `./` first, so that a step such as `a:b` stays a path and is not read as a scheme.
  const resolved = new URL(`./${segments.join('/')}`, `${rootUrl.origin}${prefix}`);
  // tfjs appends the model.json URL's query to each weight URL (signed URLs need it); so do we.
  if (!(ref as string).includes('?') && json.search !== '') resolved.search = json.search;
  if (!urlInside(resolved.href, root)) throw refused(jsonUrl, ref, 'resolves outside the checkpoint URL');
  return resolved.href;
}

/** One group of a weights manifest, checked: its paths (still to be resolved) and its weight specs. */
export interface WeightsGroup {
  paths: unknown[];
  specs: tf.io.WeightsManifestEntry[];
}

/**
 * Checks the shape of a `weightsManifest` read from a checkpoint's JSON (untrusted): a list of
 * groups, each with a list of paths and a list of valid weight specs. The paths themselves are
 * resolved by {@link containedSegments} or {@link containedURL}.
 * @param file - the JSON file or URL it comes from, for messages.
 * @returns the groups; none when the manifest is absent.
 * @throws {@link CheckpointError} naming `file` and the first group that is not well formed.
 */
export function checkWeightsManifest(file: string, manifest: unknown): WeightsGroup[] {
  if (manifest === undefined || manifest === null) return [];
  if (!Array.isArray(manifest)) throw new CheckpointError(`${file} is damaged: weightsManifest is not a list.`);
  return manifest.map((group: unknown, i) => {
    const g = group as { paths?: unknown; weights?: unknown } | null;
    if (g === null || typeof g !== 'object' || !Array.isArray(g.paths) || !Array.isArray(g.weights)) {
      throw new CheckpointError(`${file} is damaged: weightsManifest[${i}] is not { paths: [...], weights: [...] }.`);
    }
    return { paths: g.paths, specs: checkWeightSpecs(`${file}, weightsManifest[${i}]`, g.weights) };
  });
}
