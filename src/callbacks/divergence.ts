import { ConfigError, DivergenceError } from '../errors.js';
import type { StepLogs } from '../types.js';
import { positiveInteger, positiveNumber } from '../util/validate.js';
import type { Callback, TrainBeginInfo } from './callback.js';

/**
 * What {@link DivergenceAlarm} reports.
 * @category Callbacks
 */
export interface DivergenceEvent {
  /** The step at which the loss was read. */
  readonly step: number;
  /** The log entry, for example `gLoss`. */
  readonly loss: string;
  /** Its value. */
  readonly value: number;
  /** The rule it broke, for example `|gLoss| above 1000000`. */
  readonly reason: string;
  /** One sentence naming the step, the loss and the rule. */
  readonly message: string;
}

/**
 * Options of {@link DivergenceAlarm}.
 * @category Callbacks
 */
export interface DivergenceAlarmOptions {
  /** `'stop'` (default): throw a {@link DivergenceError}, which ends the `fit`. `'report'`: call `onDivergence` and go on. */
  action?: 'stop' | 'report';
  /** Called with the event, in both modes, before the stop. */
  onDivergence?: (event: DivergenceEvent) => void | Promise<void>;
  /** Entries to watch; default every entry whose name ends in `Loss`. */
  keys?: readonly string[];
  /** Any |loss| above this fires. Default 1e6. */
  absoluteLimit?: number;
  /** A |loss| above this and `growthFactor` times the recent median fires. Default 1e3. */
  relativeFloor?: number;
  /** How many times the median of the recent |loss| values a loss may reach. Default 100. */
  growthFactor?: number;
  /** How many recent logged values the median is taken over (and needed before the relative rule applies: half). Default 50. */
  window?: number;
}

/**
 * Stops (or reports) a run whose losses explode while staying finite: Adam at a learning rate of
 * 1e3 sends a generator loss to 1e16 and the run would train on to the end. {@link TerminateOnNaN}
 * sees only NaN and infinity; this sees the way there.
 *
 * The rule, per watched entry at each logged step (non-finite values are TerminateOnNaN's):
 * - `|loss| > absoluteLimit` (1e6), or
 * - `|loss| > relativeFloor` (1e3) and `|loss| > growthFactor` (100) times the median |loss| of the
 *   last `window` (50) logged values, once half a window is known.
 *
 * Why these numbers: the built-in losses work on logits. Cross-entropy, hinge and their relatives
 * grow like |logit|, least squares like its square; a logit of 100 already means a probability
 * within 1e-43 of 0 or 1, so a loss of 1e3 is a discriminator (or generator) far past saturation,
 * not a hard phase of training. The Wasserstein critic's loss is unbounded by design and its
 * outputs drift; the median makes the relative rule follow a slow drift, and only a jump of 100x
 * within a window, or a value past 1e6 (where float32 keeps under 7 significant digits of
 * D(x) - D(G(z))), counts as divergence. Healthy runs of every built-in loss stay far below both.
 *
 * @example
 * ```ts
 * const trainer = new Trainer(gan, { callbacks: [new DivergenceAlarm()] });
 * await trainer.fit(images, { steps: 1000 }); // rejects with a DivergenceError naming the step and the loss
 * ```
 * @category Callbacks
 */
export class DivergenceAlarm implements Callback {
  /** The first divergence of the current (or last) `fit`, if any. */
  event: DivergenceEvent | undefined;

  private readonly action: 'stop' | 'report';
  private readonly onDivergence: DivergenceAlarmOptions['onDivergence'];
  private readonly keys: readonly string[] | undefined;
  private readonly absoluteLimit: number;
  private readonly relativeFloor: number;
  private readonly growthFactor: number;
  private readonly window: number;
  private readonly recent = new Map<string, number[]>();

  /** @param options - see {@link DivergenceAlarmOptions}. @throws {@link ConfigError} for a bad option. */
  constructor(options: DivergenceAlarmOptions = {}) {
    const action = options.action ?? 'stop';
    if (action !== 'stop' && action !== 'report') {
      throw new ConfigError(`DivergenceAlarm: action must be "stop" or "report", got ${JSON.stringify(action)}.`);
    }
    if (options.onDivergence !== undefined && typeof options.onDivergence !== 'function') {
      throw new ConfigError('DivergenceAlarm: onDivergence must be a function (event) => void.');
    }
    this.action = action;
    this.onDivergence = options.onDivergence;
    this.keys = options.keys;
    this.absoluteLimit = positiveNumber('DivergenceAlarm', 'absoluteLimit', options.absoluteLimit ?? 1e6);
    this.relativeFloor = positiveNumber('DivergenceAlarm', 'relativeFloor', options.relativeFloor ?? 1e3);
    this.growthFactor = positiveNumber('DivergenceAlarm', 'growthFactor', options.growthFactor ?? 100);
    this.window = positiveInteger('DivergenceAlarm', 'window', options.window ?? 50);
  }

  /** Forgets the previous `fit`'s values and event. */
  onTrainBegin(_info: TrainBeginInfo): void {
    this.recent.clear();
    this.event = undefined;
  }

  /**
   * @param step - completed step.
   * @param logs - its numbers.
   * @throws {@link DivergenceError} on the first divergent entry, with action `'stop'`.
   */
  async onStepEnd(step: number, logs: StepLogs): Promise<void> {
    if (this.event) return;
    const keys = this.keys ?? Object.keys(logs).filter((k) => k.endsWith('Loss'));
    for (const key of keys) {
      const value = logs[key];
      if (value === undefined || !Number.isFinite(value)) continue;
      const reason = this.check(key, Math.abs(value));
      if (reason === undefined) continue;
      const error = new DivergenceError(step, key, value, reason);
      this.event = { step, loss: key, value, reason, message: error.message };
      await this.onDivergence?.(this.event);
      if (this.action === 'stop') throw error;
      return;
    }
  }

  /** @returns the rule `size` breaks, or undefined; records it among the recent values. */
  private check(key: string, size: number): string | undefined {
    if (size > this.absoluteLimit) return `|${key}| above ${this.absoluteLimit}`;
    let recent = this.recent.get(key);
    if (!recent) {
      recent = [];
      this.recent.set(key, recent);
    }
    if (size > this.relativeFloor && recent.length >= Math.ceil(this.window / 2)) {
      const reference = median(recent);
      if (size > this.growthFactor * reference) {
        return `|${key}| above ${this.relativeFloor} and ${this.growthFactor} times its recent median ${Number(reference.toPrecision(4))}`;
      }
    }
    recent.push(size);
    if (recent.length > this.window) recent.shift();
    return undefined;
  }
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}
