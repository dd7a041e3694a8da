import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { assembleWat, build, usesRelaxedSimd, WAT_DIR, wantsSharedVariant } from '../../scripts/build-wasm';
import { fromBase64 } from '../../src/backends/fixes/wasm-bytecode';
import { hasRelaxedSimd } from '../../src/backends/fixes/wasm-simd-gemm';
import * as adam from '../../src/backends/fixes/wat/adam.bytes';
import * as gemm from '../../src/backends/fixes/wat/gemm.bytes';
import * as leaky from '../../src/backends/fixes/wat/leaky-relu.bytes';

describe('the WebAssembly text sources', () => {
  const sources = readdirSync(WAT_DIR).filter((f) => f.endsWith('.wat'));
  const read = (file: string) => readFileSync(join(WAT_DIR, file), 'utf8');

  it('exist: every WebAssembly module of the library has one', () => {
    for (const name of [
      'adam',
      'batchnorm-grad',
      'batch-norm',
      'conv-columns',
      'gemm',
      'gemm-relaxed',
      'leaky-relu',
      'simd-probe',
      'simd-probe-relaxed',
    ]) {
      expect(sources).toContain(`${name}.wat`);
    }
  });

  it('only *-relaxed.wat may use relaxed SIMD and multi-memory: the other sources are assembled without them', async () => {
    await expect(assembleWat(read('simd-probe-relaxed.wat'), 'simd-probe.wat')).rejects.toThrow(/relaxed/);
    const ownMemory = read('gemm.wat').replace('(memory 1))', '(memory 1))\n  (memory $own 1)');
    await expect(assembleWat(ownMemory, 'gemm.wat')).rejects.toThrow(/memor/);
    await expect(assembleWat(ownMemory, 'gemm-relaxed.wat')).resolves.toBeInstanceOf(Uint8Array);
  });

  for (const file of sources) {
    it(`${file}: the committed bytes are the source assembled by wabt (npm run build:wasm)`, async () => {
      const name = file.slice(0, -'.wat'.length);
      const { bytes, shared, text } = await build(read(file), file);
      // A relaxed-SIMD module validates only where the engine has relaxed SIMD (Node 22+, not 20).
      expect(WebAssembly.validate(bytes as BufferSource)).toBe(usesRelaxedSimd(file) ? hasRelaxedSimd() : true);
      if (shared) expect(WebAssembly.validate(shared as BufferSource)).toBe(true);
      expect(readFileSync(join(WAT_DIR, `${name}.bytes.ts`), 'utf8')).toBe(text);
    });
  }

  it("the element-wise kernels come in a plain and a shared-memory variant (tfjs-wasm's threaded build)", () => {
    expect(sources.filter((f) => wantsSharedVariant(read(f))).sort()).toEqual([
      'adam.wat',
      'batch-norm.wat',
      'batchnorm-grad.wat',
      'leaky-relu.wat',
      'tanh.wat',
    ]);
    expect('SHARED_BASE64' in gemm).toBe(false);
    const plain = new WebAssembly.Memory({ initial: 1 });
    const shared = new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
    const link = (base64: string, memory: WebAssembly.Memory) => () =>
      new WebAssembly.Instance(new WebAssembly.Module(fromBase64(base64) as BufferSource), { env: { memory } });
    for (const m of [adam, leaky]) {
      expect(link(m.BASE64, plain)).not.toThrow();
      expect(link(m.BASE64, shared)).toThrow(WebAssembly.LinkError);
      expect(link(m.SHARED_BASE64, shared)).not.toThrow();
      expect(link(m.SHARED_BASE64, plain)).toThrow(WebAssembly.LinkError);
    }
  });

  it('a shared-memory variant needs the plain import it rewrites', async () => {
    await expect(assembleWat('(module (memory 1))', 'x.wat', true)).rejects.toThrow(/shared-memory variant/);
  });
});
