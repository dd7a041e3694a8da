/**
 * The element-wise WebAssembly SIMD functions on their own, outside tfjs: the Adam update
 * (`wasm-simd-adam`, used by the `fused-adam` fix) and LeakyReLU with its gradient
 * (`wasm-simd-leaky-relu`). On a plain and on a shared memory (tfjs-wasm's threaded build), for
 * every length from 0 to 17 and a few long ones, with negative values, zeros of both signs,
 * infinities and NaN, each output is compared with a float32 reference written here; the functions
 * write whole groups of four and nothing past them (the callers do the last n % 4 in JavaScript).
 */
import { describe, expect, it } from 'vitest';
import { simdAdamFor } from '../../src/backends/fixes/wasm-simd-adam.js';
import { simdLeakyReluFor } from '../../src/backends/fixes/wasm-simd-leaky-relu.js';

const f = Math.fround;
const LENGTHS = [...Array.from({ length: 18 }, (_, n) => n), 63, 64, 65, 1021, 4099];
/** Room for seven arrays of the longest length, at addresses that are 4- but not 16-byte aligned. */
const PAGES = 4;
const SENTINEL = 12345.5;
const SPECIAL = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0, 0, -1e-30, 1e30, -2.5];

function memoryOf(shared: boolean): WebAssembly.Memory {
  return shared
    ? new WebAssembly.Memory({ initial: PAGES, maximum: PAGES, shared: true })
    : new WebAssembly.Memory({ initial: PAGES });
}

/** Deterministic values in [-3, 3), with a special value every 7th element. */
function values(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: n }, (_, i) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return i % 7 === 3 ? (SPECIAL[(i + seed) % SPECIAL.length] as number) : (s / 2 ** 32) * 6 - 3;
  });
}

/** `count` arrays of `n` floats laid out in `memory`, each starting 4 bytes past a 16-byte boundary. */
function layout(
  memory: WebAssembly.Memory,
  n: number,
  count: number,
): { addr: number[]; view: (k: number) => Float32Array } {
  const stride = Math.ceil((n * 4 + 4) / 16) * 16 + 16;
  const addr = Array.from({ length: count }, (_, k) => 64 + k * stride + 4);
  return { addr, view: (k) => new Float32Array(memory.buffer, addr[k] as number, n) };
}

/** Same numbers, -0 told apart from 0 and NaN equal to NaN (toEqual's rules plus the sign of zero). */
const signed = (a: ArrayLike<number>) => Array.from(a, (v) => (Object.is(v, -0) ? '-0' : v));

describe('the SIMD Adam update on its own', () => {
  // tfjs's order of float32 operations (see AdamUpdateAttrs), step 3 of beta1 = 0.5, beta2 = 0.999.
  const c = {
    beta1: f(0.5),
    oneMinusBeta1: f(0.5),
    beta2: f(0.999),
    oneMinusBeta2: f(1 - 0.999),
    oneMinusAccBeta1: f(1 - 0.5 ** 3),
    oneMinusAccBeta2: f(1 - 0.999 ** 3),
    epsilon: f(1e-7),
    negLearningRate: f(-0.01),
  };
  const reference = (x: number, m: number, v: number, g: number) => {
    const m2 = f(f(m * c.beta1) + f(g * c.oneMinusBeta1));
    const v2 = f(f(v * c.beta2) + f(f(g * g) * c.oneMinusBeta2));
    const denominator = f(f(Math.sqrt(f(v2 / c.oneMinusAccBeta2))) + c.epsilon);
    return [f(f(f(f(m2 / c.oneMinusAccBeta1) / denominator) * c.negLearningRate) + x), m2, v2];
  };

  it('is a function of 16 parameters: seven addresses, a byte length, eight float32 constants', () => {
    expect(simdAdamFor(memoryOf(false))?.length).toBe(16);
  });

  for (const shared of [false, true]) {
    it(`${shared ? 'shared' : 'plain'} memory: every length, the reference's bits, nothing past the last group of four`, () => {
      const memory = memoryOf(shared);
      const adam = simdAdamFor(memory);
      expect(adam).toBeTypeOf('function');
      for (const n of LENGTHS) {
        const { addr, view } = layout(memory, n, 7);
        const [x, m, v, g] = [values(n, n), values(n, n + 1), values(n, n + 2), values(n, n + 3)];
        // v >= 0 in Adam, but a negative one must give NaN as tfjs's sqrt does: keep a few.
        for (let i = 0; i < n; i++) if (i % 5 !== 1) v[i] = Math.abs(v[i] as number);
        for (const [k, a] of [x, m, v, g].entries()) view(k).set(a);
        for (let k = 4; k < 7; k++) view(k).fill(SENTINEL);
        const done = n - (n % 4);
        const [xa, ma, va, ga, xo, mo, vo] = addr as [number, number, number, number, number, number, number];
        adam?.(
          xa,
          ma,
          va,
          ga,
          xo,
          mo,
          vo,
          done * 4,
          ...(Object.values(c) as [number, number, number, number, number, number, number, number]),
        );
        const expected: number[][] = [[], [], []];
        for (let i = 0; i < n; i++) {
          const r =
            i < done
              ? reference(x[i] as number, m[i] as number, v[i] as number, g[i] as number)
              : [SENTINEL, SENTINEL, SENTINEL];
          for (const [k, value] of r.entries()) expected[k]?.push(value);
        }
        for (let k = 0; k < 3; k++)
          expect(signed(view(4 + k)), `n = ${n}, output ${k}`).toEqual(signed(expected[k] ?? []));
        // The inputs are left as they were.
        for (const [k, a] of [x, m, v, g].entries()) expect(signed(view(k))).toEqual(signed(a));
      }
    });
  }
});

describe('the SIMD LeakyReLU and its gradient on their own', () => {
  for (const shared of [false, true]) {
    it(`${shared ? 'shared' : 'plain'} memory: every length and slope, tfjs's formulas' bits, nothing past the last group of four`, () => {
      const memory = memoryOf(shared);
      const fns = simdLeakyReluFor(memory);
      expect(fns?.forward.length).toBe(5);
      expect(fns?.gradient.length).toBe(5);
      for (const alpha of [0.2, 0.01, 1, -0.5]) {
        const a = f(alpha);
        for (const n of LENGTHS) {
          const { addr, view } = layout(memory, n, 4);
          const [x, dy] = [values(n, 3 * n), values(n, 3 * n + 1)];
          view(0).set(x);
          view(1).set(dy);
          view(2).fill(SENTINEL);
          view(3).fill(SENTINEL);
          const done = n - (n % 4);
          const [xa, dya, ya, dxa] = addr as [number, number, number, number];
          fns?.forward(xa, xa, ya, done * 4, alpha);
          fns?.gradient(dya, xa, dxa, done * 4, alpha);
          const y = Array.from(x, (v, i) => (i >= done ? SENTINEL : v < 0 ? f(v * a) : v));
          const dx = Array.from(x, (v, i) =>
            i >= done ? SENTINEL : v > 0 ? (dy[i] as number) : f((dy[i] as number) * a),
          );
          expect(signed(view(2)), `forward, n = ${n}, alpha = ${alpha}`).toEqual(signed(y));
          expect(signed(view(3)), `gradient, n = ${n}, alpha = ${alpha}`).toEqual(signed(dx));
          expect(signed(view(0))).toEqual(signed(x));
          expect(signed(view(1))).toEqual(signed(dy));
        }
      }
    });
  }
});
