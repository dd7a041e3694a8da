/**
 * Ready architectures, exported from the main entry as the `presets` namespace.
 *
 * @packageDocumentation
 */
export { mlp, type MlpOptions, type MlpPreset } from './mlp.js';
