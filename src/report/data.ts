/**
 * What a run report shows, and how the lines of a `metrics.jsonl` become it. Pure and
 * browser-safe: no file system, so a page can build a report of a run it trains itself.
 *
 * @packageDocumentation
 */

/**
 * One logged training step (a `metrics.jsonl` line with losses). Fields a line lacks are absent.
 * @category Report
 */
export interface StepRecord {
  step: number;
  /** Discriminator loss. */
  dLoss?: number;
  /** Generator loss. */
  gLoss?: number;
  /** Mean D(x): the discriminator's probability that a real batch is real. */
  dReal?: number;
  /** Mean D(G(z)): the discriminator's probability that a generated batch is real. */
  dFake?: number;
  stepsPerSecond?: number;
  /** `tf.memory().numTensors` after the step. */
  numTensors?: number;
  /** The process's resident memory, MiB. */
  rssMB?: number;
}

/** The numeric fields a step line may carry, in the order the report embeds them. */
export const STEP_FIELDS = ['dLoss', 'gLoss', 'dReal', 'dFake', 'stepsPerSecond', 'numTensors', 'rssMB'] as const;

/**
 * One evaluation by the judge (a `metrics.jsonl` line written by the evaluation callback).
 * @category Report
 */
export interface EvaluationRecord {
  step: number;
  classifierScore?: number;
  frechetDistance?: number;
  /** KID's mean over subsets. */
  kid?: number;
  /** The standard error of that mean. */
  kidStdError?: number;
  /** KL divergence of the judged class histogram from uniform, nats. */
  histogramKl?: number;
  confidentShare?: number;
  duplicateShare?: number;
}

/** The numeric fields an evaluation line may carry. */
export const EVALUATION_FIELDS = [
  'classifierScore',
  'frechetDistance',
  'kid',
  'kidStdError',
  'histogramKl',
  'confidentShare',
  'duplicateShare',
] as const;

/**
 * An alarm line: `{"step": N, "alarm": "collapse" | "divergence", "message": "..."}`.
 * @category Report
 */
export interface AlarmRecord {
  step: number;
  /** The alarm's kind, such as `collapse` or `divergence`. */
  alarm: string;
  message: string;
}

/**
 * One image of the run (a sample grid), as a `data:image/...;base64,` URL.
 * @category Report
 */
export interface ReportImage {
  /** The step the grid shows; undefined when the file does not say. */
  step?: number;
  /** A `data:image/png;base64,...` URL (other URLs are refused when the page is built). */
  dataUrl: string;
}

/**
 * The configuration of a run: what started it (from `run.json`), or what its checkpoint tells.
 * @category Report
 */
export interface RunConfig {
  /** Each time the run was started or resumed, oldest first; empty when not recorded. */
  invocations: RunInvocation[];
  /** What the checkpoint holds (step, trainer options, ...), when the run has one. */
  checkpoint?: Record<string, unknown>;
  /**
   * Where a run that no command started comes from (a page that trained it), shown in place of
   * the commands that repeat and resume it.
   */
  origin?: string;
  /** The backend, when no invocation records it (a run trained in a page). */
  backend?: { name: string; fixes: string[] };
}

/**
 * One start of a run, as recorded in `run.json`.
 * @category Report
 */
export interface RunInvocation {
  /** The command's arguments after `ts-gan`, such as `['mnist', '--steps', '1000']`. */
  argv: string[];
  /** The working folder the command ran in. */
  cwd?: string;
  /** ISO time of the start. */
  startedAt?: string;
  /** The step the run started from (0, or the checkpoint's step on resume). */
  startStep?: number;
  /** The backend and the library's fixes for it. */
  backend?: { name: string; fixes: string[] };
  /** The library's version. */
  version?: string;
  /** The parsed options. */
  options?: Record<string, unknown>;
}

/**
 * Everything a run report shows. Build it with `readRunReport` from `ts-gan/node`, or in a page
 * from the run it trains, and turn it into HTML with {@link renderRunReport}.
 * @category Report
 */
