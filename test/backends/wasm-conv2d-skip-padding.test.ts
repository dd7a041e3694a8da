/**
 * The `wasm-simd-conv2d-skip-padding` fix: the forward convolution by padding classes equals plain
 * cpu (Conv2D and FusedConv2D with a bias, geometries whose pixels read padding rows, columns,
 * corners or nothing but padding, Cin 1 and multiples of 4, many chunkings), multiplies no padding
 * tap (the GEMM's K, counted; a NaN in a padding tap of the filter), leaves nothing behind, and
 * switches off to the plain path.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-layers';
import { getFix, useBackend } from 'ts-gan/backends';
import { afterAll, describe, expect, it } from 'vitest';
import { setSimdConv2dBlocking } from '../../src/backends/fixes/wasm-simd-conv2d.js';
import { expectClose } from '../../test-shared/compare';
import { gemmWork, onPlainCpu } from '../support/conv';
import { expectNoGrowth, seeded as rand } from '../support/fixes';

const FIX = 'wasm-simd-conv2d-skip-padding';

/**
 * Each output is a float32 sum of the products of the taps inside the input, in another order and
 * K blocking than cpu's (which also adds the padding taps' 0·w): equal within float32 rounding.
 * As in wasm-simd-conv2d.test.ts, 2e-5 of the largest value leaves room for the rounding (measured
 * under 1e-6) and still catches one missing or misplaced product (of the order of 1e-2 of it).
 */
const TOL = 2e-5;

type Explicit = [[0, 0], [number, number], [number, number], [0, 0]];
interface Case {
  x: [number, number, number, number];
  k: number;
  cout: number;
  strides: number;
  pad: 'same' | 'valid' | Explicit;
}
const CASES: Case[] = [
  { x: [4, 14, 14, 64], k: 4, cout: 128, strides: 2, pad: 'same' }, // the DCGAN's middle layer (padded B rows)
  { x: [3, 9, 9, 16], k: 3, cout: 16, strides: 1, pad: 'same' }, // 3x3 stride 1: a padding row or column at each edge
  { x: [2, 3, 3, 8], k: 5, cout: 8, strides: 1, pad: 'same' }, // whole filter rows and columns outside
  { x: [3, 9, 9, 16], k: 4, cout: 8, strides: 2, pad: 'same' }, // 75 pixels: partial panels
  { x: [2, 11, 9, 1], k: 3, cout: 32, strides: 2, pad: 'same' }, // grayscale: scalar gathers
  { x: [3, 28, 28, 1], k: 4, cout: 64, strides: 2, pad: 'same' }, // the DCGAN's first layer
  {
    x: [2, 4, 4, 4],
    k: 3,
    cout: 8,
    strides: 1,
    pad: [
      [0, 0],
      [3, 3],
      [3, 3],
      [0, 0],
    ],
  }, // corners: padding only
  { x: [2, 9, 9, 32], k: 5, cout: 16, strides: 2, pad: 'valid' }, // nothing to leave out
];
/** Pixels per chunk: the default, then many chunks of a class (with partial last panels). */
const CHUNKS = [256, 12, 4];

const label = (c: Case) => `x ${c.x.join('x')}, ${c.k}x${c.k}x${c.cout}, stride ${c.strides}, ${JSON.stringify(c.pad)}`;

/** Conv2D and FusedConv2D with a bias, read back. */
function forward(c: Case, filter?: () => tf.Tensor4D): number[][] {
  return tf.tidy(() => {
    const x = rand(c.x, 1) as tf.Tensor4D;
    const w = filter?.() ?? (rand([c.k, c.k, c.x[3], c.cout], 2) as tf.Tensor4D);
    const bias = rand([c.cout], 3);
    const plain = tf.conv2d(x, w, c.strides, c.pad);
    const fused = tf.fused.conv2d({ x, filter: w, strides: c.strides, pad: c.pad, bias });
    return [plain, fused].map((t) => Array.from(t.dataSync()));
  });
}

async function withFix<T>(on: boolean, f: () => T): Promise<T> {
  await useBackend('wasm', { fixes: { [FIX]: on } as never });
  expect(getFix(FIX)?.isApplied()).toBe(on);
  expect(getFix('wasm-simd-conv2d')?.isApplied()).toBe(true);
  return f();
}

/** Runs `f` counting the products (rows · K) of every GEMM of the forward convolution. */
const countProducts = (f: () => unknown): number =>
  gemmWork(
    () => void f(),
    (rows, k) => rows * k,
  );

/** The products (pixel, tap, input channel) whose tap reads the input, counted here from the geometry. */
function insideProducts(c: Case): number {
  const info = tf.backend_util.computeConv2DInfo(c.x, [c.k, c.k, c.x[3], c.cout], c.strides, 1, c.pad);
  let inside = 0;
  for (let oh = 0; oh < info.outHeight; oh++) {
    for (let ow = 0; ow < info.outWidth; ow++) {
      for (let fh = 0; fh < c.k; fh++) {
        for (let fw = 0; fw < c.k; fw++) {
          const ih = oh * c.strides - info.padInfo.top + fh;
          const iw = ow * c.strides - info.padInfo.left + fw;
          if (ih >= 0 && ih < c.x[1] && iw >= 0 && iw < c.x[2]) inside++;
        }
      }
    }
  }
  return inside * c.x[0] * c.x[3];
}

