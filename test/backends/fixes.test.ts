import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-layers';
import { getFix, registerGreaterGradient, unregisterGreaterGradient, useBackend } from 'ts-gan/backends';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { preferSwapped } from '../../src/backends/fixes/wasm-transposed-matmul';
import { expectClose } from '../../test-shared/compare';
import {
  expectNoGrowth,
  expectNotTaken,
  expectSwitchOffRestores,
  offAndOn,
  onCpu,
  seeded,
  values,
} from '../support/fixes';

/** Float32 tolerance of one product of length ~64: a few ulps of the magnitudes involved. */
const TOL = 1e-5;

beforeAll(async () => {
  await useBackend('wasm', { fixes: false });
});

afterAll(async () => {
  await useBackend('wasm', { fixes: false });
  await useBackend('cpu', { fixes: false });
});

describe('wasm-transposed-matmul', () => {
  const cases: [boolean, boolean][] = [
    [false, false],
    [true, false],
    [false, true],
    [true, true],
  ];
  for (const [ta, tb] of cases) {
    it(`matMul(transposeA=${ta}, transposeB=${tb}) equals the plain kernel and the cpu backend`, async () => {
      const f = () => {
        const a = seeded(ta ? [3, 17, 9] : [3, 9, 17], 1);
        const b = seeded(tb ? [3, 5, 17] : [3, 17, 5], 2);
        return tf.matMul(a, b, ta, tb);
      };
      const { off, on } = await offAndOn('wasm-transposed-matmul', f);
      expectClose(on, off, TOL);
      expectClose(on, await onCpu(f), TOL);
    });
  }

  for (const [ta, tb] of cases) {
    it(`fused matMul(transposeA=${ta}, transposeB=${tb}) with bias and relu equals the cpu backend`, async () => {
      const f = () =>
        tf.fused.matMul({
          a: seeded(ta ? [11, 7] : [7, 11], 3),
          b: seeded(tb ? [13, 11] : [11, 13], 4),
          transposeA: ta,
          transposeB: tb,
          bias: seeded([13], 5),
          activation: 'relu',
        });
      const { off, on } = await offAndOn('wasm-transposed-matmul', f);
      const cpu = await onCpu(f);
      expectClose(on, cpu, TOL);
      // The plain wasm kernel agrees with cpu without transposes; with them tfjs-backend-wasm 4.22
      // returns wrong values (measured here: all three transposed cases), which the fix corrects.
      const plainAgrees = off.every((v, i) => Math.abs(v - (cpu[i] as number)) <= TOL * Math.max(1, Math.abs(v)));
      if (!ta && !tb) expect(plainAgrees).toBe(true);
    });
  }

  it('A · Bᵀ with a small A and a large B runs as (B · Aᵀ)ᵀ: same values, no backend memory left', async () => {
    // dy · Wᵀ of a Dense layer at a small batch: the swapped order is taken.
    expect(preferSwapped([1, 4, 16], [1, 40, 16])).toBe(true);
    expect(preferSwapped([1, 32, 784], [1, 1024, 784])).toBe(true);
    // Batch 256 on the same layer, batched products and square shapes keep the direct order.
    expect(preferSwapped([1, 256, 784], [1, 1024, 784])).toBe(false);
    expect(preferSwapped([2, 4, 16], [2, 40, 16])).toBe(false);
    expect(preferSwapped([1, 16, 16], [1, 16, 16])).toBe(false);
    const f = () => tf.matMul(seeded([4, 16], 8), seeded([40, 16], 9), false, true);
    const { off, on } = await offAndOn('wasm-transposed-matmul', f);
    expectClose(on, off, TOL);
    expectClose(on, await onCpu(f), TOL);
    await useBackend('wasm', { fixes: { 'wasm-transposed-matmul': true } as never });
    expectNoGrowth(f);
  });

  it('a Dense gradient is unchanged, and nothing leaks', async () => {
    const f = () => {
      const x = seeded([8, 6], 6);
      const w = seeded([6, 4], 7);
      const [dx, dw] = tf.grads((xx: tf.Tensor, ww: tf.Tensor) => tf.sum(tf.tanh(tf.matMul(xx, ww))))([x, w]) as [
        tf.Tensor,
        tf.Tensor,
      ];
      return tf.concat([tf.reshape(dx, [-1]), tf.reshape(dw, [-1])]);
    };
    const { off, on } = await offAndOn('wasm-transposed-matmul', f);
    expectClose(on, off, TOL);
    expectNoGrowth(f);
  });

  it('remove() restores the original kernel', async () => {
    await useBackend('wasm');
    const fix = getFix('wasm-transposed-matmul');
    expect(fix?.isApplied()).toBe(true);
    fix?.remove();
    expect(fix?.isApplied()).toBe(false);
    fix?.remove(); // idempotent
    fix?.apply();
    fix?.apply();
    expect(fix?.isApplied()).toBe(true);
  });
});

