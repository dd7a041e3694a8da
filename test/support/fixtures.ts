/**
 * The tiny networks and data live in `test-shared/fixtures.ts`, where the browser suite reaches
 * them too; this re-export serves tests that still import them from here.
 */
export * from '../../test-shared/fixtures';
