/**
 * Every ```ts block of README.md and docs/*.md runs as printed (a fresh tsx process each, in its own
 * folder), after one strict type-check of them all; every `npm run` script and `ts-gan` flag that the
 * docs name exists.
 *
 * A block may be preceded by a directive, an HTML comment that the rendered page hides:
 *   <!-- doc-test: {"replace": [["steps: 3000", "steps: 2"]]} -->   run with smaller sizes (each must match)
 *   <!-- doc-test: {"setup": "mnist-run"} -->   run in a folder that holds runs/mnist from `ts-gan mnist`
 *   <!-- doc-test: {"run": false, "why": "browser only: IndexedDB"} -->   type-checked, not run
 * A block that uses a value the text around it defines (`gan`, `trainer`, `images` ...) gets it from
 * test/support/doc-context.ts, at small sizes; imports are never supplied.
 */
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '../..');
const WORK = join(ROOT, 'test-output', 'doc-snippets');
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');
const TSC = join(ROOT, 'node_modules', '.bin', 'tsc');

const DOC_FILES = [
  'README.md',
  ...readdirSync(join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .sort()
    .map((f) => `docs/${f}`),
];

interface Directive {
  replace?: [string, string][];
  setup?: 'mnist-run';
  run?: boolean;
  why?: string;
}

interface Snippet {
  /** e.g. docs/mnist.md:112 */
  where: string;
  slug: string;
  code: string;
  directive: Directive;
}

/** The fenced blocks of one language in a markdown text, with the directive before each. */
function fencedBlocks(markdown: string, lang: string): { line: number; code: string; directive?: string }[] {
  const lines = markdown.split('\n');
  const blocks: { line: number; code: string; directive?: string }[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (lines[i]?.trim() !== `\`\`\`${lang}`) continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && lines[i]?.trim() !== '```'; i++) body.push(lines[i] ?? '');
    let before = start - 1;
    while (before >= 0 && lines[before]?.trim() === '') before--;
    const directive = /^<!-- doc-test: (.*) -->$/.exec(lines[before]?.trim() ?? '')?.[1];
    blocks.push({ line: start + 1, code: body.join('\n'), ...(directive !== undefined ? { directive } : {}) });
  }
  return blocks;
}

const SNIPPETS: Snippet[] = DOC_FILES.flatMap((file) =>
  fencedBlocks(readFileSync(join(ROOT, file), 'utf8'), 'ts').map(({ line, code, directive }) => ({
    where: `${file}:${line}`,
    slug: `${file.replace(/^docs\//, '').replace(/\.md$/, '')}-${line}`,
    code,
    directive: directive === undefined ? {} : (JSON.parse(directive) as Directive),
  })),
);

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

/** Names the snippet binds itself (imports and top-level declarations, roughly). */
function declared(code: string): Set<string> {
  const names = new Set<string>();
  for (const m of code.matchAll(/import\s+(?:type\s+)?\{([^}]*)\}/g))
    for (const part of (m[1] ?? '').split(','))
      names.add(
        part
          .trim()
          .replace(/^type\s+/, '')
          .split(/\s+as\s+/)
          .pop() ?? '',
      );
  // Top-level only: a declaration at the start of a line.
  for (const m of code.matchAll(
    /^(?:import\s+\*\s+as\s+(\w+)|import\s+(\w+)\s+from|(?:const|let|function|class)\s+(\w+))/gm,
  ))
    names.add(m[1] ?? m[2] ?? m[3] ?? '');
  for (const m of code.matchAll(/^(?:const|let)\s+\{([^}]*)\}\s*=/gm))
    for (const part of (m[1] ?? '').split(',')) names.add(part.split(':').pop()?.trim() ?? '');
  return names;
}

function prelude(code: string): string {
  // Comments out (not the // of a URL), and spreads (`...config`) read as plain uses.
  const withoutComments = code.replace(/(^|\s)\/\/.*$/gm, '$1').replaceAll('...', ' ');
  const own = declared(code);
  const wanted: string[] = [];
  const want = (name: string) => {
    if (wanted.includes(name) || own.has(name)) return;
    for (const need of CONTEXT[name]?.needs ?? []) want(need);
    wanted.push(name);
  };
  for (const name of Object.keys(CONTEXT))
    if (!name.startsWith('__') && new RegExp(`(?<![\\w.'"])${name}\\b`).test(withoutComments)) want(name);
  if (wanted.length === 0) return '';
  return [
    "import * as __ctx from '../../../test/support/doc-context';",
    'await __ctx.backend();',
    ...wanted.map((name) => CONTEXT[name]?.code),
    '',
  ].join('\n');
}

function source(snippet: Snippet): string {
  let code = snippet.code;
  for (const [from, to] of snippet.directive.replace ?? []) {
    if (!code.includes(from))
      throw new Error(`${snippet.where}: the doc-test replacement ${JSON.stringify(from)} does not match`);
    code = code.split(from).join(to);
  }
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
  if (SNIPPETS.some((s) => s.directive.setup === 'mnist-run')) {
    mkdirSync(join(WORK, 'fixture'));
    await mnistRun(join(WORK, 'fixture'));
  }
});

describe('doc snippets', () => {
  it('finds the blocks and their directives', () => {
    expect(SNIPPETS.length).toBeGreaterThan(30);
    for (const s of SNIPPETS) {
      if (s.directive.run === false) expect(s.directive.why, `${s.where}: say why it does not run`).toBeTruthy();
    }
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
    if (snippet.directive.run === false) continue;
    it(title, async () => {
      const dir = join(WORK, snippet.slug);
      if (snippet.directive.setup === 'mnist-run')
        cpSync(join(WORK, 'fixture', 'runs'), join(dir, 'runs'), { recursive: true });
      const result = await run(TSX, ['--tsconfig', join(ROOT, 'tsconfig.json'), 'snippet.ts'], {
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
