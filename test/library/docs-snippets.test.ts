/**
 * Every ```ts block of README.md and docs/*.md runs as printed (a fresh tsx process each, in its own
 * folder), after one strict type-check of them all; every `npm run` script and `ts-gan` flag that the
 * docs name exists.
 *
 * A block may be preceded by a directive, an HTML comment that the rendered page hides:
 *   <!-- doc-test: {"replace": [["steps: 3000", "steps: 2"]]} -->   run with smaller sizes (each must match)
 *   <!-- doc-test: {"setup": "mnist-run"} -->   run in a folder that holds runs/mnist from `ts-gan mnist`
 *   <!-- doc-test: {"then": "if (x !== 1) throw ..."} -->   code run after the block, in its scope (a
 *       block that only defines a function gets it called here, so that its body runs)
 *   <!-- doc-test: {"standIn": "tfjs-node"} -->   run with `@tensorflow/tfjs-node(-gpu)` mapped to
 *       test/support/fake-tfjs-node.ts, a stand-in that registers tfjs's cpu backend as `tensorflow`
 *   <!-- doc-test: {"browser": true} -->   browser only: type-checked here, run in Chromium by
 *       test-browser/docs/docs-snippets.test.ts (`--project docs`), with the context values of
 *       test-browser/docs/doc-context.ts
 * A block that uses a value the text around it defines (`gan`, `trainer`, `images` ...) gets it from
 * test/support/doc-context.ts, at small sizes; imports are never supplied.
 */
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  applyDirective,
  browserSnippets,
  docFiles,
  docSnippets,
  fencedBlocks,
  type Snippet,
  wantedContext,
} from '../../test-shared/doc-snippets';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '../..');
const WORK = join(ROOT, 'test-output', 'doc-snippets');
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');
const TSC = join(ROOT, 'node_modules', '.bin', 'tsc');

const DOC_FILES = docFiles(ROOT);
const SNIPPETS = docSnippets(ROOT);

/** The values a snippet may take from its doc's context, and how the test supplies each. */
const CONTEXT: Record<string, { needs?: string[]; code: string }> = {
  gan: { code: 'const gan = __ctx.gan();' },
  cgan: { code: 'const cgan = __ctx.cgan();' },
  trainer: { needs: ['gan'], code: 'const trainer = __ctx.trainer(gan);' },
  __data: { code: 'const __data = await __ctx.mnist();' },
  images: { needs: ['__data'], code: 'const images = __data.images;' },
  realImages: { needs: ['__data'], code: 'const realImages = __data.images;' },
  labels: { needs: ['__data'], code: 'const labels = __data.labels;' },
  myEncoder: { code: 'const myEncoder = __ctx.encoder();' },
  config: { code: 'const config = __ctx.config;' },
  options: { code: 'const options = __ctx.options;' },
  buildGenerator: { code: 'const buildGenerator = __ctx.buildGenerator;' },
  progress: { code: 'const progress = {};' },
  total: { code: 'const total = 2;' },
  ui: { code: 'const ui = {};' },
  drawLosses: { code: 'const drawLosses = (_logs: object) => {};' },
  ...Object.fromEntries(
    ['generatorJson', 'generatorBin', 'discriminatorJson', 'discriminatorBin', 'checkpointJson', 'optimizersBin'].map(
      (name) => [name, { code: `const ${name} = __ctx.file('${name}');` }],
    ),
  ),
};

function prelude(code: string): string {
  const wanted = wantedContext(code, CONTEXT);
  if (wanted.length === 0) return '';
  return [
    "import * as __ctx from '../../../test/support/doc-context';",
    'await __ctx.backend();',
    ...wanted.map((name) => CONTEXT[name]?.code),
    '',
  ].join('\n');
}

function source(snippet: Snippet): string {
  // A browser block is type-checked exactly as printed: its directive speaks of the browser's context.
  const code = snippet.directive.browser === true ? snippet.code : applyDirective(snippet);
  return `${prelude(code)}${code}\nexport {};\n`;
}

