import { NonFiniteLossError } from '../errors.js';
import type { StepLogs } from '../types.js';
import type { Callback } from './callback.js';

/**
 * Stops training with a {@link NonFiniteLossError} naming the step and the entry, as soon as a
 * logged loss is NaN or infinite. The trainer adds one by default (`terminateOnNaN: true`).
 *
 * @example
 * ```ts
 * new Trainer(gan, { terminateOnNaN: false, callbacks: [new TerminateOnNaN(['dLoss', 'gLoss', 'gp'])] });
 * ```
 * @category Callbacks
 */
export class TerminateOnNaN implements Callback {
  private readonly keys: readonly string[] | undefined;

  /** @param keys - entries to check; by default every entry whose name ends in `Loss`. */
  constructor(keys?: readonly string[]) {
    this.keys = keys;
  }

  /**
   * @param step - completed step.
   * @param logs - its numbers.
   * @throws {@link NonFiniteLossError} on the first non-finite entry.
   */
  onStepEnd(step: number, logs: StepLogs): void {
    const keys = this.keys ?? Object.keys(logs).filter((k) => k.endsWith('Loss'));
    for (const key of keys) {
      const value = logs[key];
      if (value !== undefined && !Number.isFinite(value)) throw new NonFiniteLossError(step, key, value);
    }
  }
}
