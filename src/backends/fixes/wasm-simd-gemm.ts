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
 * (plain 128-bit SIMD). Each C element is summed in float32 in k order.
 *
 * Both modules block their loops for the caches (K in blocks, rows in blocks of 128), with the same
 * bits as unblocked loops: a block of C goes back to memory between K blocks as the float32 it was.
 *
 * Where the engine has WebAssembly relaxed SIMD (V8 in Node 22 and later, current Chrome; not Node
 * 20), `wat/gemm-relaxed.wat` does the same with one `f32x4.relaxed_madd` per multiply and add: a
 * fused multiply-add on CPUs that have one. It also copies each strip of 8 columns of B into a small
 * memory of its own (multi-memory, which such engines have too), so that B streams like A. It is chosen at each call while the `wasm-relaxed-simd`
 * fix is on ({@link setRelaxedSimd}) and the engine validates it ({@link hasRelaxedSimd}); otherwise
 * the plain module runs. The two differ only by the rounding of the products: for C[i][j],
 * |relaxed - plain| <= 2 * K * 2^-24 * sum_k |A[i][k] * B[k][j]|.
 *
 * @packageDocumentation
 */

import { fromBase64 } from './wasm-bytecode.js';
import { BASE64 } from './wat/gemm.bytes.js';
import { BASE64 as RELAXED_BASE64 } from './wat/gemm-relaxed.bytes.js';
import { BASE64 as SIMD_PROBE } from './wat/simd-probe.bytes.js';
import { BASE64 as RELAXED_PROBE } from './wat/simd-probe-relaxed.bytes.js';

/** `gemm(a, b, c, mp, k, np)`: byte addresses, then rows (multiple of 4), inner size, columns (multiple of 8). */
export type SimdGemm = (a: number, b: number, c: number, mp: number, k: number, np: number) => void;

/** Whether this engine runs WebAssembly SIMD (128-bit): it validates `wat/simd-probe.wat`. */
export function hasWasmSimd(): boolean {
  try {
    return typeof WebAssembly !== 'undefined' && WebAssembly.validate(fromBase64(SIMD_PROBE) as BufferSource);
  } catch {
    return false;
  }
}

let relaxedSupport: boolean | undefined;

/**
 * Whether this engine runs WebAssembly relaxed SIMD (`f32x4.relaxed_madd`) and the relaxed GEMM,
 * detected once by validating a tiny module that uses relaxed SIMD (`wat/simd-probe-relaxed.wat`),
 * then the GEMM itself, which also needs multi-memory (its own memory beside the imported one).
 */
export function hasRelaxedSimd(): boolean {
  if (relaxedSupport === undefined) {
    try {
      relaxedSupport =
        typeof WebAssembly !== 'undefined' &&
        WebAssembly.validate(fromBase64(RELAXED_PROBE) as BufferSource) &&
        WebAssembly.validate(fromBase64(RELAXED_BASE64) as BufferSource);
    } catch {
      relaxedSupport = false;
    }
  }
  return relaxedSupport;
}

/** Whether the relaxed-SIMD GEMM is wanted (the `wasm-relaxed-simd` fix); off until it is applied. */
let relaxedWanted = false;

/**
 * Chooses the GEMM variant for the calls that follow: `true` runs the relaxed-SIMD module where the
 * engine has it, `false` the plain one. Used by the `wasm-relaxed-simd` fix.
 */
export function setRelaxedSimd(on: boolean): void {
  relaxedWanted = on;
}

/** Whether the relaxed-SIMD module runs now (wanted and available). */
export function relaxedOn(): boolean {
  return relaxedWanted && hasRelaxedSimd();
}

/**
 * The GEMM on several threads (the `wasm-threaded-gemm` fix, Node only): its own shared memory,
 * packed in place by `cpu-simd-matmul` and `wasm-simd-forward-matmul`, and `runFrom`, which takes
 * a product whose operands are in another memory (tfjs-wasm's heap) and returns false when the
 * product is too small to gain from threads.
 */
export interface ThreadedGemm {
  readonly memory: GemmMemory;
  runFrom(src: WebAssembly.Memory, a: number, b: number, c: number, mp: number, k: number, np: number): boolean;
}

/** The threaded GEMM calls go through, or null (one thread). */
let threaded: ThreadedGemm | null = null;

/** Routes the GEMM's calls through `pool` (or, with null, back to one thread). */
export function setThreadedGemm(pool: ThreadedGemm | null): void {
  threaded = pool;
}

/** The threaded GEMM in use, or null. */
export function threadedGemm(): ThreadedGemm | null {
  return threaded;
}

/** Which GEMM module runs now: `'relaxed-simd'` (fused multiply-add), `'simd'`, or null without SIMD. */
export function gemmVariant(): 'relaxed-simd' | 'simd' | null {
  if (!hasWasmSimd()) return null;
  return relaxedWanted && hasRelaxedSimd() ? 'relaxed-simd' : 'simd';
}

/** The compiled modules, built on first use; null where the engine rejects them. */
const modules: { plain?: WebAssembly.Module | null; relaxed?: WebAssembly.Module | null } = {};

function compile(base64: string): WebAssembly.Module | null {
  try {
    return new WebAssembly.Module(fromBase64(base64) as BufferSource);
  } catch {
    return null;
  }
}

/**
 * Both variants instantiated on `memory`, behind one function that picks the relaxed one while it
 * is wanted: callers keep one stable function whatever the switch says. Null where SIMD is missing
 * or the plain module cannot import `memory`.
 */
function instantiate(memory: WebAssembly.Memory): SimdGemm | null {
  if (!hasWasmSimd()) return null;
  if (modules.plain === undefined) modules.plain = compile(BASE64);
  if (modules.relaxed === undefined) modules.relaxed = hasRelaxedSimd() ? compile(RELAXED_BASE64) : null;
  if (!modules.plain) return null;
  const imports = { env: { memory } };
  const plain = new WebAssembly.Instance(modules.plain, imports).exports.gemm as SimdGemm;
  const relaxed = modules.relaxed
    ? (new WebAssembly.Instance(modules.relaxed, imports).exports.gemm as SimdGemm)
    : null;
  const local: SimdGemm = relaxed
    ? (a, b, c, mp, k, np) => (relaxedWanted ? relaxed : plain)(a, b, c, mp, k, np)
    : plain;
  // Products in this memory go to the threaded GEMM while it is on and they are large enough.
  return (a, b, c, mp, k, np) => {
    if (threaded?.runFrom(memory, a, b, c, mp, k, np)) return;
    local(a, b, c, mp, k, np);
  };
}

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
    fn = instantiate(memory);
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

  /** A GEMM over `memory` (the threaded GEMM's shared memory and its splitting function). */
  static wrap(memory: WebAssembly.Memory, gemm: SimdGemm): GemmMemory {
    return new GemmMemory(memory, gemm);
  }

  /** Builds the module, or returns null where WebAssembly SIMD is missing or the build fails. */
  static create(): GemmMemory | null {
    try {
      const memory = new WebAssembly.Memory({ initial: 1 });
      const gemm = instantiate(memory);
      return gemm ? new GemmMemory(memory, gemm) : null;
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
