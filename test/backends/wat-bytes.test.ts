import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { assembleWat, bytesModule, WAT_DIR } from '../../scripts/build-wasm';

describe('the WebAssembly text sources', () => {
  const sources = readdirSync(WAT_DIR).filter((f) => f.endsWith('.wat'));

  it('exist', () => {
    expect(sources).toContain('conv-columns.wat');
  });

  for (const file of sources) {
    it(`${file}: the committed bytes are the source assembled by wabt (npm run build:wasm)`, async () => {
      const name = file.slice(0, -'.wat'.length);
      const bytes = await assembleWat(readFileSync(join(WAT_DIR, file), 'utf8'), file);
      expect(WebAssembly.validate(bytes as BufferSource)).toBe(true);
      expect(readFileSync(join(WAT_DIR, `${name}.bytes.ts`), 'utf8')).toBe(bytesModule(name, bytes));
    });
  }
});
