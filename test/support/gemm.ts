/**
 * Set-up shared by the tests of the library's SIMD GEMM (`wat/gemm.wat`, its relaxed-SIMD variant
 * and its threaded split): seeded operands, packing as the GEMM reads them, one product, and the
 * product shapes every variant is checked on.
 */
import type { GemmMemory } from '../../src/backends/fixes/wasm-simd-gemm';

/**
 * [m, k, n] of the products the GEMM tests run: ragged rows (not a multiple of 4 or of 4 x
 * threads), one panel, one element, K of 1, padding rows and columns, long sums, wide outputs.
 */
export const GEMM_TEST_SHAPES: readonly (readonly [number, number, number])[] = [
  [4, 3, 8],
  [8, 1, 8],
  [12, 17, 24],
  [20, 64, 40],
  [36, 33, 16],
  [64, 100, 256],
  [132, 257, 72],
  [1, 1, 1],
  [5, 17, 13],
  [32, 100, 256],
  [64, 1024, 24],
  [7, 2000, 9],
  // several K blocks (256 long in the plain module, 512 in the relaxed one) and row blocks (128 rows), with tails
  [261, 1100, 20],
];

/** `n` float32 values in [-1, 1) from a small seeded generator (mulberry32). */
export function uniform(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    out[i] = (((t ^ (t >>> 14)) >>> 0) / 2 ** 32) * 2 - 1;
  }
  return out;
}

/**
 * The operands of an m x k by k x n product as `wat/gemm.wat` reads them (A in panels of 4 rows,
 * B row-major with rows padded to a multiple of 8), and where B and C start, in floats.
 */
export interface Packed {
  mp: number;
  np: number;
  a: Float32Array;
  b: Float32Array;
  bAt: number;
  cAt: number;
  /** Floats used, C included. */
  floats: number;
}

function layout(m: number, k: number, n: number) {
  const mp = Math.ceil(m / 4) * 4;
  const np = Math.ceil(n / 8) * 8;
  const bAt = mp * k;
  const cAt = bAt + k * np;
  return { mp, np, bAt, cAt, floats: cAt + mp * np };
}

/** Seeded packed operands, padding included, of an m x k by k x n product. */
export function packed(m: number, k: number, n: number, seed: number): Packed {
  const l = layout(m, k, n);
  return { ...l, a: uniform(l.mp * k, seed), b: uniform(k * l.np, seed + 1) };
}

/** Row-major A (m x k) and B (k x n) packed, with zeros in the padding. */
export function pack(a: Float32Array, b: Float32Array, m: number, k: number, n: number): Packed {
  const l = layout(m, k, n);
  const pa = new Float32Array(l.mp * k);
  const pb = new Float32Array(k * l.np);
  for (let i = 0; i < m; i++) {
    for (let kk = 0; kk < k; kk++) pa[((i >> 2) * k + kk) * 4 + (i & 3)] = a[i * k + kk] as number;
  }
  for (let kk = 0; kk < k; kk++) pb.set(b.subarray(kk * n, (kk + 1) * n), kk * l.np);
  return { ...l, a: pa, b: pb };
}

/** C (mp x np, padding included) computed by `g` on the packed operands; every element must be written. */
export function product(g: GemmMemory, p: Packed, k: number): Float32Array {
  g.reserve(4 * p.floats);
  const f = g.floats();
  f.set(p.a, 0);
  f.set(p.b, p.bAt);
  f.fill(Number.NaN, p.cAt, p.floats);
  g.gemm(0, 4 * p.bAt, 4 * p.cAt, p.mp, k, p.np);
  return g.floats().slice(p.cAt, p.floats);
}
