/**
 * Fetches the Twemoji set, 3,786 colour emoji of 64x64 pixels (PNG, transparent background), from
 * the npm registry into a folder that `ts-gan train --data` reads:
 *
 *   npm run data:twemoji                        # into data/twemoji/64
 *   npm run data:twemoji -- --dir /tmp/emoji    # into /tmp/emoji/64
 *
 * It runs `npm pack emoji-datasource-twitter@16.0.0` (a 62 MB tarball) into the folder, extracts
 * only `package/img/twitter/64/*.png` with the system's `tar` (GNU tar on Linux, bsdtar on macOS and
 * Windows 10+), writes the licence credit beside the images and deletes the tarball. A second run
 * finds the images and does nothing. The images appear under their final name only once all of
 * them are extracted, so an interrupted run leaves nothing that passes for a complete set.
 *
 * The package's code is MIT; its Twitter images are Twemoji graphics, licensed CC-BY 4.0, which
 * asks for the credit in {@link TWEMOJI_CREDIT} wherever the images or pictures made from them
 * are shown.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

/** The npm package that ships the images, and the version whose layout this script knows. */
export const TWEMOJI_SPEC = 'emoji-datasource-twitter@16.0.0';
/** The tarball `npm pack` writes for {@link TWEMOJI_SPEC}. */
export const TWEMOJI_TARBALL = 'emoji-datasource-twitter-16.0.0.tgz';
/** The folder of the 64x64 images inside the tarball; its 4 path parts are stripped on extraction. */
const IMAGES_MEMBER = 'package/img/twitter/64';
const STRIP_COMPONENTS = IMAGES_MEMBER.split('/').length;
/** The folder, under the cache folder, that holds the images. */
const IMAGES_FOLDER = '64';

/** The credit that CC-BY 4.0 asks for, with the package README's statement of the licence. */
export const TWEMOJI_CREDIT = `Twemoji graphics by Twitter, Inc and other contributors, licensed under CC-BY 4.0
(https://creativecommons.org/licenses/by/4.0/).
Source: https://github.com/twitter/twemoji and its maintained fork https://github.com/jdecked/twemoji
(v16.0.1), as shipped by the npm package ${TWEMOJI_SPEC} (its code under the MIT licence), whose
README says: "Twitter images are available under the Creative Commons Attribution 4.0 license".
`;

/** Runs `npm pack spec` into `destination` and returns the tarball's path. */
export type Packer = (spec: string, destination: string) => string;

/** Options of {@link fetchTwemoji}. */
export interface FetchTwemojiOptions {
  /** The cache folder; the images go to `dir/64`. */
  dir: string;
  /** How the tarball is fetched; default {@link npmPack}. */
  pack?: Packer;
}

/** What {@link fetchTwemoji} found or made. */
export interface FetchTwemojiResult {
  /** The folder of the PNG files, to pass to `ts-gan train --data`. */
  imagesDir: string;
  /** PNG files in it. */
  count: number;
  /** False when the images were already there and nothing was done. */
  fetched: boolean;
}

/**
 * Makes sure `dir/64` holds the Twemoji PNGs: does nothing when it exists, else fetches the
 * tarball (or reuses one already in `dir`), extracts the images and deletes the tarball.
 * @throws Error naming the step that failed: the download (registry unreachable, package not
 *   found), the extraction, or a tarball without the images.
 */
export function fetchTwemoji(options: FetchTwemojiOptions): FetchTwemojiResult {
  const dir = resolve(options.dir);
  const imagesDir = join(dir, IMAGES_FOLDER);
  if (existsSync(imagesDir)) return { imagesDir, count: countPngs(imagesDir), fetched: false };
  mkdirSync(dir, { recursive: true });
  const existing = join(dir, TWEMOJI_TARBALL);
  const tarball = existsSync(existing) ? existing : (options.pack ?? npmPack)(TWEMOJI_SPEC, dir);
  const count = extractImages(tarball, imagesDir);
  writeFileSync(join(dir, 'CREDIT.txt'), TWEMOJI_CREDIT);
  rmSync(tarball, { force: true });
  return { imagesDir, count, fetched: true };
}

/**
 * Extracts the tarball's `package/img/twitter/64/*` into `imagesDir`, through a temporary folder
 * beside it that is renamed only when the extraction is whole.
 * @returns the number of PNG files extracted.
 */
export function extractImages(tarball: string, imagesDir: string): number {
  const partial = mkdtempSync(`${imagesDir}.partial-`);
  try {
    const tar = spawnSync(
      'tar',
      ['-xzf', tarball, '-C', partial, `--strip-components=${STRIP_COMPONENTS}`, IMAGES_MEMBER],
      {
        encoding: 'utf8',
      },
    );
    if (tar.error) throw new Error(`twemoji: could not run tar (${tar.error.message}); it must be on the PATH.`);
    if (tar.status !== 0) {
      throw new Error(
        `twemoji: tar could not extract ${IMAGES_MEMBER} from ${tarball} (exit code ${tar.status}): ${firstLines(tar.stderr)}`,
      );
    }
    const count = countPngs(partial);
    if (count === 0) throw new Error(`twemoji: ${tarball} has no PNG files in ${IMAGES_MEMBER}.`);
    renameSync(partial, imagesDir);
    return count;
  } finally {
    rmSync(partial, { recursive: true, force: true });
  }
}

/** `npm pack spec --pack-destination destination`, with the npm that runs this script when there is one. */
export const npmPack: Packer = (spec, destination) => {
  // Under `npm run`, npm_execpath is npm's own CLI script: run it with this Node, which also works on
  // Windows, where `npm` is a .cmd file that spawn cannot start without a shell.
  const execPath = process.env.npm_execpath;
  const [command, ...prefix] =
    execPath?.endsWith('.js') || execPath?.endsWith('.cjs') ? [process.execPath, execPath] : ['npm'];
  const npm = spawnSync(command!, [...prefix, 'pack', spec, '--pack-destination', destination, '--json'], {
    encoding: 'utf8',
  });
  const registry = process.env.npm_config_registry ?? 'the npm registry';
  if (npm.error || npm.status !== 0) {
    const why = npm.error ? npm.error.message : firstLines(npm.stderr);
    throw new Error(
      `twemoji: could not download ${spec} from ${registry}: ${why}\n` +
        'Check the network connection and the registry (npm config get registry), then run this again.',
    );
  }
  const filename = (JSON.parse(npm.stdout) as { filename: string }[])[0]?.filename;
  if (!filename) throw new Error(`twemoji: npm pack ${spec} named no tarball: ${firstLines(npm.stdout)}`);
  return join(destination, filename);
};

function countPngs(dir: string): number {
  return readdirSync(dir).filter((f) => f.toLowerCase().endsWith('.png')).length;
}

/** The first lines of a tool's output, enough to say what went wrong. */
function firstLines(text: string, lines = 4): string {
  return text.trim().split('\n').slice(0, lines).join('\n');
}

function main(): void {
  const { values } = parseArgs({ options: { dir: { type: 'string', default: 'data/twemoji' } } });
  try {
    const { imagesDir, count, fetched } = fetchTwemoji({ dir: values.dir });
    console.log(`${fetched ? 'Extracted' : 'Already there:'} ${count} Twemoji images (64x64 PNG) in ${imagesDir}`);
    console.log(`Train on them: npx ts-gan train --data ${imagesDir} --size 32 --channels 3 --out runs/twemoji\n`);
    console.log(TWEMOJI_CREDIT);
  } catch (e) {
    console.error(e instanceof Error ? e.message : String(e));
    process.exitCode = 1;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) main();
