import { describe, expect, it } from 'vitest';
import { runScriptForResult } from '../support/io-spawn';

/** Applied fixes before and after loading the library, in a fresh process (see import-order-child.ts). */
function appliedAround(backend: 'cpu' | 'wasm'): Promise<{ before: string[]; after: string[] }> {
  return runScriptForResult('./import-order-child.ts', [backend], 'IMPORT_ORDER ');
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
