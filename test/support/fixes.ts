/**
 * Helpers for the tests of the backend fixes: run an op with a fix off and on, on the cpu backend,
 * on seeded inputs; check that repeating it leaves nothing behind, that products a fix does not
 * take keep tfjs's bits, and that switching a fix off puts tfjs's own kernel back.
 */
import * as tf from '@tensorflow/tfjs-core';
import { GAN, presets, Trainer } from 'ts-gan';
import { applicableFixes, FIX_NAMES, type FixName, getFix, useBackend } from 'ts-gan/backends';
import { expect } from 'vitest';

/** The `fixes` option of `useBackend` with `names` on and every other fix off. */
export function only(...names: string[]): Record<FixName, boolean> {
  return Object.fromEntries(FIX_NAMES.map((n) => [n, names.includes(n)])) as Record<FixName, boolean>;
}

export function values(t: tf.Tensor): number[] {
  return Array.from(t.dataSync());
}

/**
 * Runs `f` on wasm with every fix off, then with the named fix on (with the default fixes, or alone
 * when `alone`); returns both results as arrays.
 */
export async function offAndOn(
  fix: string,
  f: () => tf.Tensor,
  alone = false,
): Promise<{ off: number[]; on: number[] }> {
  await useBackend('wasm', { fixes: false });
  const off = tf.tidy(() => values(f()));
  const fixes = alone ? only(fix) : { [fix]: true };
  await useBackend('wasm', { fixes: fixes as never });
  expect(getFix(fix)?.isApplied()).toBe(true);
  const on = tf.tidy(() => values(f()));
  return { off, on };
}

export async function onCpu(f: () => tf.Tensor): Promise<number[]> {
  await useBackend('cpu', { fixes: false });
  return tf.tidy(() => values(f()));
}

export function seeded(shape: number[], seed: number): tf.Tensor {
  return tf.randomUniform(shape, -1, 1, 'float32', seed);
}

/**
 * Runs `run` twice, outside any tidy (it disposes what it makes, so a tensor a kernel forgets is
 * counted); the second run must leave no tensor, byte or backend buffer behind.
 */
export function expectNothingLeft(run: () => void): void {
  run();
  const tensors = tf.memory().numTensors;
  const bytes = tf.memory().numBytes;
  const ids = tf.backend().numDataIds();
  run();
  expect(tf.memory().numTensors).toBe(tensors);
  expect(tf.memory().numBytes).toBe(bytes);
  expect(tf.backend().numDataIds()).toBe(ids);
}

/** Runs `f` in a tidy twice; the second run must leave no tensor, byte or backend buffer behind. */
export function expectNoGrowth(f: () => unknown): void {
  expectNothingLeft(() =>
    tf.tidy(() => {
      f();
    }),
  );
}

/**
 * Checks that `fix` leaves each of `products` to the kernel it would replace: with the fix on, the
 * same bits as with every fix off (`offAndOn`, with the default fixes or `alone`).
 */
export async function expectNotTaken(fix: string, products: (() => tf.Tensor)[], alone = false): Promise<void> {
  for (const f of products) {
    const { off, on } = await offAndOn(fix, f, alone);
    expect(on).toEqual(off);
  }
}

/**
 * Checks that `fix`, switched on alone on wasm, replaces tfjs-wasm's `kernel` (and the `gradient`
 * of that name, when given), and that switching every fix off puts back the very kernel (and
 * gradient) tfjs registered. `whileOn` runs while the fix is on (on any backend it chooses).
 *
 * @returns tfjs's own kernel and gradient, for further checks.
 */
export async function expectSwitchOffRestores(
  fix: string,
  kernel: string,
  { gradient, whileOn }: { gradient?: string; whileOn?: () => Promise<void> } = {},
): Promise<{ kernel: tf.KernelConfig | undefined; gradient: tf.GradConfig | undefined }> {
  await useBackend('wasm', { fixes: false });
  const original = tf.getKernel(kernel, 'wasm');
  const originalGradient = gradient === undefined ? undefined : tf.getGradient(gradient);
  expect(original).toBeDefined();
  const report = await useBackend('wasm', { fixes: only(fix) });
  expect(report.fixes).toEqual([fix]);
  for (const { name } of applicableFixes('wasm')) expect(getFix(name)?.isApplied(), name).toBe(name === fix);
  expect(tf.getKernel(kernel, 'wasm')).not.toBe(original);
  if (gradient !== undefined) expect(tf.getGradient(gradient)).not.toBe(originalGradient);
  await whileOn?.();
  await useBackend('wasm', { fixes: false });
  expect(getFix(fix)?.isApplied()).toBe(false);
  expect(tf.getKernel(kernel, 'wasm')).toBe(original);
  if (gradient !== undefined) expect(tf.getGradient(gradient)).toBe(originalGradient);
  return { kernel: original, gradient: originalGradient };
}

/** Indices where two results differ (Object.is: NaN equals NaN, -0 differs from 0), at most 5: a short list, not a diff of every number. */
export function bitDifferences(a: readonly number[], b: readonly number[]): number[] {
  expect(a.length).toBe(b.length);
  const at: number[] = [];
  for (let i = 0; i < a.length && at.length < 5; i++) if (!Object.is(a[i], b[i])) at.push(i);
  return at;
}

/**
 * Trains a tiny seed MLP GAN (16-32 generator, 16 discriminator, 4x4 data, seeds 5, 6, 7) for
 * `steps` steps at batch 8 on the backend set now, and returns what `read` takes of it, as arrays;
 * everything it made is disposed.
 */
export async function trainTinyMlp(
  steps: number,
  read: (trainer: Trainer) => Promise<tf.Tensor[]>,
): Promise<number[][]> {
  const gan = new GAN({
    ...presets.mlp({ generatorUnits: [16, 32], discriminatorUnits: [16] }),
    latentDim: 8,
    dataShape: [4, 4, 1],
    seed: 5,
  });
  const data = tf.randomUniform([32, 4, 4, 1], -1, 1, 'float32', 6);
  const trainer = new Trainer(gan, { batchSize: 8, seed: 7 });
  try {
    await trainer.fit(data, { steps });
    return (await read(trainer)).map((t) => Array.from(t.dataSync()));
  } finally {
    trainer.dispose();
    gan.dispose();
    data.dispose();
  }
}
