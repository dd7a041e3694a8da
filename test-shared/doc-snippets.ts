/**
 * The ```ts blocks of README.md and docs/*.md with their `doc-test` directives (the convention is
 * described in test/library/docs-snippets.test.ts). Node only: test/library/docs-snippets.test.ts runs the blocks in
 * Node, and test-browser/docs/snippets.setup.ts writes the browser-only ones (`"browser": true`) for
 * the browser test that runs them; both read them here, so neither can miss one.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Directive {
  /** Pairs [from, to] replaced in the block before it runs (each must match): smaller sizes. */
  replace?: [string, string][];
  /** Run in a folder that holds runs/mnist from `ts-gan mnist`. */
  setup?: 'mnist-run';
  /** Code run after the block, in its scope: calls what the block only defines, checks a result. */
  then?: string;
  /** Run with `@tensorflow/tfjs-node(-gpu)` mapped to a stand-in (test/support/fake-tfjs-node.ts). */
  standIn?: 'tfjs-node';
  /** Browser only: runs in Chromium (test-browser/docs/docs-snippets.test.ts). */
  browser?: boolean;
  /** Code run before the block (after its context values): what the page holds before it runs. */
  before?: string;
  /** A line of the block (browser only) where a second file starts, e.g. `// worker.ts`. */
  split?: string;
}

export interface Snippet {
  /** e.g. docs/mnist.md:112 */
  where: string;
  slug: string;
  code: string;
  directive: Directive;
}

/** README.md and the docs, in a fixed order. */
export function docFiles(root: string): string[] {
  return [
    'README.md',
    ...readdirSync(join(root, 'docs'))
      .filter((f) => f.endsWith('.md'))
      .sort()
      .map((f) => `docs/${f}`),
  ];
}

/** The fenced blocks of one language in a markdown text, with the directive before each. */
export function fencedBlocks(markdown: string, lang: string): { line: number; code: string; directive?: string }[] {
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

/** Every ```ts block of the docs. */
export function docSnippets(root: string): Snippet[] {
  return docFiles(root).flatMap((file) =>
    fencedBlocks(readFileSync(join(root, file), 'utf8'), 'ts').map(({ line, code, directive }) => ({
      where: `${file}:${line}`,
      slug: `${file.replace(/^docs\//, '').replace(/\.md$/, '')}-${line}`,
      code,
      directive: directive === undefined ? {} : (JSON.parse(directive) as Directive),
    })),
  );
}

/** The blocks that run only in a browser. */
export function browserSnippets(root: string): Snippet[] {
  return docSnippets(root).filter((s) => s.directive.browser === true);
}

/**
 * The block with its replacements applied, its `before` code put first and its `then` code appended
 * (not with `extras: false`: the Node type-check of a browser block, whose extras use the browser's context).
 */
export function applyDirective(snippet: Snippet, extras = true): string {
  let code = snippet.code;
  for (const [from, to] of snippet.directive.replace ?? []) {
    if (!code.includes(from))
      throw new Error(`${snippet.where}: the doc-test replacement ${JSON.stringify(from)} does not match`);
    code = code.split(from).join(to);
  }
  if (!extras) return code;
  const { before, then } = snippet.directive;
  return [before, code, then].filter((part) => part !== undefined).join('\n');
}

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

/**
 * The context values (names of `context`) that a block uses and does not declare itself, with the
 * ones they need first.
 */
export function wantedContext(code: string, context: Record<string, { needs?: string[] }>): string[] {
  // Comments out (not the // of a URL), and spreads (`...config`) read as plain uses.
  const withoutComments = code.replace(/(^|\s)\/\/.*$/gm, '$1').replaceAll('...', ' ');
  const own = declared(code);
  const wanted: string[] = [];
  const want = (name: string) => {
    if (wanted.includes(name) || own.has(name)) return;
    for (const need of context[name]?.needs ?? []) want(need);
    wanted.push(name);
  };
  for (const name of Object.keys(context))
    if (!name.startsWith('__') && new RegExp(`(?<![\\w.'"])${name}\\b`).test(withoutComments)) want(name);
  return wanted;
}
