/**
 * Comparisons shared by the Node and the browser tests: a computation with a switch off and on, the
 * largest difference between two runs, and closeness with a relative tolerance.
 */
import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';

/**
 * Runs `read` with a switch (a backend fix, say) off, then on, and returns both results. The run
 * with the switch on must leave no tensor behind, unless `noLeaks` is false.
 *
 * @param read - the computation; it reads its tensors back and disposes them (use `tf.tidy`).
 * @param turn - sets the switch; it may assert that the switch took.
 */
export function bothWays<T>(
  read: () => T,
  turn: (on: boolean) => void,
  { noLeaks = true }: { noLeaks?: boolean } = {},
): { off: T; on: T } {
  turn(false);
  const off = read();
  turn(true);
  const before = tf.memory().numTensors;
  const on = read();
  if (noLeaks) expect(tf.memory().numTensors).toBe(before);
  return { off, on };
}

/** Largest absolute difference of two arrays; infinite when their lengths differ. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Number.POSITIVE_INFINITY;
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs((a[i] as number) - (b[i] as number)));
  return max;
}

/** Largest absolute difference of two lists of arrays (weights, say); infinite when their lengths differ. */
export function maxAbsDiffAll(a: readonly ArrayLike<number>[], b: readonly ArrayLike<number>[]): number {
  if (a.length !== b.length) return Number.POSITIVE_INFINITY;
  return a.reduce((max, x, i) => Math.max(max, maxAbsDiff(x, b[i] as ArrayLike<number>)), 0);
}

/**
 * Asserts `|actual - expected| / scale <= tol` for every element. The scale is `max(1, |expected|)`
 * of each element (`'each'`), or of the largest expected value for all (`'largest'`: for sums whose
 * rounding error follows the largest term).
 */
export function expectClose(
  actual: readonly number[],
  expected: readonly number[],
  tol: number,
  relativeTo: 'each' | 'largest' = 'each',
): void {
  expect(actual.length).toBe(expected.length);
  const largest = expected.reduce((max, e) => Math.max(max, Math.abs(e)), 1);
  let worst = 0;
  for (let i = 0; i < actual.length; i++) {
    const e = expected[i] as number;
    const scale = relativeTo === 'each' ? Math.max(1, Math.abs(e)) : largest;
    worst = Math.max(worst, Math.abs((actual[i] as number) - e) / scale);
  }
  expect(worst).toBeLessThanOrEqual(tol);
}
