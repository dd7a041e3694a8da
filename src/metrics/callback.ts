/**
 * Evaluation during training: a callback that scores the generator every N steps on fixed noise,
 * and a collapse alarm that reports (and can stop the run) when the samples lose their variety.
 *
 * @packageDocumentation
 */
import type { Callback, TrainBeginInfo, TrainEndInfo } from '../callbacks/callback.js';
import { ConfigError, StateError } from '../errors.js';
import type { GAN } from '../gan.js';
import { knownKeys, nonNegativeInteger, positiveInteger, positiveNumber } from '../util/validate.js';
import { evaluateMnist, flattenMnistMetrics, generatorSource } from './evaluate.js';
import type { ImageSource } from './extract.js';
import { MnistJudge } from './judge.js';

/**
 * Scores a set of generated images: returns named numbers (higher or lower is better per metric).
 * @category Metrics
 */
export type Evaluator = (images: ImageSource, context: { step: number; gan: GAN }) => Promise<Record<string, number>>;

/**
 * What the collapse alarm reports.
 * @category Metrics
 */
export interface CollapseEvent {
  /** The step whose samples tripped the alarm. */
  step: number;
  /** The metric names over their thresholds, with value and threshold. */
  reasons: { metric: string; value: number; threshold: number }[];
  /** All metrics of that evaluation. */
  metrics: Record<string, number>;
  /** Whether the alarm asked the trainer to stop. */
  stopped: boolean;
}

/**
 * Options of the collapse alarm.
 * @category Metrics
 */
export interface CollapseAlarmOptions {
  /** Alarm when `histogramKl` (class histogram's KL from uniform, nats) exceeds this. Default 0.5 (about 6 of 10 classes in use). */
  maxHistogramKl?: number;
  /** Alarm when `duplicateShare` exceeds this. Default 0.5. */
  maxDuplicateShare?: number;
  /** Consecutive evaluations over a threshold before the alarm trips. Default 1. */
  patience?: number;
  /** Ignore evaluations at or before this step (an untrained generator reads as collapsed). Default 0. */
  afterStep?: number;
  /** Ask the trainer to stop when the alarm trips. Default false. */
  stop?: boolean;
  /** Called when the alarm trips. */
  onCollapse?: (event: CollapseEvent) => void | Promise<void>;
}

/**
 * Options of {@link EvaluationCallback}.
 * @category Metrics
 */
export interface EvaluationCallbackOptions {
  /** Evaluate after every `every` steps (and after the last step). */
  every: number;
  /** Samples per evaluation, from the same noise every time. Default 1000. */
  samples?: number;
  /** Seed of that fixed noise. Default 0. */
  seed?: number;
  /** The scoring function. Default {@link mnistEvaluator} with a judge loaded at the start of training. */
  evaluator?: Evaluator;
  /**
   * Loads the judge of the default evaluator at the start of training (the callback releases it at
   * the end). Default `MnistJudge.load`; `FashionJudge.load` scores Fashion-MNIST.
   */
  loadJudge?: () => MnistJudge;
  /** Receives each evaluation's metrics (for example to append to metrics.jsonl or draw a chart). */
  onMetrics?: (step: number, metrics: Record<string, number>) => void | Promise<void>;
  /** Evaluate once before the first step too. Default false. */
  atStart?: boolean;
  /** The collapse alarm; omit to disable. `{}` enables it with the defaults. */
  collapse?: CollapseAlarmOptions;
}

const OPTION_KEYS = ['every', 'samples', 'seed', 'evaluator', 'loadJudge', 'onMetrics', 'atStart', 'collapse'] as const;
const ALARM_KEYS = ['maxHistogramKl', 'maxDuplicateShare', 'patience', 'afterStep', 'stop', 'onCollapse'] as const;
const DEFAULT_SAMPLES = 1000;
/** log(10 / 6): the KL from uniform of a histogram spread evenly over 6 of 10 classes. */
const DEFAULT_MAX_HISTOGRAM_KL = 0.5;
const DEFAULT_MAX_DUPLICATE_SHARE = 0.5;

/**
 * An {@link Evaluator} for MNIST GANs: {@link evaluateMnist} with the shipped judge, flattened
 * (for Fashion-MNIST, pass a {@link FashionJudge}).
 * KID uses 10 subsets to keep evaluations quick during training.
 *
 * @param judge - a loaded judge (kept; the caller disposes it).
 * @returns the evaluator.
 * @category Metrics
 */
export function mnistEvaluator(judge: MnistJudge): Evaluator {
  return async (images) => flattenMnistMetrics(await evaluateMnist(images, { judge, kid: { subsets: 10 } }));
}

/**
 * Evaluates the generator every `every` steps on a fixed set of noise, reports the metrics, and
 * optionally watches for mode collapse.
 *
 * Evaluation happens between steps (before step s + 1 runs, for the samples after step s) and after
 * the last step. The alarm trips when `histogramKl` or `duplicateShare` stays over its threshold for
 * `patience` evaluations; it then calls `onCollapse` and, with `stop: true`, asks the trainer to stop
 * (the trainer finishes the step in progress).
 *
 * @example
 * ```ts
 * const evaluation = new EvaluationCallback({
 *   every: 500,
 *   onMetrics: (step, m) => console.log(step, m.frechetDistance, m.classifierScore),
 *   collapse: { afterStep: 1000, stop: true, onCollapse: (e) => console.warn('collapse', e.reasons) },
 * });
 * await trainer.fit(images, { steps: 10_000, callbacks: [evaluation] });
 * ```
 * @category Metrics
 */
