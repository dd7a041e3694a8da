import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import fc from 'fast-check';
import { Trainer } from 'ts-gan';
import { getFix, useBackend } from 'ts-gan/backends';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { cpuSimdMatMulMemoryBytes } from '../../src/backends/fixes/cpu-simd-matmul';
import { snapshot, tinyData, tinyGan } from '../../test-shared/fixtures';

const FIX = 'cpu-simd-matmul';
const fix = () => {
  const f = getFix(FIX);
  if (!f) throw new Error(`fix ${FIX} is not registered`);
  return f;
};

/** tfjs-backend-cpu's own kernels, captured before the fix is ever applied. */
let plainBatchMatMul: tf.KernelFunc;
let plainFusedMatMul: tf.KernelFunc;

beforeAll(async () => {
  await useBackend('cpu', { fixes: false });
  plainBatchMatMul = tf.getKernel('BatchMatMul', 'cpu')?.kernelFunc as tf.KernelFunc;
  plainFusedMatMul = tf.getKernel('_FusedMatMul', 'cpu')?.kernelFunc as tf.KernelFunc;
});

afterAll(async () => {
  await useBackend('cpu', { fixes: false });
});

/** Runs `f` with the fix removed, then applied (checking that it really replaced the kernels). */
function offAndOn(f: () => tf.Tensor): { off: Float32Array; on: Float32Array; shapeOff: number[]; shapeOn: number[] } {
  fix().remove();
  expect(tf.getKernel('BatchMatMul', 'cpu')?.kernelFunc).toBe(plainBatchMatMul);
  const [off, shapeOff] = tf.tidy(() => {
    const t = f();
    return [Float32Array.from(t.dataSync() as ArrayLike<number>), t.shape] as const;
  });
  fix().apply();
  expect(tf.getKernel('BatchMatMul', 'cpu')?.kernelFunc).not.toBe(plainBatchMatMul);
  expect(tf.getKernel('_FusedMatMul', 'cpu')?.kernelFunc).not.toBe(plainFusedMatMul);
  const [on, shapeOn] = tf.tidy(() => {
    const t = f();
    return [Float32Array.from(t.dataSync() as ArrayLike<number>), t.shape] as const;
  });
  return { off, on, shapeOff, shapeOn };
}

function maxAbs(t: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(t)).dataSync()[0] as number);
}

/**
 * The bound used throughout: |fixed - tfjs| <= 1e-6 * K * max|a| * max|b| (+ 1e-6 * max|bias|).
 * Both sides sum K float32 products; the worst-case float32 rounding of such a sum is about
 * K * 2^-23 * max|a| * max|b| (2^-23 = 1.2e-7), so 1e-6 leaves a factor of 8 and still fails any
 * wrong index or missed term, whose error is of the order of max|a| * max|b| itself.
 */
function expectEqual(r: ReturnType<typeof offAndOn>, k: number, a: tf.Tensor, b: tf.Tensor, bias?: tf.Tensor): void {
  expect(r.shapeOn).toEqual(r.shapeOff);
  expect(r.on.length).toBe(r.off.length);
  const bound = 1e-6 * (Math.max(1, k) * maxAbs(a) * maxAbs(b) + (bias ? maxAbs(bias) : 0));
  let worst = 0;
  for (let i = 0; i < r.on.length; i++) {
    const d = Math.abs((r.on[i] as number) - (r.off[i] as number));
    worst = Number.isNaN(d) ? Number.POSITIVE_INFINITY : Math.max(worst, d);
  }
  expect(worst).toBeLessThanOrEqual(bound);
}

let seed = 1;
function rand(shape: number[], scale = 1): tf.Tensor {
  return tf.tidy(() => tf.mul(tf.randomUniform(shape, -1, 1, 'float32', seed++), scale));
}