afterAll(async () => {
  setSimdConv2dBlocking(256, null);
  await useBackend('wasm', { fixes: false });
  await useBackend('cpu', { fixes: false });
});

describe('wasm-simd-conv2d-skip-padding', () => {
  for (const c of CASES) {
    it(`equals plain cpu, in chunks of ${CHUNKS.join(', ')} pixels: ${label(c)}`, async () => {
      const cpu = await onPlainCpu(() => forward(c));
      try {
        for (const rows of CHUNKS) {
          setSimdConv2dBlocking(rows, null);
          let on: number[][] = [];
          // Taken by the SIMD kernel (not left to XNNPACK): its GEMM runs.
          const products = await withFix(true, () => countProducts(() => (on = forward(c))));
          expect(products).toBeGreaterThan(0);
          for (const i of [0, 1]) {
            expect(on[i]?.length).toBe(cpu[i]?.length);
            expectClose(on[i] ?? [], cpu[i] ?? [], TOL, 'largest');
          }
          expect(on[0]?.some((v) => v !== 0)).toBe(true);
        }
      } finally {
        setSimdConv2dBlocking(256, null);
      }
    });
  }

  it('multiplies only the taps inside the input: the GEMMs add up to those products, without the fix to all', async () => {
    // Batch 4: every class holds a multiple of 4 pixels, so no GEMM row is a partial panel's filler.
    const dcgan = CASES[0] as Case;
    const stride1: Case = { x: [4, 7, 7, 16], k: 3, cout: 16, strides: 1, pad: 'same' };
    for (const c of [dcgan, stride1]) {
      const all = c.x[0] * (c.x[1] / c.strides) * (c.x[2] / c.strides) * c.k * c.k * c.x[3];
      const on = await withFix(true, () => countProducts(() => forward(c)));
      const off = await withFix(false, () => countProducts(() => forward(c)));
      // Two convolutions each: Conv2D and FusedConv2D.
      expect(on, label(c)).toBe(2 * insideProducts(c));
      expect(off, label(c)).toBe(2 * all);
      expect(on).toBeLessThan(off);
    }
    // 13.8% of the DCGAN layer's products read padding.
    expect(insideProducts(dcgan) / (4 * 7 * 7 * 16 * 64)).toBeCloseTo(1 - 0.138, 3);
  });

  it('leaves out padding rows and columns: a NaN in a tap there reaches the edge outputs only without the fix', async () => {
    const c: Case = { x: [3, 9, 9, 16], k: 4, cout: 8, strides: 2, pad: 'same' };
    // Tap (fh 0, fw 1) reads the padding row above the image for output row 0 only; tap (fh 1,
    // fw 0) the padding column left of it for output column 0 only.
    const filter = (fh: number, fw: number) => () => {
      const w = rand([c.k, c.k, c.x[3], c.cout], 2).bufferSync();
      w.set(Number.NaN, fh, fw, 0, 0);
      return w.toTensor() as tf.Tensor4D;
    };
    // The Conv2D part, [3, 5, 5, 8]: output channel 0 of each pixel.
    const nans = (values: number[]) => {
      const at: string[] = [];
      for (let m = 0; m < 75; m++)
        if (Number.isNaN(values[m * 8] as number)) at.push(`${Math.floor(m / 5) % 5},${m % 5}`);
      return at;
    };
    const everywhere = Array.from({ length: 3 }, () =>
      Array.from({ length: 25 }, (_, p) => `${Math.floor(p / 5)},${p % 5}`),
    ).flat();
    for (const [fh, fw] of [
      [0, 1],
      [1, 0],
    ] as const) {
      const off = await withFix(false, () => forward(c, filter(fh, fw))[0] ?? []);
      const on = await withFix(true, () => forward(c, filter(fh, fw))[0] ?? []);
      expect(nans(off)).toEqual(everywhere);
      // Every pixel but the edge row or column the tap reads padding for.
      expect(nans(on)).toEqual(everywhere.filter((p) => (fh === 0 ? !p.startsWith('0,') : !p.endsWith(',0'))));
    }
  });

  it('leaves no tensor and no wasm buffer behind', async () => {
    // The DCGAN layer (filter rows copied for the side classes) and a geometry with empty classes.
    await withFix(true, () =>
      expectNoGrowth(() => {
        forward(CASES[0] as Case);
        forward(CASES[6] as Case);
      }),
    );
  });

  it('is switched off by name, leaving wasm-simd-conv2d on', async () => {
    await withFix(false, () => undefined);
    await useBackend('wasm');
    expect(getFix(FIX)?.isApplied()).toBe(true);
  });
});
