import { fileURLToPath } from 'node:url';
import { playwright } from '@vitest/browser-playwright';
import { defineConfig } from 'vitest/config';

/**
 * The browser suite: the library in headless Chromium (Debian's, never a downloaded one), once per
 * backend. Each instance gets its backend name through `provide`; test-browser/support/setup.ts
 * selects it and fails the file when tfjs ends up on another backend.
 *
 * Run: `npm run test:browser` (needs /usr/bin/chromium: `apt-get install -y chromium`).
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--no-sandbox', // as root Chromium refuses to start without it
  '--enable-unsafe-webgpu', // else requestAdapter() is null and tfjs quietly uses webgl
  // Keep Chromium off the network: this machine (and CI) has none.
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--no-first-run',
];
export const BACKENDS = ['cpu', 'wasm', 'webgl', 'webgpu'] as const;

const alias = (file: string) => fileURLToPath(new URL(file, import.meta.url));

export default defineConfig({
  resolve: {
    alias: [
      { find: /^ts-gan$/, replacement: alias('./src/index.ts') },
      { find: /^ts-gan\/backends$/, replacement: alias('./src/backends/index.ts') },
    ],
  },
  optimizeDeps: {
    // Pre-bundled once before the run, so no instance reloads mid-test when Vite discovers them.
    include: [
      '@tensorflow/tfjs-core',
      '@tensorflow/tfjs-layers',
      '@tensorflow/tfjs-backend-cpu',
      '@tensorflow/tfjs-backend-wasm',
      '@tensorflow/tfjs-backend-webgl',
      '@tensorflow/tfjs-backend-webgpu',
    ],
  },
  test: {
    include: ['test-browser/**/*.test.ts'],
    setupFiles: ['./test-browser/support/setup.ts'],
    testTimeout: 180_000,
    hookTimeout: 180_000,
    allowOnly: false,
    // One browser page at a time: the machine has two cores, and SwiftShader uses them all.
    fileParallelism: false,
    reporters: ['default', './test/support/summary-reporter.ts'],
    browser: {
      enabled: true,
      headless: true,
      screenshotDirectory: 'test-output/browser-failures',
      provider: playwright({
        launchOptions: { executablePath: CHROMIUM, args: CHROMIUM_ARGS },
      }),
      instances: BACKENDS.map((backend) => ({
        browser: 'chromium' as const,
        name: backend,
        provide: { backend },
      })),
    },
  },
});