/** [aShape, bShape] of the plain product; the transposes swap the last two axes of each. */
const SHAPES: [number[], number[]][] = [
  [
    [1, 1],
    [1, 1],
  ],
  [
    [3, 5],
    [5, 7],
  ],
  [
    [1, 9],
    [9, 1],
  ],
  [
    [13, 37],
    [37, 11],
  ],
  [
    [67, 3],
    [3, 5],
  ], // tall
  [
    [2, 5],
    [5, 130],
  ], // wide
  [
    [4, 64],
    [64, 8],
  ], // exact multiples
  [
    [33, 100],
    [100, 17],
  ],
  [
    [3, 4, 6],
    [3, 6, 5],
  ], // batched
  [
    [1, 4, 6],
    [3, 6, 5],
  ], // batch-1 A broadcast
  [
    [3, 4, 6],
    [1, 6, 5],
  ], // batch-1 B broadcast
  [
    [3, 4, 6],
    [6, 5],
  ], // rank-2 B against a batch
  [
    [4, 6],
    [3, 6, 5],
  ], // rank-2 A against a batch
  [
    [2, 3, 5, 6],
    [2, 3, 6, 7],
  ], // two batch axes
];

function transposeLast(shape: number[]): number[] {
  const s = [...shape];
  const n = s.length;
  [s[n - 2], s[n - 1]] = [s[n - 1] as number, s[n - 2] as number];
  return s;
}

describe('cpu-simd-matmul: equality with tfjs-backend-cpu', () => {
  for (const [sa, sb] of SHAPES) {
    for (const [ta, tb] of [
      [false, false],
      [true, false],
      [false, true],
      [true, true],
    ] as const) {
      it(`matMul ${JSON.stringify(sa)} x ${JSON.stringify(sb)}, transposeA=${ta}, transposeB=${tb}`, () => {
        const a = rand(ta ? transposeLast(sa) : sa, 3);
        const b = rand(tb ? transposeLast(sb) : sb, 0.5);
        const r = offAndOn(() => tf.matMul(a, b, ta, tb));
        expectEqual(r, sa[sa.length - 1] as number, a, b);
        tf.dispose([a, b]);
      });
    }
  }

  const activations = ['linear', 'relu', 'relu6', 'elu', 'leakyrelu', 'sigmoid', 'prelu'] as const;
  for (const activation of activations) {
    for (const withBias of [false, true]) {
      it(`fused matMul, ${activation}, ${withBias ? 'bias [N]' : 'no bias'}, all transposes`, () => {
        for (const [ta, tb] of [
          [false, false],
          [true, true],
          [true, false],
          [false, true],
        ] as const) {
          const a = rand(ta ? [21, 6] : [6, 21], 4);
          const b = rand(tb ? [11, 21] : [21, 11], 2);
          const bias = withBias ? rand([11], 5) : undefined;
          const alpha = activation === 'prelu' ? rand([11], 0.5) : undefined;
          const r = offAndOn(() =>
            tf.fused.matMul({
              a,
              b,
              transposeA: ta,
              transposeB: tb,
              bias,
              activation,
              preluActivationWeights: alpha,
              leakyreluAlpha: 0.3,
            }),
          );
          expectEqual(r, 21, a, b, bias);
          tf.dispose([a, b, ...(bias ? [bias] : []), ...(alpha ? [alpha] : [])]);
        }
      });
    }
  }

  it('fused matMul with the bias and PReLU shapes it passes on to tfjs (scalar, [1,N], [M,N], batched)', () => {
    const a = rand([2, 5, 7], 2);
    const b = rand([2, 7, 9], 2);
    for (const biasShape of [[], [1], [1, 9], [1, 1, 9], [5, 9], [2, 5, 9], [5, 1]]) {
      const bias = rand(biasShape, 3);
      const r = offAndOn(() => tf.fused.matMul({ a, b, bias, activation: 'relu' }));
      expectEqual(r, 7, a, b, bias);
      tf.dispose(bias);
    }
    for (const alphaShape of [[1], [9], [5, 9]]) {
      const alpha = rand(alphaShape, 0.5);
      const r = offAndOn(() => tf.fused.matMul({ a, b, activation: 'prelu', preluActivationWeights: alpha }));
      expectEqual(r, 7, a, b);
      tf.dispose(alpha);
    }
    tf.dispose([a, b]);
  });

  it('leaves int32 products to tfjs and gives its exact results', () => {
    const a = tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3], 'int32');
    const b = tf.tensor2d([7, 8, 9, 10, 11, 12], [3, 2], 'int32');
    const r = offAndOn(() => tf.matMul(a, b));
    expect(Array.from(r.on)).toEqual(Array.from(r.off));
    expect(Array.from(r.on)).toEqual([58, 64, 139, 154]);
    tf.dispose([a, b]);
  });

  it('property: every small shape, transpose and batch broadcast agrees with tfjs', () => {
    fc.assert(
      fc.property(
        fc.record({
          m: fc.integer({ min: 1, max: 12 }),
          k: fc.integer({ min: 1, max: 12 }),
          n: fc.integer({ min: 1, max: 12 }),
          batch: fc.integer({ min: 1, max: 3 }),
          broadcast: fc.constantFrom('none', 'a', 'b'),
          ta: fc.boolean(),
          tb: fc.boolean(),
          seed: fc.integer({ min: 0, max: 1_000_000 }),
        }),
        ({ m, k, n, batch, broadcast, ta, tb, seed: s }) => {
          const ba = broadcast === 'a' ? 1 : batch;
          const bb = broadcast === 'b' ? 1 : batch;
          const a = tf.randomUniform([ba, ...(ta ? [k, m] : [m, k])], -2, 2, 'float32', s);
          const b = tf.randomUniform([bb, ...(tb ? [n, k] : [k, n])], -2, 2, 'float32', s + 1);
          const r = offAndOn(() => tf.matMul(a, b, ta, tb));
          expectEqual(r, k, a, b);
          tf.dispose([a, b]);
        },
      ),
      { numRuns: 60, seed: 2026 },
    );
  });
});

