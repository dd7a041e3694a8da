/**
 * Ready architectures, exported from the main entry as the `presets` namespace.
 *
 * @packageDocumentation
 */
export { type DcganOptions, type DcganPreset, dcgan } from './dcgan.js';
export { type FastOptions, fast, type Recipe } from './fast.js';
export { type MlpOptions, type MlpPreset, mlp } from './mlp.js';
