/**
 * Chooses the backend before anything has loaded tfjs-layers, then loads the library, and prints
 * which fixes are applied at each point: `IMPORT_ORDER {"before":[...],"after":[...]}`. Run by
 * test/backends/import-order.test.ts in a fresh process, where no module is loaded yet.
 */
export {};

const { useBackend, getFix } = await import('../../src/backends/index.js');
const backend = process.argv[2] === 'cpu' ? 'cpu' : 'wasm';
const report = await useBackend(backend);
const applied = () => report.fixes.filter((name) => getFix(name)?.isApplied());
const before = applied();
await import('../../src/index.js');
console.log(`IMPORT_ORDER ${JSON.stringify({ before, after: applied() })}`);