describe('cpu-simd-matmul: training', () => {
  afterEach(async () => {
    await useBackend('cpu', { fixes: false });
  });

  it('gives the same gradients through a Dense model with the fix on and off', () => {
    const model = tfl.sequential({
      layers: [
        tfl.layers.dense({ units: 19, activation: 'relu', inputShape: [13], kernelInitializer: 'glorotUniform' }),
        tfl.layers.dense({ units: 7, activation: 'sigmoid' }),
        tfl.layers.dense({ units: 1 }),
      ],
    });
    const x = rand([10, 13]);
    const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
    const grads = (): Float32Array[] =>
      tf.tidy(() => {
        const { grads: g } = tf.variableGrads(() => tf.mean(tf.square(model.apply(x) as tf.Tensor)) as tf.Scalar, vars);
        return vars.map((v) => Float32Array.from((g[v.name] as tf.Tensor).dataSync() as ArrayLike<number>));
      });
    fix().remove();
    const off = grads();
    fix().apply();
    const on = grads();
    expect(on.length).toBe(off.length);
    for (let i = 0; i < on.length; i++) {
      const o = off[i] as Float32Array;
      const scale = Math.max(1e-3, ...Array.from(o, Math.abs));
      for (let j = 0; j < o.length; j++)
        expect(Math.abs((on[i]?.[j] as number) - (o[j] as number))).toBeLessThan(1e-5 * scale);
    }
    x.dispose();
    model.dispose();
  });

  it('trains the tiny GAN with the fix on, close to the same run with it off', async () => {
    const run = async (on: boolean) => {
      const report = await useBackend('cpu', { fixes: { [FIX]: on } });
      expect(report.fixes.includes(FIX)).toBe(on);
      const gan = tinyGan();
      const data = tinyData();
      const trainer = new Trainer(gan, { batchSize: 4, seed: 3, logEvery: 1 });
      const history = await trainer.fit(data, { steps: 3 });
      const weights = snapshot(gan.generator);
      trainer.dispose();
      gan.dispose();
      data.dispose();
      return { history, weights };
    };
    const off = await run(false);
    const on = await run(true);
    const series = Object.values(on.history.values);
    expect(series.length).toBeGreaterThan(0);
    for (const values of series) {
      expect(values.length).toBe(3);
      for (const v of values) expect(Number.isFinite(v)).toBe(true);
    }
    expect(on.weights.length).toBe(off.weights.length);
    // Three Adam steps of 2e-4: rounding-level gradient differences move a weight by at most a
    // few learning rates (Adam's first steps are about lr * sign(g)).
    for (let i = 0; i < on.weights.length; i++) {
      const a = on.weights[i] as Float32Array;
      const b = off.weights[i] as Float32Array;
      for (let j = 0; j < a.length; j++) expect(Math.abs((a[j] as number) - (b[j] as number))).toBeLessThan(2e-3);
    }
  });
});

