/**
 * The library's errors. Every error it throws on purpose is a {@link GanError} with a stable
 * `code`, so callers can branch on `err.code` without parsing messages.
 *
 * @packageDocumentation
 */

/**
 * Stable error codes. New codes may be added in minor versions; existing ones never change meaning.
 * @category Errors
 */
export type GanErrorCode =
  | 'ERR_GAN_CONFIG'
  | 'ERR_GAN_SHAPE'
  | 'ERR_GAN_STATE'
  | 'ERR_GAN_DATA'
  | 'ERR_GAN_NON_FINITE'
  | 'ERR_GAN_DIVERGED'
  | 'ERR_GAN_CHECKPOINT'
  | 'ERR_GAN_CHECKPOINT_LOCKED'
  | 'ERR_GAN_BACKEND';

/**
 * Base class of every error the library throws on purpose.
 *
 * @example
 * ```ts
 * try { new GAN(config); } catch (err) { if (err instanceof GanError) console.error(err.code); }
 * ```
 * @category Errors
 */
export class GanError extends Error {
  /** A stable, machine-readable code. */
  readonly code: GanErrorCode;

  /**
   * @param code - the stable code.
   * @param message - what was expected, what came, and what to change.
   * @param options - `cause`, when another error is behind this one.
   */
  constructor(code: GanErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/**
 * An option or configuration value is invalid (wrong type, out of range, unknown name).
 * @category Errors
 */
export class ConfigError extends GanError {
  /** @param message - names the function, the option, what was expected and what came. */
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_GAN_CONFIG', message, options);
  }
}

/**
 * A tensor or a network has the wrong shape.
 * @category Errors
 */
export class ShapeError extends GanError {
  /** @param message - names the tensor or network, the expected shape and the shape it got. */
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_GAN_SHAPE', message, options);
  }
}

/**
 * An object was used in a state that does not allow the call (disposed, or already training).
 * @category Errors
 */
export class StateError extends GanError {
  /** @param message - names the object, the call and the state it is in. */
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_GAN_STATE', message, options);
  }
}

/**
 * Training data is invalid or could not be read.
 * @category Errors
 */
export class DataError extends GanError {
  /** @param message - names the source and what is wrong with it. */
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_GAN_DATA', message, options);
  }
}

/**
 * An image file that cannot be used: unreadable, truncated, not a PNG or JPEG. The image loaders
 * skip such files by default and throw this with `onBadFile: 'throw'`.
 * @category Errors
 */
export class BadImageError extends DataError {
  /** The file, as the loader names it (relative to the folder it reads). */
  readonly file: string;
  /** Why it cannot be used, for example `not a PNG or JPEG file`. */
  readonly reason: string;

  /**
   * @param fn - the loader, for the message.
   * @param file - the file.
   * @param reason - what is wrong with it.
   */
  constructor(fn: string, file: string, reason: string, options?: { cause?: unknown }) {
    super(`${fn}: ${file}: ${reason}. Remove or replace the file, or leave onBadFile at "skip".`, options);
    this.file = file;
    this.reason = reason;
  }
}

/**
 * A loss became NaN or infinite during training.
 * @category Errors
 */
export class NonFiniteLossError extends GanError {
  /** The step (1-based count of completed steps) at which the loss was read. */
  readonly step: number;
  /** The name of the log entry that was not finite, for example `dLoss`. */
  readonly loss: string;
  /** The value read: `NaN`, `Infinity` or `-Infinity`. */
  readonly value: number;

  /**
   * @param step - the step at which the value was read.
   * @param loss - the name of the log entry.
   * @param value - the non-finite value.
   */
  constructor(step: number, loss: string, value: number) {
    super(
      'ERR_GAN_NON_FINITE',
      `Training stopped at step ${step}: ${loss} is ${value}. ` +
        'Lower the learning rates, check the data range ([-1, 1] for a tanh generator), or use a bounded loss.',
    );
    this.step = step;
    this.loss = loss;
    this.value = value;
  }
}

