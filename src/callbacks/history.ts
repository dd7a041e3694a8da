import type { StepLogs } from '../types.js';
import type { Callback } from './callback.js';

/**
 * Records every logged step's numbers. `Trainer.fit` resolves to one.
 *
 * @example
 * ```ts
 * const history = await trainer.fit(images, { steps: 100 });
 * console.log(history.steps.at(-1), history.values.gLoss?.at(-1));
 * ```
 * @category Callbacks
 */
export class History implements Callback {
  /** The logged steps, in order. */
  readonly steps: number[] = [];
  /** For each log entry, its values at the logged steps (parallel to `steps`). */
  readonly values: Record<string, number[]> = {};

  /** @param step - completed step. @param logs - its numbers. */
  onStepEnd(step: number, logs: StepLogs): void {
    this.steps.push(step);
    for (const [key, value] of Object.entries(logs)) {
      let column = this.values[key];
      if (!column) {
        // An entry that appears late is padded with NaN for the steps before it.
        column = Array.from({ length: this.steps.length - 1 }, () => Number.NaN);
        this.values[key] = column;
      }
      column.push(value);
    }
  }
}
