/**
 * A hand-assembled WebAssembly SIMD float32 GEMM, C = A·B, for the `cpu-simd-matmul` fix.
 *
 * The module imports its memory; the caller packs the operands into it:
 * - A as 4-row panels: panel p holds rows 4p..4p+3, one group of four floats per k
 *   (`a[(p*K + k)*4 + r] = A[4p + r][k]`), so the micro-kernel reads one contiguous stream;
 * - B row-major, `K` rows of `np` floats (`np` a multiple of 8; the padding columns may hold
 *   anything, they only reach padding columns of C);
 * - C comes out row-major, `mp` rows of `np` floats (`mp` a multiple of 4).
 *
 * The micro-kernel holds a 4x8 block of C in eight f32x4 locals: per k it splats four values of A,
 * loads two f32x4 of B, and does eight multiplies and eight adds (plain 128-bit SIMD; no
 * relaxed-SIMD FMA, which Node 20's V8 does not enable by default). Column strips of 8 are the
 * outer loop, so a strip of B (K x 32 bytes) stays in cache while every panel of A streams past it.
 * Each C element is summed in float32 in k order.
 *
 * @packageDocumentation
 */

import {
  ADD,
  get,
  HEADER,
  I32,
  I32_ADD,
  leb,
  MUL,
  SPLAT,
  section,
  set,
  simd,
  sleb,
  str,
  V128,
} from './wasm-bytecode.js';

const i32c = (n: number) => [0x41, ...sleb(n)];
/** Memory immediates: alignment hint log2 4 bytes (all addresses here are multiples of 4), offset. */
const V_LOAD = (offset: number) => [...simd(0x00), 2, ...leb(offset)];
const V_STORE = (offset: number) => [...simd(0x0b), 2, ...leb(offset)];
const F32_LOAD = (offset: number) => [0x2a, 2, ...leb(offset)];
const V_ZERO = [...simd(0x0c), ...new Array<number>(16).fill(0)];
const I32_MUL = 0x6c;
const I32_SHL = 0x74;
const I32_LT_U = 0x49;
const LOOP = [0x03, 0x40];
const BR_IF = (depth: number) => [0x0d, depth];
const END = 0x0b;

// Parameters: 0 a, 1 b, 2 c (byte addresses), 3 mp (rows, multiple of 4), 4 k (>= 1), 5 np
// (columns, multiple of 8). Locals: i32 6 jb (byte offset of the column strip), 7 pa, 8 pb,
// 9 kEnd, 10 row, 11 rowBytes (np*4), 12 panel, 13 pc; v128 14..21 the accumulators, 22 b0,
// 23 b1, 24 the splatted A value.
const P = { a: 0, b: 1, c: 2, mp: 3, k: 4, np: 5 };
const L = { jb: 6, pa: 7, pb: 8, kEnd: 9, row: 10, rowBytes: 11, panel: 12, pc: 13 };
const ACC = 14;
const B0 = 22;
const B1 = 23;
const S = 24;

function gemmBody(): number[] {
  const code: number[] = [];
  code.push(...get(P.np), ...i32c(2), I32_SHL, ...set(L.rowBytes));
  code.push(...i32c(0), ...set(L.jb));
  code.push(...LOOP); // strips of 8 columns
  code.push(...get(P.a), ...set(L.panel));
  code.push(...i32c(0), ...set(L.row));
  code.push(...LOOP); // panels of 4 rows
  for (let i = 0; i < 8; i++) code.push(...V_ZERO, ...set(ACC + i));
  code.push(...get(L.panel), ...set(L.pa));
  code.push(...get(P.b), ...get(L.jb), I32_ADD, ...set(L.pb));
  code.push(...get(L.panel), ...get(P.k), ...i32c(4), I32_SHL, I32_ADD, ...set(L.kEnd));
  code.push(...LOOP); // k
  code.push(...get(L.pb), ...V_LOAD(0), ...set(B0));
  code.push(...get(L.pb), ...V_LOAD(16), ...set(B1));
  for (let r = 0; r < 4; r++) {
    code.push(...get(L.pa), ...F32_LOAD(4 * r), ...SPLAT, ...set(S));
    code.push(...get(ACC + 2 * r), ...get(S), ...get(B0), ...MUL, ...ADD, ...set(ACC + 2 * r));
    code.push(...get(ACC + 2 * r + 1), ...get(S), ...get(B1), ...MUL, ...ADD, ...set(ACC + 2 * r + 1));
  }
  code.push(...get(L.pa), ...i32c(16), I32_ADD, ...set(L.pa));
  code.push(...get(L.pb), ...get(L.rowBytes), I32_ADD, ...set(L.pb));
  code.push(...get(L.pa), ...get(L.kEnd), I32_LT_U, ...BR_IF(0));
  code.push(END);
  // Store the 4x8 block: row `row`, columns jb/4 .. jb/4 + 7.
  code.push(...get(P.c), ...get(L.row), ...get(L.rowBytes), I32_MUL, I32_ADD, ...get(L.jb), I32_ADD, ...set(L.pc));
  for (let r = 0; r < 4; r++) {
    code.push(...get(L.pc), ...get(ACC + 2 * r), ...V_STORE(0));
    code.push(...get(L.pc), ...get(ACC + 2 * r + 1), ...V_STORE(16));
    if (r < 3) code.push(...get(L.pc), ...get(L.rowBytes), I32_ADD, ...set(L.pc));
  }
  code.push(...get(L.kEnd), ...set(L.panel));
  code.push(...get(L.row), ...i32c(4), I32_ADD, ...set(L.row));
  code.push(...get(L.row), ...get(P.mp), I32_LT_U, ...BR_IF(0));
  code.push(END);
  code.push(...get(L.jb), ...i32c(32), I32_ADD, ...set(L.jb));
  code.push(...get(L.jb), ...get(L.rowBytes), I32_LT_U, ...BR_IF(0));
  code.push(END);
  code.push(END); // function
  const locals = [2, 8, I32, 11, V128];
  const fn = [...locals, ...code];
  return [...leb(fn.length), ...fn];
}

function assemble(): Uint8Array {
  const params = [I32, I32, I32, I32, I32, I32];
  const type = section(1, [1, 0x60, ...leb(params.length), ...params, 0]);
  const imports = section(2, [1, ...str('env'), ...str('memory'), 0x02, 0x00, 1]);
  const funcs = section(3, [1, 0]);
  const exports = section(7, [1, ...str('gemm'), 0x00, 0]);
  const code = section(10, [1, ...gemmBody()]);
  return new Uint8Array([...HEADER, ...type, ...imports, ...funcs, ...exports, ...code]);
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