describe('wasm-simd-forward-matmul', () => {
  const FIX = 'wasm-simd-forward-matmul';
  const cases: { name: string; m: number; k: number; n: number; bias: boolean }[] = [
    { name: 'a batch-32 Dense forward pass with bias', m: 32, k: 100, n: 256, bias: true },
    { name: 'N not a multiple of 8, no bias', m: 5, k: 17, n: 13, bias: false },
    { name: 'one row; N a multiple of 64 (padded rows)', m: 1, k: 33, n: 512, bias: true },
    { name: '64 rows, the largest it takes', m: 64, k: 40, n: 24, bias: true },
  ];
  for (const c of cases) {
    it(`${c.name}: equals tfjs-wasm and the cpu backend within float32 rounding`, async () => {
      const f = () =>
        tf.fused.matMul({
          a: seeded([c.m, c.k], 1) as tf.Tensor2D,
          b: seeded([c.k, c.n], 2) as tf.Tensor2D,
          ...(c.bias ? { bias: seeded([c.n], 3) } : {}),
        });
      const { off, on } = await offAndOn(FIX, f);
      expectClose(on, off, TOL);
      expectClose(on, await onCpu(f), TOL);
      await useBackend('wasm', { fixes: { [FIX]: true } as never });
      expectNoGrowth(f);
    });
  }

  it('products it does not take (65 rows, a fused relu, a batch of 2) give tfjs-wasm its own bits', async () => {
    await expectNotTaken(FIX, [
      () => tf.matMul(seeded([65, 8], 4), seeded([8, 16], 5)),
      () =>
        tf.fused.matMul({
          a: seeded([4, 8], 6) as tf.Tensor2D,
          b: seeded([8, 16], 7) as tf.Tensor2D,
          activation: 'relu',
        }),
      () => tf.matMul(seeded([2, 4, 8], 8), seeded([2, 8, 16], 9)),
    ]);
  });

  it('a Dense layer trains the same: gradients within float32 rounding', async () => {
    const f = () => {
      const x = seeded([32, 20], 10);
      const w = seeded([20, 16], 11);
      const bias = seeded([16], 12);
      const g = tf.grads((ww: tf.Tensor, bb: tf.Tensor) =>
        tf.sum(tf.square(tf.fused.matMul({ a: x as tf.Tensor2D, b: ww as tf.Tensor2D, bias: bb }))),
      )([w, bias]);
      return tf.concat(g.map((t) => tf.reshape(t, [-1])));
    };
    // tfjs-core's fused matMul gradient on wasm trips tfjs's IS_TEST kernel leak check ("internal
    // memory leak (4 data ids) after running 'fusedMatMul__op'") with every fix off too; the check
    // is off here.
    tf.env().set('IS_TEST', false);
    try {
      const { off, on } = await offAndOn(FIX, f);
      expectClose(on, off, 1e-4);
    } finally {
      tf.env().set('IS_TEST', true);
    }
  });

  it('switching both matmul fixes off restores the original kernel', async () => {
    await expectSwitchOffRestores(FIX, 'BatchMatMul');
  });
});