describe('cpu-simd-matmul: switching, leaks, memory', () => {
  afterEach(async () => {
    vi.restoreAllMocks();
    await useBackend('cpu', { fixes: false });
  });

  it('is switched off by name, leaving tfjs kernels registered, and on again by default', async () => {
    const off = await useBackend('cpu', { fixes: { [FIX]: false } });
    expect(off.fixes).not.toContain(FIX);
    expect(fix().isApplied()).toBe(false);
    expect(tf.getKernel('BatchMatMul', 'cpu')?.kernelFunc).toBe(plainBatchMatMul);
    expect(tf.getKernel('_FusedMatMul', 'cpu')?.kernelFunc).toBe(plainFusedMatMul);
    const on = await useBackend('cpu');
    expect(on.fixes).toContain(FIX);
    expect(fix().isApplied()).toBe(true);
    expect(tf.getKernel('BatchMatMul', 'cpu')?.kernelFunc).not.toBe(plainBatchMatMul);
    expect(tf.getKernel('_FusedMatMul', 'cpu')?.kernelFunc).not.toBe(plainFusedMatMul);
    const none = await useBackend('cpu', { fixes: false });
    expect(none.fixes).not.toContain(FIX);
    expect(tf.getKernel('BatchMatMul', 'cpu')?.kernelFunc).toBe(plainBatchMatMul);
  });

  it('is not applied, nor reported, where WebAssembly SIMD is missing', async () => {
    vi.spyOn(WebAssembly, 'validate').mockReturnValue(false);
    const report = await useBackend('cpu');
    expect(report.fixes).not.toContain(FIX);
    expect(report.fixes).toContain('fused-adam');
    expect(fix().isApplied()).toBe(false);
    expect(tf.getKernel('BatchMatMul', 'cpu')?.kernelFunc).toBe(plainBatchMatMul);
  });

  it('only applies to cpu', async () => {
    expect(fix().backends).toEqual(['cpu']);
    const report = await useBackend('wasm');
    expect(report.fixes).not.toContain(FIX);
    await useBackend('cpu', { fixes: false });
  });

  it('leaks no tensors and does not grow its memory over repeated same-size products', async () => {
    await useBackend('cpu');
    const a = rand([32, 100]);
    const b = rand([64, 100]);
    const bias = rand([64]);
    const once = () =>
      tf.tidy(() => {
        const y = tf.fused.matMul({ a, b, transposeB: true, bias, activation: 'relu' });
        return tf.sum(tf.matMul(y, b)).dataSync()[0];
      });
    once();
    const tensors = tf.memory().numTensors;
    const bytes = cpuSimdMatMulMemoryBytes();
    expect(bytes).toBeGreaterThan(0);
    for (let i = 0; i < 20; i++) once();
    expect(tf.memory().numTensors).toBe(tensors);
    expect(cpuSimdMatMulMemoryBytes()).toBe(bytes);
    tf.dispose([a, b, bias]);
  });
});
