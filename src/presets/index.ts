/**
 * Ready architectures, exported from the main entry as the `presets` namespace.
 *
 * @packageDocumentation
 */
export { type MlpOptions, type MlpPreset, mlp } from './mlp.js';
