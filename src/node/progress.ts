/**
 * A progress bar for Node terminals, drawn by cli-progress.
 *
 * @packageDocumentation
 */
import cliProgress from 'cli-progress';
import type { Callback, TrainBeginInfo, TrainEndInfo } from '../callbacks/callback.js';
import type { StepLogs } from '../types.js';
import { nonNegativeInteger } from '../util/validate.js';

/**
 * The stream a {@link ProgressBar} writes to: `process.stderr` or anything with `write`.
 * @category Callbacks
 */
export interface ProgressStream {
  write(text: string): unknown;
  /** Whether the stream is a terminal; the bar is drawn only then. */
  isTTY?: boolean;
  /** Terminal width in characters. */
  columns?: number;
}

/**
 * Options of {@link ProgressBar}.
 * @category Callbacks
 */
export interface ProgressBarOptions {
  /** Where to write. Default `process.stderr`. */
  stream?: ProgressStream;
  /**
   * When the stream is not a terminal (a log file, a pipe), write a plain status line at most
   * every this many milliseconds; 0 writes only the final line. Default 0.
   */
  plainInterval?: number;
  /** Clock in milliseconds, for the rate and the ETA. Default `performance.now`. */
  now?: () => number;
}

/** The bar's line: step, rate, ETA, losses and mean discriminator outputs. */
const FORMAT =
  'step {value}/{total} [{bar}] {percentage}% | {rate} steps/s | ETA {etaText} | ' +
  'D {dLoss} G {gLoss} | D(x) {dReal} D(G(z)) {dFake}';
/** Redraws per second at most: enough to look live, few enough to cost nothing. */
const FPS = 5;
const BAR_WIDTH = 20;

/**
 * A training callback that draws a progress bar with the step, steps per second, the time left,
 * the discriminator and generator losses, D(x) and D(G(z)). On a terminal it redraws one line;
 * elsewhere it writes plain lines (see {@link ProgressBarOptions.plainInterval}) and a final line.
 * Updates come on logged steps (the trainer's `logEvery`).
 *
 * @example
 * ```ts
 * import { ProgressBar } from 'ts-gan/node';
 * await trainer.fit(images, { steps: 5000, callbacks: [new ProgressBar()] });
 * ```
 * @category Callbacks
 */
export class ProgressBar implements Callback {
  private readonly stream: ProgressStream;
  private readonly plainInterval: number;
  private readonly now: () => number;
  private bar: cliProgress.SingleBar | undefined;
  private startTime = 0;
  private startStep = 0;
  private total = 0;
  private lastPlain = Number.NEGATIVE_INFINITY;
  private lastLine = '';

  /** @param options - see {@link ProgressBarOptions}. */
  constructor(options: ProgressBarOptions = {}) {
    this.stream = options.stream ?? process.stderr;
    this.plainInterval = nonNegativeInteger('ProgressBar', 'plainInterval', options.plainInterval ?? 0);
    this.now = options.now ?? (() => performance.now());
  }

  /** @param info - the run's step range. */
  onTrainBegin(info: TrainBeginInfo): void {
    this.stop();
    this.startTime = this.now();
    this.startStep = info.initialStep;
    this.total = info.initialStep + info.steps;
    this.lastPlain = this.startTime;
    if (this.stream.isTTY) {
      this.bar = new cliProgress.SingleBar({
        stream: this.stream as NodeJS.WritableStream,
        format: FORMAT,
        fps: FPS,
        barsize: BAR_WIDTH,
        hideCursor: false,
        gracefulExit: false,
      });
      this.bar.start(this.total, info.initialStep, payload(undefined, '-', '-'));
    }
  }

  /** @param step - the step just completed. @param logs - its numbers. */
  onStepEnd(step: number, logs: StepLogs): void {
    const elapsed = (this.now() - this.startTime) / 1000;
    const done = step - this.startStep;
    const mean = elapsed > 0 ? done / elapsed : 0;
    const rate = logs.stepsPerSecond > 0 ? logs.stepsPerSecond : mean;
    const eta = mean > 0 ? (this.total - step) / mean : Number.NaN;
    const values = payload(logs, rate.toFixed(1), formatDuration(eta));
    if (this.bar) {
      this.bar.update(step, values);
      return;
    }
    this.lastLine = plainLine(step, this.total, values);
    const time = this.now();
    if (this.plainInterval > 0 && time - this.lastPlain >= this.plainInterval) {
      this.lastPlain = time;
      this.stream.write(`${this.lastLine}\n`);
    }
  }

  /** @param info - how the run ended. */
  onTrainEnd(info: TrainEndInfo): void {
    const seconds = (this.now() - this.startTime) / 1000;
    const done = info.finalStep - this.startStep;
    const wasDrawn = this.bar !== undefined;
    this.stop();
    const summary =
      `${info.reason === 'completed' ? 'trained' : `${info.reason} after`} ${done} steps ` +
      `(to step ${info.finalStep}) in ${formatDuration(seconds)}, ${seconds > 0 ? (done / seconds).toFixed(1) : '-'} steps/s`;
    this.stream.write(wasDrawn || !this.lastLine ? `${summary}\n` : `${this.lastLine}\n${summary}\n`);
  }

  /**
   * Stops drawing and ends the bar's line. Call it when training fails (a failed `fit` does not
   * reach `onTrainEnd`), so the terminal is left tidy and no timer keeps the process alive.
   */
  stop(): void {
    if (this.bar) {
      this.bar.stop();
      this.bar = undefined;
    }
  }
}

function payload(logs: StepLogs | undefined, rate: string, etaText: string): Record<string, string> {
  const f = (v: number | undefined, digits: number) => (v === undefined ? '-' : v.toFixed(digits));
  return {
    rate,
    etaText,
    dLoss: f(logs?.dLoss, 3),
    gLoss: f(logs?.gLoss, 3),
    dReal: f(logs?.dReal, 2),
    dFake: f(logs?.dFake, 2),
  };
}

function plainLine(step: number, total: number, v: Record<string, string>): string {
  return (
    `step ${step}/${total} | ${v.rate} steps/s | ETA ${v.etaText} | ` +
    `D ${v.dLoss} G ${v.gLoss} | D(x) ${v.dReal} D(G(z)) ${v.dFake}`
  );
}

/** `1h02m`, `4m05s`, `12s`; `-` when unknown. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '-';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (h > 0) return `${h}h${String(m).padStart(2, '0')}m`;
  if (m > 0) return `${m}m${String(sec).padStart(2, '0')}s`;
  return `${sec}s`;
}