/** A run folder made by the command the docs describe, shared by the snippets that read one. */
async function mnistRun(dir: string): Promise<void> {
  await run(
    TSX,
    [join(ROOT, 'src/cli/main.ts'), 'mnist', '--steps', '2', '--batch-size', '8', '--limit', '64', '--eval-every', '0'],
    { cwd: dir, env: { ...process.env, TS_GAN_DEBUG: '1' } },
  );
}

beforeAll(async () => {
  rmSync(WORK, { recursive: true, force: true });
  mkdirSync(WORK, { recursive: true });
  for (const snippet of SNIPPETS) {
    mkdirSync(join(WORK, snippet.slug));
    writeFileSync(join(WORK, snippet.slug, 'snippet.ts'), source(snippet));
  }
  writeFileSync(
    join(WORK, 'tsconfig.json'),
    JSON.stringify({
      extends: '../../tsconfig.json',
      compilerOptions: { types: ['node', 'vite/client'] },
      include: ['*/snippet.ts'],
    }),
  );
  // tfjs-node and tfjs-node-gpu cannot be installed here (they download libtensorflow): both names
  // resolve to a stand-in that registers the cpu backend as `tensorflow`.
  const fake = join(ROOT, 'test', 'support', 'fake-tfjs-node.ts');
  const rootPaths = (
    JSON.parse(readFileSync(join(ROOT, 'tsconfig.json'), 'utf8')) as {
      compilerOptions: { paths: Record<string, string[]> };
    }
  ).compilerOptions.paths;
  writeFileSync(
    join(WORK, 'stand-in.tsconfig.json'),
    JSON.stringify({
      extends: '../../tsconfig.json',
      compilerOptions: {
        paths: { ...rootPaths, '@tensorflow/tfjs-node-gpu': [fake], '@tensorflow/tfjs-node': [fake] },
      },
    }),
  );
  if (SNIPPETS.some((s) => s.directive.setup === 'mnist-run')) {
    mkdirSync(join(WORK, 'fixture'));
    await mnistRun(join(WORK, 'fixture'));
  }
});

describe('doc snippets', () => {
  it('finds the blocks and their directives', () => {
    expect(SNIPPETS.length).toBeGreaterThan(30);
    // Every block runs: here, or (browser only) in the browser suite; no directive turns a run off.
    const known = ['replace', 'setup', 'then', 'standIn', 'browser', 'before', 'split'];
    for (const s of SNIPPETS)
      expect(
        Object.keys(s.directive).filter((k) => !known.includes(k)),
        `${s.where}: unknown directive`,
      ).toEqual([]);
  });

  it('leaves each browser-only block to a browser test that runs it', () => {
    const browserTest = join(ROOT, 'test-browser', 'docs', 'docs-snippets.test.ts');
    const browserOnly = SNIPPETS.filter((s) => s.directive.browser === true);
    if (browserOnly.length > 0) expect(existsSync(browserTest), 'test-browser/docs/docs-snippets.test.ts').toBe(true);
    // That test runs the snippets its global setup writes, which are these (the same extraction).
    expect(browserSnippets(ROOT).map((s) => s.where)).toEqual(browserOnly.map((s) => s.where));
  });

  it('type-checks every block as printed (strict, with only the context values supplied)', async () => {
    const result = await run(TSC, ['-p', join(WORK, 'tsconfig.json'), '--noEmit', '--pretty', 'false'], {
      cwd: ROOT,
    }).then(
      () => '',
      (err: { stdout?: string }) => err.stdout ?? String(err),
    );
    const bySlug = new Map(SNIPPETS.map((s) => [s.slug, s.where]));
    const readable = result.replace(/test-output\/doc-snippets\/([^/]+)\/snippet\.ts/g, (_, slug: string) => {
      return `${bySlug.get(slug) ?? slug} (${slug}/snippet.ts)`;
    });
    expect(readable).toBe('');
  });

  for (const snippet of SNIPPETS) {
    const title = `${snippet.where} runs`;
    if (snippet.directive.browser === true) continue; // test-browser/docs/docs-snippets.test.ts
    const standIn = snippet.directive.standIn === 'tfjs-node';
    it(standIn ? `${title} (against a stand-in for tfjs-node: the cpu backend named tensorflow)` : title, async () => {
      const dir = join(WORK, snippet.slug);
      if (snippet.directive.setup === 'mnist-run')
        cpSync(join(WORK, 'fixture', 'runs'), join(dir, 'runs'), { recursive: true });
      const tsconfig = standIn ? join(WORK, 'stand-in.tsconfig.json') : join(ROOT, 'tsconfig.json');
      const result = await run(TSX, ['--tsconfig', tsconfig, 'snippet.ts'], {
        cwd: dir,
        maxBuffer: 16 * 1024 * 1024,
        timeout: 110_000,
        killSignal: 'SIGTERM',
      }).then(
        () => 'ok',
        // The end of stderr: a failing wasm backend prints its whole module source first.
        (err: { stderr?: string; message: string }) =>
          `${snippet.where} failed:\n${(err.stderr || err.message).slice(-3000)}`,
      );
      expect(result).toBe('ok');
    });
  }
});

