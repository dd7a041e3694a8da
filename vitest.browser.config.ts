import { fileURLToPath } from 'node:url';
import { playwright } from '@vitest/browser-playwright';
import { defineConfig } from 'vitest/config';

/**
 * The browser suite, in headless Chromium (Debian's, never a downloaded one):
 * - the library on each backend: vitest browser mode, one instance per backend, whose name reaches
 *   the tests through `provide`; test-browser/support/setup.ts fails every test when tfjs ends up
 *   on another backend;
 * - the live demo, end to end: a Node test builds examples/browser, serves it and drives it with
 *   Playwright (test-browser/demo/);
 * - the run report: a Node test makes a short run and opens its report.html from disk, offline,
 *   with Playwright (test-browser/report/).
 *
 * Run: `npm run test:browser` (needs /usr/bin/chromium: `apt-get install -y chromium`);
 * one part: `npx vitest run --config vitest.browser.config.ts --project webgl` (or `--project docs`, `demo`, `report`).
 */
export const BACKENDS = ['cpu', 'wasm', 'webgl', 'webgpu'] as const;

/** Debian's Chromium (`apt-get install chromium`), never a downloaded one. */
const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--no-sandbox', // as root Chromium refuses to start without it
  '--enable-unsafe-webgpu', // else requestAdapter() is null and tfjs quietly uses webgl
  // Keep Chromium off the network: CI has none, and it must not wait for one.
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--no-first-run',
];

/** Pre-bundled before a run, so that no browser instance reloads mid-test when Vite discovers them. */
const TFJS_PACKAGES = [
  '@tensorflow/tfjs-core',
  '@tensorflow/tfjs-layers',
  '@tensorflow/tfjs-backend-cpu',
  '@tensorflow/tfjs-backend-wasm',
  '@tensorflow/tfjs-backend-webgl',
  '@tensorflow/tfjs-backend-webgpu',
];

/** Debian's Chromium, headless, off the network. */
const chromium = () => playwright({ launchOptions: { executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS } });

const path = (file: string) => fileURLToPath(new URL(file, import.meta.url));
const alias = [
  { find: /^ts-gan$/, replacement: path('./src/index.ts') },
  { find: /^ts-gan\/(node|backends|metrics)$/, replacement: path('./src/$1/index.ts') },
];

export default defineConfig({
  resolve: { alias },
  test: {
    allowOnly: false,
    reporters: ['default', './test/support/summary-reporter.ts'],
    projects: [
      {
        resolve: { alias },
        optimizeDeps: {
          include: TFJS_PACKAGES,
        },
        test: {
          name: 'library',
          include: ['test-browser/*.test.ts'],
          setupFiles: ['./test-browser/support/setup.ts'],
          globalSetup: ['./test-browser/support/node-checkpoint.setup.ts'],
          testTimeout: 180_000,
          hookTimeout: 180_000,
          // One file at a time per browser: the machine has two cores, and SwiftShader uses them all.
          fileParallelism: false,
          sequence: { groupOrder: 0 },
          browser: {
            enabled: true,
            headless: true,
            screenshotDirectory: 'test-output/browser-failures',
            provider: chromium(),
            instances: BACKENDS.map((backend) => ({
              browser: 'chromium' as const,
              name: backend,
              provide: { backend },
            })),
          },
        },
      },
      {
        resolve: { alias },
        optimizeDeps: {
          include: TFJS_PACKAGES,
        },
        test: {
          // The browser-only blocks of the docs, each run as printed in the page (test-browser/docs/).
          name: 'doc-snippets',
          include: ['test-browser/docs/*.test.ts'],
          globalSetup: ['./test-browser/docs/snippets.setup.ts'],
          testTimeout: 180_000,
          hookTimeout: 180_000,
          sequence: { groupOrder: 1 },
          browser: {
            enabled: true,
            headless: true,
            screenshotDirectory: 'test-output/browser-failures',
            provider: chromium(),
            instances: [{ browser: 'chromium' as const, name: 'docs' }],
          },
        },
      },
      {
        resolve: { alias },
        test: {
          name: 'demo',
          include: ['test-browser/demo/*.test.ts'],
          environment: 'node',
          testTimeout: 240_000,
          hookTimeout: 240_000,
          // After the library's browsers have closed: both would fight over two cores.
          sequence: { groupOrder: 1 },
          // The demo test launches Chromium itself (Playwright), the same way.
          provide: { chromium: { executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS } },
        },
      },
      {
        resolve: { alias },
        test: {
          name: 'report',
          include: ['test-browser/report/*.test.ts'],
          environment: 'node',
          testTimeout: 240_000,
          hookTimeout: 300_000,
          // After the library's browsers have closed: both would fight over two cores.
          sequence: { groupOrder: 1 },
          // A short ts-gan mnist run writes report.html; Chromium opens it from disk.
          provide: { chromium: { executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS } },
        },
      },
    ],
  },
});
