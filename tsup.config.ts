import { defineConfig } from 'tsup';

// One entry per subpath export. The main entry stays browser-safe: Node-only code (fs, PNG,
// terminal progress) lives in `node`, backend set-up in `backends`, evaluation in `metrics`.
export default defineConfig([
  {
    entry: {
      index: 'src/index.ts',
      node: 'src/node/index.ts',
      backends: 'src/backends/index.ts',
      metrics: 'src/metrics/index.ts',
    },
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'es2022',
    splitting: true,
    // Gives the CJS build an import.meta.url (and the ESM build __dirname) where Node code needs one.
    shims: true,
    // Peer and optional backends stay the application's: never bundle them.
    external: [/^@tensorflow\//],
  },
  {
    entry: { cli: 'src/cli/main.ts' },
    format: ['esm'],
    sourcemap: true,
    target: 'es2022',
    banner: { js: '#!/usr/bin/env node' },
    external: [/^@tensorflow\//],
  },
]);