describe('greater-gradient', () => {
  it('makes a second-order gradient through LeakyReLU work (the WGAN-GP pattern)', async () => {
    await useBackend('cpu', { fixes: false });
    expect(unregisterGreaterGradient()).toBe(false);
    const penalty = () => {
      const x = tf.tensor2d([
        [0.5, -1.5],
        [2, -0.25],
      ]);
      const inner = (xx: tf.Tensor) => tf.sum(tf.mul(tf.leakyRelu(xx, 0.2), tf.leakyRelu(xx, 0.2)));
      return tf.grad((xx: tf.Tensor) => tf.sum(tf.square(tf.grad(inner)(xx))))(x);
    };
    expect(() => tf.tidy(penalty)).toThrow(/Greater/);
    expect(registerGreaterGradient()).toBe(true);
    expect(registerGreaterGradient()).toBe(false);
    // d/dx of (2 * s^2 * x)^2 with slope s: 8 * s^4 * x (closed form, piecewise).
    const got = tf.tidy(() => values(penalty()));
    const expected = [0.5, -1.5, 2, -0.25].map((x) => 8 * (x > 0 ? 1 : 0.2 ** 4) * x);
    expectClose(got, expected, 1e-6);
    expect(unregisterGreaterGradient()).toBe(true);
  });

  it('the gradient of a comparison is zero for both inputs', async () => {
    registerGreaterGradient();
    const [da, db] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.cast(tf.greater(a, b), 'float32')))([
      tf.tensor1d([1, 2, 3]),
      tf.tensor1d([2, 2, 2]),
    ]) as [tf.Tensor, tf.Tensor];
    expect(values(da)).toEqual([0, 0, 0]);
    expect(values(db)).toEqual([0, 0, 0]);
    unregisterGreaterGradient();
  });
});

describe('wasm-shared-identity', () => {
  it('a clone shares the data: same values, survives its source, frees it when the last one goes', async () => {
    await useBackend('wasm', { fixes: { 'wasm-shared-identity': true } as never });
    expect(getFix('wasm-shared-identity')?.isApplied()).toBe(true);
    const ids = tf.backend().numDataIds();
    const x = tf.tensor1d([1, -2, 3.5]);
    const y = tf.clone(x);
    expect(y.dataId).toBe(x.dataId);
    expect(tf.backend().numDataIds()).toBe(ids + 1);
    x.dispose();
    expect(values(y)).toEqual([1, -2, 3.5]);
    y.dispose();
    expect(tf.backend().numDataIds()).toBe(ids);
    // Strings keep tfjs's kernel.
    const s = tf.tensor1d(['a', 'b'], 'string');
    const sc = tf.clone(s);
    expect(Array.from(sc.dataSync() as unknown as string[])).toEqual(['a', 'b']);
    tf.dispose([s, sc]);
    await useBackend('wasm', { fixes: { 'wasm-shared-identity': false } as never });
    const z = tf.tensor1d([4]);
    const zc = tf.clone(z);
    expect(zc.dataId).not.toBe(z.dataId);
    tf.dispose([z, zc]);
  });

  it('gradients through BatchNorm, Dense and a variable update are the same bits, and nothing leaks', async () => {
    const f = () => {
      const x = seeded([8, 6], 11);
      const w = seeded([6, 5], 12);
      const [dx, dw] = tf.grads((xx: tf.Tensor, ww: tf.Tensor) => {
        const h = tf.matMul(xx, ww);
        const { mean, variance } = tf.moments(h, 0);
        return tf.sum(tf.tanh(tf.batchNorm(h, mean, variance, seeded([5], 13), seeded([5], 14), 1e-3)));
      })([x, w]) as [tf.Tensor, tf.Tensor];
      return tf.concat([tf.reshape(dx, [-1]), tf.reshape(dw, [-1])]);
    };
    // Only this fix on: with every default fix, the products would run in the library's GEMM (with
    // fused multiply-add where relaxed SIMD exists), whose roundings are not XNNPACK's.
    const { off, on } = await offAndOn('wasm-shared-identity', f, true);
    expect(on).toEqual(off);
    expectNoGrowth(f);
    // A variable assigned after its value was saved for a gradient keeps the saved value intact.
    const v = tf.variable(tf.tensor1d([1, 2]));
    const saved = tf.clone(v);
    v.assign(tf.tensor1d([5, 6]));
    expect(values(saved)).toEqual([1, 2]);
    expect(values(v)).toEqual([5, 6]);
    tf.dispose([v, saved]);
  });
});
