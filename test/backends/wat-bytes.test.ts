import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { assembleWat, bytesModule, usesRelaxedSimd, WAT_DIR } from '../../scripts/build-wasm';
import { hasRelaxedSimd } from '../../src/backends/fixes/wasm-simd-gemm';

describe('the WebAssembly text sources', () => {
  const sources = readdirSync(WAT_DIR).filter((f) => f.endsWith('.wat'));

  it('exist', () => {
    expect(sources).toContain('conv-columns.wat');
    expect(sources).toContain('gemm.wat');
    expect(sources).toContain('gemm-relaxed.wat');
  });

  it('only *-relaxed.wat may use relaxed SIMD: the other sources are assembled without it', async () => {
    const relaxed = readFileSync(join(WAT_DIR, 'gemm-relaxed.wat'), 'utf8');
    await expect(assembleWat(relaxed, 'gemm.wat')).rejects.toThrow(/relaxed/);
  });

  for (const file of sources) {
    it(`${file}: the committed bytes are the source assembled by wabt (npm run build:wasm)`, async () => {
      const name = file.slice(0, -'.wat'.length);
      const bytes = await assembleWat(readFileSync(join(WAT_DIR, file), 'utf8'), file);
      // A relaxed-SIMD module validates only where the engine has relaxed SIMD (Node 22+, not 20).
      expect(WebAssembly.validate(bytes as BufferSource)).toBe(usesRelaxedSimd(file) ? hasRelaxedSimd() : true);
      expect(readFileSync(join(WAT_DIR, `${name}.bytes.ts`), 'utf8')).toBe(bytesModule(name, bytes));
    });
  }
});
