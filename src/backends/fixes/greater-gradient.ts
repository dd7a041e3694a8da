/**
 * The Greater gradient, re-exported from its backend-neutral home `src/kernels/greater-gradient.ts`
 * for modules that import it from here. New code imports it from `kernels/` (inside the library)
 * or from `ts-gan/backends`.
 *
 * @packageDocumentation
 */
export { registerGreaterGradient, unregisterGreaterGradient } from '../../kernels/greater-gradient.js';
