/**
 * `ts-gan sample`: draws a grid of samples from a saved GAN.
 *
 * @packageDocumentation
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { writeImageGrid } from '../node/png.js';
import { type CliIO, type Command, intFlag, parseFlags, seedFlag, UsageError } from './args.js';
import { BACKEND_CHOICES, checkBackendFlag, setupBackend } from './backend.js';
import { loadGan } from './persist.js';

const USAGE = `Usage: ts-gan sample --from DIR [options]

Draws samples from a saved GAN (the gan/ folder of a run, or the run folder itself) into a PNG grid.

Options:
  --from DIR        the saved GAN, or a run folder that holds gan/ (required)
  --n N             how many samples (default 64)
  --out FILE        the PNG to write (default samples.png)
  --seed N          seed of the noise (default: a fresh draw from the GAN's sampling stream)
  --columns N       images per row (default: ceil(sqrt(n)))
  --scale N         pixel scale (default 3)
  --backend NAME    ${BACKEND_CHOICES.join(' | ')} (default auto)
  -h, --help        show this help
`;

const FLAGS = {
  from: { type: 'string' },
  n: { type: 'string' },
  out: { type: 'string', default: 'samples.png' },
  seed: { type: 'string' },
  columns: { type: 'string' },
  scale: { type: 'string' },
  backend: { type: 'string', default: 'auto' },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

/** Default grid scale: 28-pixel digits drawn 3x larger. */
const DEFAULT_SCALE = 3;

async function run(argv: string[], io: CliIO): Promise<number> {
  const v = parseFlags('sample', argv, FLAGS);
  if (v.help) {
    io.stdout.write(USAGE);
    return 0;
  }
  if (v.from === undefined) throw new UsageError('ts-gan sample: --from DIR is required (a saved GAN folder).');
  const n = intFlag('sample', 'n', v.n, 64, 1);
  const seed = v.seed === undefined ? undefined : seedFlag('sample', v.seed, 0);
  const columns = v.columns === undefined ? undefined : intFlag('sample', 'columns', v.columns, 1, 1);
  const scale = intFlag('sample', 'scale', v.scale, DEFAULT_SCALE, 1);
  const backend = checkBackendFlag('sample', v.backend);
  const dir = existsSync(join(v.from, 'gan')) ? join(v.from, 'gan') : v.from;
  if (!existsSync(dir)) throw new UsageError(`ts-gan sample: --from ${resolve(dir)} does not exist.`);

  await setupBackend(backend, io);
  const gan = await loadGan(dir);
  try {
    const images = gan.sample(n, seed === undefined ? {} : { seed });
    try {
      await writeImageGrid(images, v.out, { scale, ...(columns === undefined ? {} : { columns }) });
    } finally {
      images.dispose();
    }
  } finally {
    gan.dispose();
  }
  io.stdout.write(`${resolve(v.out)}\n`);
  return 0;
}

/** `ts-gan sample`. */
export const sampleCommand: Command = {
  summary: 'draw a PNG grid of samples from a saved GAN',
  usage: USAGE,
  run,
};
