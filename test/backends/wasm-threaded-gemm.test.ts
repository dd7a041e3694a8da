import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-layers';
import { BackendError, ConfigError, GAN, presets } from 'ts-gan';
import { disposeGemmThreads, getFix, setGemmThreads, useBackend } from 'ts-gan/backends';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { GemmPool, MIN_COPIED_ROWS, MIN_THREADED_WORK } from '../../src/backends/fixes/gemm-pool';
import { GemmMemory, gemmOn, hasRelaxedSimd, setRelaxedSimd } from '../../src/backends/fixes/wasm-simd-gemm';
import { gemmPool } from '../../src/backends/fixes/wasm-threaded-gemm';
import { trainedWeights } from '../../test-shared/fixtures';
import { GEMM_TEST_SHAPES, packed, product } from '../support/gemm';

const FIX = 'wasm-threaded-gemm';

afterEach(() => setRelaxedSimd(false));
afterAll(async () => {
  await disposeGemmThreads();
  await useBackend('wasm', { fixes: false });
  await useBackend('cpu', { fixes: false });
});

/** Equality bit for bit (NaN payloads aside, which none of these products make). */
function expectSameBits(actual: Float32Array, expected: Float32Array): void {
  expect(actual.length).toBe(expected.length);
  expect(Buffer.from(actual.buffer, actual.byteOffset, actual.byteLength)).toEqual(
    Buffer.from(expected.buffer, expected.byteOffset, expected.byteLength),
  );
}

describe('GemmPool: the GEMM split across worker threads', () => {
  it.each([2, 3])('gives the same bits as the one-thread GEMM (%i threads, plain and relaxed)', async (threads) => {
    const pool = await GemmPool.start(threads);
    pool.minWork = 0; // split every product that has panels for two threads
    const one = GemmMemory.create();
    if (!one) throw new Error('no SIMD GEMM');
    try {
      for (const relaxed of hasRelaxedSimd() ? [false, true] : [false]) {
        setRelaxedSimd(relaxed);
        for (const [i, [m, k, n]] of GEMM_TEST_SHAPES.entries()) {
          const p = packed(m, k, n, 10 * i + 1);
          const expected = product(one, p, k);
          expect(expected.some(Number.isNaN)).toBe(false);
          expectSameBits(product(pool.memory, p, k), expected);
        }
      }
    } finally {
      await pool.dispose();
    }
  });

  it('runs products below the threshold on the calling thread, with the same bits', async () => {
    const pool = await GemmPool.start(2);
    const one = GemmMemory.create();
    if (!one) throw new Error('no SIMD GEMM');
    const generation = () => (pool as unknown as { ctl: Int32Array }).ctl[0] as number;
    try {
      expect(pool.minWork).toBe(MIN_THREADED_WORK);
      const small = packed(8, 16, 8, 5); // 1,024 multiply-adds
      const before = generation();
      expectSameBits(product(pool.memory, small, 16), product(one, small, 16));
      expect(generation()).toBe(before); // the workers were not asked
      const [m, k, n] = [64, 256, 256]; // 4,194,304 multiply-adds
      expect(m * k * n).toBeGreaterThanOrEqual(MIN_THREADED_WORK);
      const large = packed(m, k, n, 6);
      expectSameBits(product(pool.memory, large, k), product(one, large, k));
      expect(generation()).toBe(before + 1);
    } finally {
      await pool.dispose();
    }
  });

  it('takes products from another memory (tfjs-wasm heap) through gemmOn, with the same bits', async () => {
    const heap = new WebAssembly.Memory({ initial: 64 });
    const gemm = gemmOn(heap);
    if (!gemm) throw new Error('no SIMD GEMM');
    const [m, k, n] = [52, 96, 40];
    const p = packed(m, k, n, 77);
    const f = new Float32Array(heap.buffer);
    const run = () => {
      f.set(p.a, 0);
      f.set(p.b, p.bAt);
      f.fill(Number.NaN, p.cAt, p.floats);
      gemm(0, 4 * p.bAt, 4 * p.cAt, p.mp, k, p.np);
      return f.slice(p.cAt, p.floats);
    };
    const expected = run();
    await setGemmThreads(2);
    getFix(FIX)?.apply();
    try {
      const pool = gemmPool() as GemmPool;
      pool.minWork = 0;
      let split = 0;
      const original = pool.run.bind(pool);
      pool.run = (...args) => {
        split++;
        original(...args);
      };
      // 52 rows: under MIN_COPIED_ROWS, the product stays on the calling thread.
      expect(m).toBeLessThan(MIN_COPIED_ROWS);
      expectSameBits(run(), expected);
      expect(split).toBe(0);
      pool.minCopiedRows = 0;
      expectSameBits(run(), expected);
      expect(split).toBe(1);
    } finally {
      getFix(FIX)?.remove();
      await disposeGemmThreads();
    }
  });

  it('turns an error in a worker into a BackendError, and a lost worker into one (no hang)', async () => {
    const pool = await GemmPool.start(2);
    pool.minWork = 0;
    pool.timeoutMs = 500;
    try {
      // C placed so that the caller's half fits in memory and the worker's half does not: the
      // worker's GEMM traps (out of bounds) and the caller gets a typed error.
      const [mp, k, np] = [8, 4, 8];
      pool.memory.reserve(65536);
      const end = pool.memory.byteLength;
      expect(() => pool.memory.gemm(0, 256, end - 4 * 4 * np, mp, k, np)).toThrow(/failed in worker/);
      const p = packed(8, 4, 8, 3);
      await (pool as unknown as { workers: { terminate(): Promise<number> }[] }).workers[0]?.terminate();
      await new Promise((r) => setImmediate(r));
      expect(() => product(pool.memory, p, 4)).toThrow(BackendError);
    } finally {
      await pool.dispose();
    }
    expect(pool.broken).toBe(true);
  });

  it('does not keep the process alive', () => {
    const script = fileURLToPath(new URL('../fixtures/gemm-pool-exit.ts', import.meta.url));
    const child = spawnSync(process.execPath, ['--import', 'tsx', script], { timeout: 30_000, encoding: 'utf8' });
    expect(child.stderr).toBe('');
    expect(child.stdout.trim()).toBe('ok 4');
    expect(child.status).toBe(0);
  });
});