/**
 * The codes a {@link CheckpointError} carries: `ERR_GAN_CHECKPOINT` for most failures,
 * `ERR_GAN_CHECKPOINT_LOCKED` when another writer holds the folder, `ERR_GAN_NON_FINITE` when a
 * save is refused because a weight or optimizer slot is NaN or infinite.
 * @category Errors
 */
export type CheckpointErrorCode = Extract<
  GanErrorCode,
  'ERR_GAN_CHECKPOINT' | 'ERR_GAN_CHECKPOINT_LOCKED' | 'ERR_GAN_NON_FINITE'
>;

/**
 * A loss exploded while staying finite (see {@link DivergenceAlarm}): training stopped there.
 * @category Errors
 */
export class DivergenceError extends GanError {
  /** The step (1-based count of completed steps) at which the loss was read. */
  readonly step: number;
  /** The name of the log entry that exploded, for example `gLoss`. */
  readonly loss: string;
  /** The value read. */
  readonly value: number;

  /**
   * @param step - the step at which the value was read.
   * @param loss - the name of the log entry.
   * @param value - the value.
   * @param reason - which rule it broke, for example `|gLoss| above 1000000`.
   */
  constructor(step: number, loss: string, value: number, reason: string) {
    super(
      'ERR_GAN_DIVERGED',
      `Training diverged at step ${step}: ${loss} is ${value} (${reason}). ` +
        'Lower the learning rates, check the data range ([-1, 1] for a tanh generator), or add a penalty ' +
        '(R1, a gradient penalty); resume from a checkpoint saved before the divergence.',
    );
    this.step = step;
    this.loss = loss;
    this.value = value;
  }
}

/**
 * A checkpoint could not be written or read, or does not match what the caller expects.
 *
 * @example
 * ```ts
 * try {
 *   await trainer.save('./runs/a/checkpoint');
 * } catch (err) {
 *   if (err instanceof CheckpointError && err.code === 'ERR_GAN_CHECKPOINT_LOCKED') console.error(err.message);
 * }
 * ```
 * @category Errors
 */
export class CheckpointError extends GanError {
  /**
   * The expectations the checkpoint does not meet, every one of them, when the load was refused
   * for its `expect` option; empty for any other failure. A caller maps these to its own words
   * without parsing the message.
   */
  readonly mismatches: readonly CheckpointMismatch[];

  /**
   * @param message - names the checkpoint, the field or file, and what is wrong.
   * @param options - `cause`; `code` when the failure has its own code (default `ERR_GAN_CHECKPOINT`);
   *   `mismatches` when expectations were not met.
   */
  constructor(
    message: string,
    options?: { cause?: unknown; code?: CheckpointErrorCode; mismatches?: readonly CheckpointMismatch[] },
  ) {
    const { code = 'ERR_GAN_CHECKPOINT', mismatches = [], ...rest } = options ?? {};
    super(code, message, 'cause' in rest ? { cause: rest.cause } : undefined);
    this.mismatches = Object.freeze([...mismatches]);
  }
}

/**
 * One expectation of a load that the checkpoint does not meet (see {@link CheckpointError.mismatches}).
 * @category Errors
 */
export interface CheckpointMismatch {
  /** The expectation's key, as given in `expect`: `'seed'`, `'batchSize'`, `'r1'`, `'generator'`, ... */
  readonly field: string;
  /** The checkpoint's value (`undefined` when it has none; for a network, the value at {@link CheckpointMismatch.path}). */
  readonly saved: unknown;
  /** The expected value, likewise. */
  readonly expected: unknown;
  /** For a network or another nested value: where inside it the first difference is. */
  readonly path?: string;
}

/**
 * A backend could not be set up, or a different one than requested is active.
 * @category Errors
 */
export class BackendError extends GanError {
  /** @param message - names the backend and what went wrong. */
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_GAN_BACKEND', message, options);
  }
}