export class EvaluationCallback implements Callback {
  /** Every evaluation so far: step and metrics. */
  readonly records: { step: number; metrics: Record<string, number> }[] = [];
  /** Every time the alarm tripped. */
  readonly alarms: CollapseEvent[] = [];

  private readonly every: number;
  private readonly samples: number;
  private readonly seed: number;
  private readonly options: EvaluationCallbackOptions;
  private readonly alarm: Required<Omit<CollapseAlarmOptions, 'onCollapse'>> | undefined;
  private info: TrainBeginInfo | undefined;
  private evaluator: Evaluator | undefined;
  private ownedJudge: MnistJudge | undefined;
  private lastEvaluated = -1;
  private overCount = 0;

  /**
   * @param options - see {@link EvaluationCallbackOptions}.
   * @throws {@link index!ConfigError | ConfigError} for an invalid option.
   */
  constructor(options: EvaluationCallbackOptions) {
    if (options === null || typeof options !== 'object') {
      throw new ConfigError(`EvaluationCallback: options must be an object, got ${String(options)}.`);
    }
    knownKeys('EvaluationCallback', options, OPTION_KEYS);
    this.every = positiveInteger('EvaluationCallback', 'every', options.every);
    this.samples = positiveInteger('EvaluationCallback', 'samples', options.samples ?? DEFAULT_SAMPLES);
    if (this.samples < 2) throw new ConfigError('EvaluationCallback: samples must be at least 2, got 1.');
    this.seed = options.seed ?? 0;
    if (!Number.isSafeInteger(this.seed))
      throw new ConfigError(`EvaluationCallback: seed must be an integer, got ${this.seed}.`);
    this.options = options;
    if (options.collapse !== undefined) {
      const c = options.collapse;
      knownKeys('EvaluationCallback: collapse', c, ALARM_KEYS);
      this.alarm = {
        maxHistogramKl: positiveNumber(
          'EvaluationCallback',
          'collapse.maxHistogramKl',
          c.maxHistogramKl ?? DEFAULT_MAX_HISTOGRAM_KL,
        ),
        maxDuplicateShare: positiveNumber(
          'EvaluationCallback',
          'collapse.maxDuplicateShare',
          c.maxDuplicateShare ?? DEFAULT_MAX_DUPLICATE_SHARE,
        ),
        patience: positiveInteger('EvaluationCallback', 'collapse.patience', c.patience ?? 1),
        afterStep: nonNegativeInteger('EvaluationCallback', 'collapse.afterStep', c.afterStep ?? 0),
        stop: c.stop ?? false,
      };
    }
  }

  /** Loads the default judge if needed, and evaluates the untrained state when `atStart`. */
  async onTrainBegin(info: TrainBeginInfo): Promise<void> {
    this.info = info;
    if (this.options.evaluator) this.evaluator = this.options.evaluator;
    else if (!this.evaluator) {
      this.ownedJudge = (this.options.loadJudge ?? (() => MnistJudge.load()))();
      this.evaluator = mnistEvaluator(this.ownedJudge);
    }
    if (this.options.atStart) await this.evaluate(info.initialStep);
  }

  /** Evaluates the samples after step `step - 1` when it is a multiple of `every`. */
  async onStepBegin(step: number): Promise<void> {
    const done = step - 1;
    if (this.info && done > this.info.initialStep && done % this.every === 0 && done !== this.lastEvaluated) {
      await this.evaluate(done);
    }
  }

  /** Evaluates the final state (unless just done) and releases the judge it loaded. */
  async onTrainEnd(info: TrainEndInfo): Promise<void> {
    try {
      if (info.finalStep !== this.lastEvaluated && info.finalStep > info.initialStep)
        await this.evaluate(info.finalStep);
    } finally {
      this.release();
    }
  }

  /** Releases the judge this callback loaded (also done at the end of training). */
  dispose(): void {
    this.release();
  }

  private release(): void {
    this.ownedJudge?.dispose();
    this.ownedJudge = undefined;
    if (!this.options.evaluator) this.evaluator = undefined;
  }

  private async evaluate(step: number): Promise<void> {
    const info = this.info;
    const evaluator = this.evaluator;
    if (!info || !evaluator) throw new StateError('EvaluationCallback: evaluate called outside training.');
    this.lastEvaluated = step;
    const images = generatorSource(info.gan, this.samples, { seed: this.seed });
    const metrics = await evaluator(images, { step, gan: info.gan });
    this.records.push({ step, metrics });
    await this.options.onMetrics?.(step, { ...metrics });
    if (this.alarm) await this.check(step, metrics, info);
  }

  private async check(step: number, metrics: Record<string, number>, info: TrainBeginInfo): Promise<void> {
    const alarm = this.alarm;
    if (!alarm || step <= alarm.afterStep) return;
    const reasons: CollapseEvent['reasons'] = [];
    const over = (metric: string, threshold: number) => {
      const value = metrics[metric];
      if (value !== undefined && value > threshold) reasons.push({ metric, value, threshold });
    };
    over('histogramKl', alarm.maxHistogramKl);
    over('duplicateShare', alarm.maxDuplicateShare);
    this.overCount = reasons.length > 0 ? this.overCount + 1 : 0;
    if (this.overCount < alarm.patience) return;
    const event: CollapseEvent = { step, reasons, metrics: { ...metrics }, stopped: alarm.stop };
    this.alarms.push(event);
    if (alarm.stop) info.stop();
    await this.options.collapse?.onCollapse?.(event);
  }
}
