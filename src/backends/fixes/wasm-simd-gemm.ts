/**
 * The library's WebAssembly SIMD float32 GEMM, C = A·B, for `cpu-simd-matmul`,
 * `wasm-simd-forward-matmul` and the wasm convolution kernels. Its source is WebAssembly text,
 * `wat/gemm.wat` (assembled by `npm run build:wasm` into `wat/gemm.bytes.ts`), which describes
 * the operand layout:
 * - A as 4-row panels: panel p holds rows 4p..4p+3, one group of four floats per k
 *   (`a[(p*K + k)*4 + r] = A[4p + r][k]`), so the micro-kernel reads one contiguous stream;
 * - B row-major, `K` rows of `np` floats (`np` a multiple of 8; the padding columns may hold
 *   anything, they only reach padding columns of C);
 * - C comes out row-major, `mp` rows of `np` floats (`mp` a multiple of 4).
 *
 * The micro-kernel holds a 4x8 block of C in eight f32x4 locals: per k it loads and splats four
 * values of A (`v128.load32_splat`: on a loaded 2-core AMD EPYC the fastest of repeated runs was
 * 1.2-1.3x faster than a scalar load and a splat on the conv gradients' shapes, and `[1568,64]·[64,520]`
 * ran 1.6-1.8x faster in most runs), loads two f32x4 of B, and does eight multiplies and eight adds
 * (plain 128-bit SIMD; no relaxed-SIMD FMA, which Node 20's V8 does not enable by default). Each C
 * element is summed in float32 in k order.
 *
 * @packageDocumentation
 */

import { fromBase64, HEADER, leb, SPLAT, section, V128 } from './wasm-bytecode.js';
import { BASE64 } from './wat/gemm.bytes.js';

const END = 0x0b;

function assemble(): Uint8Array {
  return fromBase64(BASE64);
}

/** `gemm(a, b, c, mp, k, np)`: byte addresses, then rows (multiple of 4), inner size, columns (multiple of 8). */
export type SimdGemm = (a: number, b: number, c: number, mp: number, k: number, np: number) => void;

/** A module with one function returning `f32x4.splat(0)`: validates only where WebAssembly SIMD exists. */
function simdProbe(): Uint8Array {
  const type = section(1, [1, 0x60, 0, 1, V128]);
  const funcs = section(3, [1, 0]);
  const body = [0, 0x43, 0, 0, 0, 0, ...SPLAT, END];
  const code = section(10, [1, ...leb(body.length), ...body]);
  return new Uint8Array([...HEADER, ...type, ...funcs, ...code]);
}

/** Whether this engine runs WebAssembly SIMD (128-bit). */
export function hasWasmSimd(): boolean {
  try {
    return typeof WebAssembly !== 'undefined' && WebAssembly.validate(simdProbe() as BufferSource);
  } catch {
    return false;
  }
}

let compiled: WebAssembly.Module | null | undefined;
const onMemory = new WeakMap<WebAssembly.Memory, SimdGemm | null>();

/**
 * The GEMM working directly in `memory` (tfjs-wasm's heap, say: no copies in or out), or null where
 * WebAssembly SIMD is missing or the module cannot import that memory (a shared one).
 */
export function gemmOn(memory: WebAssembly.Memory | undefined): SimdGemm | null {
  if (!memory) return null;
  const known = onMemory.get(memory);
  if (known !== undefined) return known;
  let fn: SimdGemm | null = null;
  try {
    if (compiled === undefined) compiled = hasWasmSimd() ? new WebAssembly.Module(assemble() as BufferSource) : null;
    if (compiled) fn = new WebAssembly.Instance(compiled, { env: { memory } }).exports.gemm as SimdGemm;
  } catch {
    fn = null;
  }
  onMemory.set(memory, fn);
  return fn;
}

/** Bytes per WebAssembly page. */
const PAGE = 65536;

/**
 * The GEMM with its own memory, which grows as needed and is kept between calls. `floats()` is a
 * view of the whole memory; take it again after {@link GemmMemory.reserve}, which may grow (and
 * detach) the buffer.
 */
export class GemmMemory {
  readonly memory: WebAssembly.Memory;
  readonly gemm: SimdGemm;
  private view: Float32Array;

  private constructor(memory: WebAssembly.Memory, gemm: SimdGemm) {
    this.memory = memory;
    this.gemm = gemm;
    this.view = new Float32Array(memory.buffer);
  }

  /** Builds the module, or returns null where WebAssembly SIMD is missing or the build fails. */
  static create(): GemmMemory | null {
    if (!hasWasmSimd()) return null;
    try {
      const memory = new WebAssembly.Memory({ initial: 1 });
      const module = new WebAssembly.Module(assemble() as BufferSource);
      const instance = new WebAssembly.Instance(module, { env: { memory } });
      return new GemmMemory(memory, instance.exports.gemm as SimdGemm);
    } catch {
      return null;
    }
  }

  /** Makes the memory at least `bytes` long. */
  reserve(bytes: number): void {
    const have = this.memory.buffer.byteLength;
    if (bytes > have) this.memory.grow(Math.ceil((bytes - have) / PAGE));
    if (this.view.buffer !== this.memory.buffer) this.view = new Float32Array(this.memory.buffer);
  }

  /** A float view of the whole memory (current after the last {@link GemmMemory.reserve}). */
  floats(): Float32Array {
    return this.view;
  }

  /** The memory's size in bytes. */
  get byteLength(): number {
    return this.memory.buffer.byteLength;
  }
}
