/**
 * Versions written into every checkpoint.
 *
 * @packageDocumentation
 */
// A named import of one field: bundlers inline the version string only, not the whole package.json.
import { version } from '../../package.json';

/**
 * The library's version, read from package.json at build time.
 * @category IO
 */
export const LIBRARY_VERSION: string = version;

/** Value of the `format` field of a checkpoint's manifest. */
export const CHECKPOINT_FORMAT = 'ts-gan-checkpoint';

/**
 * Version of the checkpoint layout. Bumped when a reader of the previous version could misread a
 * checkpoint; a reader refuses versions newer than its own.
 * @category IO
 */
export const CHECKPOINT_FORMAT_VERSION = 1;