export interface RunReportData {
  /** A title, such as the run folder's name. */
  title: string;
  /** The run folder as the user names it (for the command that resumes a run with no `run.json`). */
  folder?: string;
  /** ISO time the report was made. */
  generatedAt?: string;
  /** Logged steps, in step order. */
  steps: StepRecord[];
  /** The judge's evaluations, in step order. */
  evaluations: EvaluationRecord[];
  /** Alarms that fired, in step order. */
  alarms: AlarmRecord[];
  /** Fixed-noise grids over time, in step order (a selection of them for a long run). */
  grids: ReportImage[];
  /** The newest grid, shown large. */
  latestGrid?: ReportImage;
  /** An interpolation grid (walks through latent space), when the run has one. */
  interpolation?: ReportImage;
  /** The run's configuration. */
  config: RunConfig;
  /** Things the reader wants a person to know (unreadable lines, missing files). */
  notes: string[];
}

/**
 * The records of a `metrics.jsonl` text, sorted by step.
 * @category Report
 */
export interface ParsedMetrics {
  steps: StepRecord[];
  evaluations: EvaluationRecord[];
  alarms: AlarmRecord[];
  /** Lines that are not JSON objects with a numeric step (a torn last line of a run in progress). */
  unreadable: number;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** Copies the finite numeric `fields` of `line` next to its step. */
function pick<T extends { step: number }>(line: Record<string, unknown>, step: number, fields: readonly string[]): T {
  const out: Record<string, number> = { step };
  for (const f of fields) {
    const v = line[f];
    if (finite(v)) out[f] = v;
  }
  return out as unknown as T;
}

/**
 * Keeps one record per step, the last one written (a resumed run re-logs the steps after its
 * checkpoint), in step order.
 */
function lastPerStep<T extends { step: number }>(records: T[]): T[] {
  const byStep = new Map<number, T>();
  for (const r of records) byStep.set(r.step, r);
  return [...byStep.values()].sort((a, b) => a.step - b.step);
}

/**
 * Reads the lines of a `metrics.jsonl`: step logs (losses, speed, memory), evaluations (judge
 * metrics) and alarms. Tolerant by design, since the file may be written while it is read: a line
 * that is not a JSON object with a numeric `step` is counted in `unreadable` and skipped; fields
 * that are not finite numbers are dropped. A step logged twice (a resumed run) keeps its last line.
 *
 * @param text - the file's contents.
 * @returns the records, each kind sorted by step.
 * @example
 * ```ts
 * const { steps, evaluations } = parseMetricsJsonl('{"step":1,"dLoss":1.4,"gLoss":0.8}\n');
 * ```
 * @category Report
 */
export function parseMetricsJsonl(text: string): ParsedMetrics {
  const steps: StepRecord[] = [];
  const evaluations: EvaluationRecord[] = [];
  const alarms: AlarmRecord[] = [];
  let unreadable = 0;
  for (const raw of text.split('\n')) {
    if (raw.trim() === '') continue;
    let line: unknown;
    try {
      line = JSON.parse(raw);
    } catch {
      unreadable++;
      continue;
    }
    if (!isRecord(line) || !finite(line.step)) {
      unreadable++;
      continue;
    }
    const step = line.step;
    if (typeof line.alarm === 'string') {
      alarms.push({ step, alarm: line.alarm, message: typeof line.message === 'string' ? line.message : '' });
    } else if (EVALUATION_FIELDS.some((f) => f in line)) {
      evaluations.push(pick<EvaluationRecord>(line, step, EVALUATION_FIELDS));
    } else if (STEP_FIELDS.some((f) => f in line)) {
      steps.push(pick<StepRecord>(line, step, STEP_FIELDS));
    }
  }
  alarms.sort((a, b) => a.step - b.step);
  return { steps: lastPerStep(steps), evaluations: lastPerStep(evaluations), alarms, unreadable };
}

/**
 * Picks at most `max` items evenly spaced over `items`, always keeping the first and the last.
 * @returns a new array (all items when there are no more than `max`).
 */
export function evenlySpaced<T>(items: readonly T[], max: number): T[] {
  if (items.length <= max) return [...items];
  if (max <= 1) return items.length > 0 ? [items[items.length - 1] as T] : [];
  const picked = new Set<number>();
  for (let i = 0; i < max; i++) picked.add(Math.round((i * (items.length - 1)) / (max - 1)));
  return [...picked].sort((a, b) => a - b).map((i) => items[i] as T);
}
