import { describe, expect, it } from 'vitest';
import { spawnScript } from '../support/io-spawn';


/** Applied fixes before and after loading the library, in a fresh process (see import-order-child.ts). */
async function appliedAround(backend: 'cpu' | 'wasm'): Promise<{ before: string[]; after: string[] }> {
  const child = spawnScript('./import-order-child.ts', [backend]);
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => {
    out += d;
  });
  child.stderr.on('data', (d) => {
    err += d;
  });
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  const line = out.split('\n').find((l) => l.startsWith('IMPORT_ORDER '));
  if (code !== 0 || !line) throw new Error(`import-order-child exited with ${code}:\n${err}\n${out}`);
  return JSON.parse(line.slice('IMPORT_ORDER '.length));
}

describe('useBackend before the library is loaded', () => {
  // tfjs-layers registers all of tfjs's gradients as it loads: loaded after useBackend, it used to put
  // tfjs's FusedBatchNorm and LeakyRelu gradients back over the fixes' (a Tile per BatchNorm layer).
  for (const backend of ['wasm', 'cpu'] as const) {
    it(`${backend}: every fix applied by useBackend stays applied when ts-gan loads afterwards`, async () => {
      const { before, after } = await appliedAround(backend);
      expect(before).toContain('batchnorm-gradient');
      expect(before).toContain('greater-gradient');
      if (backend === 'wasm') expect(before).toContain('wasm-simd-leaky-relu');
      expect(after).toEqual(before);
    }, 60_000);
  }
});