describe('commands the docs name', () => {
  const scripts = Object.keys(
    (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts,
  );
  /** Shell lines: every line of ```sh blocks, and every inline code span that starts a command. */
  const commands = DOC_FILES.flatMap((file) => {
    const text = readFileSync(join(ROOT, file), 'utf8');
    const blockLines = fencedBlocks(text, 'sh').flatMap((b) => b.code.split('\n').map((l) => ({ file, line: l })));
    const inline = [...text.matchAll(/`((?:npx |npm run )?ts-gan [^`]+|npm run [^`]+)`/g)].map((m) => ({
      file,
      line: m[1] ?? '',
    }));
    return [...blockLines, ...inline];
  });

  it('names only npm scripts that exist', () => {
    const missing = commands.flatMap(({ file, line }) =>
      [...line.replace(/#.*$/, '').matchAll(/npm run ([\w:.-]+)/g)]
        .map((m) => m[1] ?? '')
        .filter((name) => !scripts.includes(name))
        .map((name) => `${file}: npm run ${name}`),
    );
    expect(missing).toEqual([]);
  });

  it('names only ts-gan subcommands and flags that --help lists', async () => {
    const { main } = await import('../../src/cli/main.js');
    const help = new Map<string, string>();
    const helpOf = async (command: string) => {
      if (!help.has(command)) {
        let out = '';
        const sink = { write: (t: string) => (out += t) };
        const code = await main([command, '--help'], { stdout: sink, stderr: sink });
        help.set(command, code === 0 ? out : '');
      }
      return help.get(command) ?? '';
    };
    const problems: string[] = [];
    let checked = 0;
    for (const { file, line } of commands) {
      for (const m of line.replace(/#.*$/, '').matchAll(/(?:ts-gan|npm run cli --)\s+(\w+)((?:\s+[^|&;]*)?)/g)) {
        const [, command = '', rest = ''] = m;
        if (/^(is|and|or|command|does|writes|for)$/.test(command)) continue; // prose after the name
        const text = await helpOf(command);
        if (text === '') {
          problems.push(`${file}: ts-gan ${command} is no command`);
          continue;
        }
        for (const flag of rest.match(/(?<=\s|^)--[a-z][\w-]*/g) ?? []) {
          checked++;
          if (!new RegExp(`(?<![\\w-])${flag}(?![\\w-])`).test(text))
            problems.push(`${file}: ts-gan ${command} ${flag}`);
        }
      }
    }
    expect(checked).toBeGreaterThan(10);
    expect(problems).toEqual([]);
  });

  it('the fixture run folder exists when a snippet needs one', () => {
    if (SNIPPETS.some((s) => s.directive.setup === 'mnist-run'))
      expect(existsSync(join(WORK, 'fixture', 'runs', 'mnist', 'gan'))).toBe(true);
  });
});
