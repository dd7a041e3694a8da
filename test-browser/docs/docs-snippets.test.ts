/**
 * Every browser-only doc block (`<!-- doc-test: {"browser": true} -->` in README.md and docs/*.md)
 * runs as printed in Chromium: the global setup (snippets.setup.ts) writes each into a module with
 * the context values it uses (doc-context.ts), and this test imports it, so its top-level code runs
 * in the page, with the library, the backend packages, IndexedDB, workers and the served files a
 * real page has. test/library/docs-snippets.test.ts type-checks them and checks that this test covers them.
 */
import * as tf from '@tensorflow/tfjs-core';
import { expect, inject, test } from 'vitest';

const snippets = inject('docSnippets');

test('the setup wrote the browser-only blocks', () => {
  expect(snippets.length).toBeGreaterThan(0);
});

for (const { where, slug } of snippets) {
  test(`${where} runs in the browser`, async () => {
    // The import resolves when the block's top-level code (and its directive's `then` checks) has run,
    // and rejects with the block's error.
    await expect(
      import(/* @vite-ignore */ `/test-output/doc-snippets-browser/${slug}/snippet.ts`),
    ).resolves.toBeDefined();
    expect(tf.getBackend()).toBeTruthy();
  });
}
