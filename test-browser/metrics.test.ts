/**
 * The evaluation numbers agree between this instance's backend and cpu: the judge's features and
 * every metric of ts-gan/metrics' deterministic self-check (64 fixed images).
 */
import { metricsSelfCheck } from 'ts-gan/metrics';
import { expect, inject, test } from 'vitest';
import { selectBackend } from './support/backend';

/** Relative agreement required of each number; measured differences in Node (cpu vs wasm) are ~2e-8. */
const RELATIVE_TOLERANCE = 1e-3;

test('metricsSelfCheck agrees with the cpu backend', async () => {
  const backend = inject('backend');
  expect(await selectBackend('cpu')).toEqual({ active: 'cpu' });
  const reference = await metricsSelfCheck();
  expect(await selectBackend(backend)).toEqual({ active: backend });
  const actual = await metricsSelfCheck();
  expect(actual.backend).toBe(backend);
  const keys = [
    'featureSum',
    'meanTopProbability',
    'classifierScore',
    'frechetDistance',
    'kid',
    'histogramKl',
    'confidentShare',
    'duplicateShare',
  ] as const;
  for (const key of keys) {
    const scale = Math.max(1, Math.abs(reference[key]));
    expect(Math.abs(actual[key] - reference[key]) / scale, `${key} on ${backend}`).toBeLessThanOrEqual(
      RELATIVE_TOLERANCE,
    );
  }
  // The check is not vacuous: the images are recognisably digit-like strokes, not all one class.
  expect(reference.classifierScore).toBeGreaterThan(1.5);
});