describe('useBackend threads', () => {
  it('reports one thread by default, and the threads it started when asked', async () => {
    const plain = await useBackend('wasm');
    expect(plain.threads).toBe(1);
    expect(plain.fixes).not.toContain(FIX);
    const two = await useBackend('wasm', { threads: 2 });
    expect(two.threads).toBe(2);
    expect(two.fixes).toContain(FIX);
    expect(getFix(FIX)?.isApplied()).toBe(true);
    const auto = await useBackend('cpu', { threads: 'auto' });
    expect(auto.threads).toBe(availableParallelism());
    const off = await useBackend('wasm', { threads: 2, fixes: { [FIX]: false } });
    expect(off.threads).toBe(1);
    expect(off.fixes).not.toContain(FIX);
    const one = await useBackend('wasm', { threads: 1 });
    expect(one.threads).toBe(1);
    expect(gemmPool()).toBeNull();
  });

  it('rejects bad thread counts with a ConfigError', async () => {
    for (const threads of [0, -1, 1.5, 257, Number.NaN, 'all', '2', null]) {
      await expect(useBackend('wasm', { threads: threads as never })).rejects.toThrow(ConfigError);
    }
    await expect(setGemmThreads(0)).rejects.toThrow(ConfigError);
    await expect(useBackend('wasm', { threads: 0 as never })).rejects.toThrow(/threads must be 'auto' or an integer/);
  });

  it('trains to the same bits with the fix on as off, and leaks no tensor', async () => {
    const run = async (threads: number) => {
      const report = await useBackend('wasm', { threads });
      expect(report.threads).toBe(threads);
      const pool = gemmPool();
      if (pool) {
        // every forward product of these narrow layers is split, whatever its rows
        pool.minWork = 0;
        pool.minCopiedRows = 0;
      }
      const gan = new GAN({
        ...presets.mlp({ generatorUnits: [16, 32], discriminatorUnits: [24, 12] }),
        latentDim: 8,
        dataShape: [4, 4, 1],
        seed: 2,
      });
      const before = tf.memory().numTensors;
      const data = tf.randomUniform([40, 4, 4, 1], -1, 1, 'float32', 4);
      const weights = await trainedWeights(gan, data, { batchSize: 8, seed: 5 }, 4);
      // trainedWeights disposes the GAN, the data and the trainer: nothing of the run is left.
      expect(tf.memory().numTensors).toBe(before - gan.generator.weights.length - gan.discriminator.weights.length);
      return weights;
    };
    const off = await run(1);
    const on = await run(2);
    expect(on.length).toBe(off.length);
    for (let i = 0; i < on.length; i++) expect(on[i]).toEqual(off[i]);
  });
});
