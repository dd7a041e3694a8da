/**
 * A tiny hand-assembled WebAssembly SIMD function that performs the Adam update on tfjs-wasm's
 * own memory: four lanes at a time, with the same float32 operations in the same order as
 * tf.train.adam's op sequence (IEEE add, mul, div and sqrt are exactly rounded in wasm SIMD, so
 * the bits match). A JavaScript loop cannot compete with tfjs's SIMD kernels here; this can, and
 * it reads and writes each tensor once instead of a dozen times.
 *
 * @packageDocumentation
 */

import {
  ADD,
  F32,
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
  str,
  V128,
} from './wasm-bytecode.js';

/** v128.load/store with 4-byte alignment (log2 = 2) and offset 0. */
const load = [...simd(0x00), 2, 0];
const store = [...simd(0x0b), 2, 0];
const SQRT = simd(0xe3);
const DIV = simd(0xe7);

// Parameters: 0..6 byte addresses of x, m, v, g, xOut, mOut, vOut; 7 byte length (a multiple of
// 16); 8..15 the float32 constants in AdamUpdateAttrs order. Locals: 16 offset; 17..24 the
// constants splatted to four lanes; 25 g, 26 m', 27 v'.
const P = { x: 0, m: 1, v: 2, g: 3, xOut: 4, mOut: 5, vOut: 6, bytes: 7 };
const OFF = 16;
const K = { b1: 17, c1: 18, b2: 19, c2: 20, oa1: 21, oa2: 22, eps: 23, nlr: 24 };
const G = 25;
const M2 = 26;
const V2 = 27;
const at = (ptr: number) => [...get(ptr), ...get(OFF), I32_ADD];

function body(): number[] {
  const code: number[] = [];
  for (let k = 0; k < 8; k++) code.push(...get(8 + k), ...SPLAT, ...set(17 + k));
  code.push(0x02, 0x40, 0x03, 0x40); // block, loop
  code.push(...get(OFF), ...get(P.bytes), 0x4f, 0x0d, 1); // if off >= bytes: break
  code.push(...at(P.g), ...load, ...set(G));
  // m' = m*beta1 + g*(1-beta1)
  code.push(...at(P.m), ...load, ...get(K.b1), ...MUL, ...get(G), ...get(K.c1), ...MUL, ...ADD, ...set(M2));
  // v' = v*beta2 + (g*g)*(1-beta2)
  code.push(
    ...at(P.v),
    ...load,
    ...get(K.b2),
    ...MUL,
    ...get(G),
    ...get(G),
    ...MUL,
    ...get(K.c2),
    ...MUL,
    ...ADD,
    ...set(V2),
  );
  code.push(...at(P.mOut), ...get(M2), ...store);
  code.push(...at(P.vOut), ...get(V2), ...store);
  // x' = ((m'/(1-beta1^t)) / (sqrt(v'/(1-beta2^t)) + eps)) * -lr + x
  code.push(...at(P.xOut));
  code.push(...get(M2), ...get(K.oa1), ...DIV);
  code.push(...get(V2), ...get(K.oa2), ...DIV, ...SQRT, ...get(K.eps), ...ADD);
  code.push(...DIV, ...get(K.nlr), ...MUL);
  code.push(...at(P.x), ...load, ...ADD, ...store);
  code.push(...get(OFF), 0x41, 16, I32_ADD, ...set(OFF)); // off += 16
  code.push(0x0c, 0, 0x0b, 0x0b); // br loop; end loop; end block
  code.push(0x0b); // end function
  const locals = [2, 1, I32, 11, V128];
  const fn = [...locals, ...code];
  return [...leb(fn.length), ...fn];
}

function assemble(shared: boolean, maxPages: number | undefined): Uint8Array {
  const params = [I32, I32, I32, I32, I32, I32, I32, I32, F32, F32, F32, F32, F32, F32, F32, F32];
  const type = section(1, [1, 0x60, ...leb(params.length), ...params, 0]);
  const limits = shared ? [0x03, 1, ...leb(maxPages ?? 65536)] : [0x00, 1];
  const imports = section(2, [1, ...str('env'), ...str('memory'), 0x02, ...limits]);
  const funcs = section(3, [1, 0]);
  const exports = section(7, [1, ...str('adam'), 0x00, 0]);
  const code = section(10, [1, ...body()]);
  return new Uint8Array([...HEADER, ...type, ...imports, ...funcs, ...exports, ...code]);
}

/** The update function: addresses and byte length, then the eight constants. */
export type SimdAdam = (
  x: number,
  m: number,
  v: number,
  g: number,
  xOut: number,
  mOut: number,
  vOut: number,
  bytes: number,
  beta1: number,
  oneMinusBeta1: number,
  beta2: number,
  oneMinusBeta2: number,
  oneMinusAccBeta1: number,
  oneMinusAccBeta2: number,
  epsilon: number,
  negLearningRate: number,
) => void;

const instances = new WeakMap<WebAssembly.Memory, SimdAdam | null>();

/**
 * The SIMD update bound to `memory`, or null where it cannot be built (no WebAssembly SIMD, or a
 * shared memory this module cannot import): callers then use the op sequence.
 */
export function simdAdamFor(memory: WebAssembly.Memory | undefined): SimdAdam | null {
  if (!memory || typeof WebAssembly === 'undefined') return null;
  const known = instances.get(memory);
  if (known !== undefined) return known;
  let fn: SimdAdam | null = null;
  try {
    const shared = typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
    // A shared memory's import must declare a maximum; 65536 pages (4 GiB) accepts any.
    const module = new WebAssembly.Module(assemble(shared, shared ? 65536 : undefined) as BufferSource);
    const instance = new WebAssembly.Instance(module, { env: { memory } });
    fn = instance.exports.adam as SimdAdam;
  } catch {
    fn = null;
  }
  instances.set(memory, fn);
  return fn;
}
