import { defineConfig } from 'vitest/config';
import base from './vitest.config';

/**
 * The long tests, `npm run test:long`: learning tests that train for minutes (DiffAugment on 100
 * digits) and tests on real datasets installed from outside npm (Debian's dataset-fashion-mnist).
 * Kept out of `npm test`, which needs nothing but `npm ci` and stays within minutes.
 */
export default defineConfig({
  ...base,
  test: { ...base.test, include: ['test-long/**/*.test.ts'] },
});
