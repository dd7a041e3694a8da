import { defineConfig } from 'vitest/config';
import base from './vitest.config';

/**
 * Tests on real datasets installed from outside npm (Debian's dataset-fashion-mnist):
 * `npm run test:datasets`. Kept out of `npm test`, which needs nothing but `npm ci`.
 */
export default defineConfig({
  ...base,
  test: { ...base.test, include: ['test-datasets/**/*.test.ts'] },
});
