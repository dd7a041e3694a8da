/**
 * Where `registerGreaterGradient` was before it moved to the backend-neutral `src/kernels/`; kept so
 * that code importing it from here still builds.
 *
 * @deprecated import from `src/kernels/greater-gradient.js` (or `ts-gan/backends`).
 * @packageDocumentation
 */
export { registerGreaterGradient, unregisterGreaterGradient } from '../../kernels/greater-gradient.js';
