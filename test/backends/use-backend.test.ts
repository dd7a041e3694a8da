import * as tf from '@tensorflow/tfjs-core';
import { BackendError, ConfigError } from 'ts-gan';
import { FIX_NAMES, getFix, useBackend } from 'ts-gan/backends';
import { afterAll, describe, expect, it } from 'vitest';

afterAll(async () => {
  await useBackend('wasm', { fixes: false });
  await useBackend('cpu', { fixes: false });
});

describe('useBackend', () => {
  it('sets the named backend and reports the fixes it applied', async () => {
    const report = await useBackend('wasm');
    expect(report.name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(report.fixes).toContain('wasm-transposed-matmul');
    expect(report.fixes).toContain('greater-gradient');
    expect(report.fallbackFrom).toBeUndefined();
    for (const name of report.fixes) expect(getFix(name)?.isApplied()).toBe(true);
  });

  it('fixes: false removes every fix; per-name options switch one off', async () => {
    const none = await useBackend('wasm', { fixes: false });
    expect(none.fixes).toEqual([]);
    expect(getFix('wasm-transposed-matmul')?.isApplied()).toBe(false);
    expect(getFix('greater-gradient')?.isApplied()).toBe(false);
    const some = await useBackend('wasm', { fixes: { 'wasm-transposed-matmul': false } });
    expect(some.fixes).not.toContain('wasm-transposed-matmul');
    expect(some.fixes).toContain('greater-gradient');
    expect(getFix('wasm-transposed-matmul')?.isApplied()).toBe(false);
  });

  it('applies only the fixes of the chosen backend', async () => {
    const report = await useBackend('cpu');
    expect(tf.getBackend()).toBe('cpu');
    // Each fix reported is one for cpu (or every backend): not wasm-transposed-matmul, say;
    // wasm-relaxed-simd is one, since cpu-simd-matmul runs the same WebAssembly GEMM.
    expect(report.fixes).not.toContain('wasm-transposed-matmul');
    for (const n of report.fixes) {
      const backends = getFix(n)?.backends;
      expect(backends === '*' || backends?.includes('cpu')).toBe(true);
    }
  });

  it('auto mode in Node skips tfjs-node when it is not installed, and says so', async () => {
    const report = await useBackend();
    expect(['tensorflow', 'wasm']).toContain(report.name);
    expect(tf.getBackend()).toBe(report.name);
    if (report.name !== 'tensorflow') {
      expect(report.fallbackFrom).toBe('tensorflow');
      expect(report.skipped[0]?.reason).toMatch(/tfjs-node/);
    }
  });

  it('fails with a BackendError naming the package to install, and keeps the previous backend', async () => {
    await useBackend('cpu');
    const loaders = { tensorflow: () => Promise.reject(new Error('Cannot find module')) };
    const err = await useBackend('tensorflow', { loaders }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BackendError);
    expect((err as BackendError).code).toBe('ERR_GAN_BACKEND');
    expect((err as Error).message).toMatch(/@tensorflow\/tfjs-node@4\.22\.0/);
    expect(tf.getBackend()).toBe('cpu');
  });

  it('never reports a backend other than the active one (a failing backend is not swapped silently)', async () => {
    await useBackend('cpu');
    const name = 'ts-gan-test-broken';
    tf.registerBackend(name, () => {
      throw new Error('no adapter');
    });
    try {
      // A backend that fails to initialize: useBackend must throw, not report cpu.
      const err = await useBackend('webgpu', {
        loaders: {
          webgpu: async () => {
            tf.registerBackend('webgpu', () => {
              throw new Error('no adapter');
            });
          },
        },
      }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(BackendError);
      expect((err as Error).message).toMatch(/webgpu/);
      expect(tf.getBackend()).toBe('cpu');
    } finally {
      tf.removeBackend(name);
      tf.removeBackend('webgpu');
    }
  });

  it('rejects unknown names and options with a ConfigError', async () => {
    await expect(useBackend('gpu' as never)).rejects.toBeInstanceOf(ConfigError);
    await expect(useBackend('cpu', { fixes: { nope: true } as never })).rejects.toThrow(/unknown fix "nope"/);
    await expect(useBackend('cpu', { speed: 1 } as never)).rejects.toThrow(/unknown option "speed"/);
    expect(FIX_NAMES).toContain('greater-gradient');
  });
});
