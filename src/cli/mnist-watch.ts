/**
 * What watches a `ts-gan mnist` run: the divergence alarm, the judge's evaluations with the collapse
 * alarm, and the guard that keeps a checkpoint with exploded logits from replacing the last good one.
 *
 * @packageDocumentation
 */
import { appendFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { DivergenceAlarm } from '../callbacks/divergence.js';
import { DivergenceError, NonFiniteLossError } from '../errors.js';
import type { GAN } from '../gan.js';
import { EvaluationCallback, type Evaluator } from '../metrics/callback.js';
import type { MnistJudge } from '../metrics/judge.js';
import { SeededRandom } from '../random.js';
import type { Trainer } from '../train/trainer.js';
import type { CliIO } from './args.js';
import type { MnistRunOptions } from './mnist-options.js';
import { saveCheckpoint } from './persist.js';
import { appendAlarm } from './run-record.js';

/** Early generators read as collapsed (few classes); the alarm watches only after this step. */
const COLLAPSE_ALARM_AFTER = 2_000;

/** The divergence alarm's absolute limit: a loss on logits grows at least like |logit|. */
const LOGIT_LIMIT = 1e6;

/** Largest |logit| of the discriminator on 16 samples from fixed noise (NaN counts as Infinity). */
function largestLogit(gan: GAN): number {
  return tf.tidy(() => {
    const rng = new SeededRandom(0);
    const z = gan.noise(16, rng);
    const condition = gan.conditioning?.draw(16, rng).input;
    const fake = gan.generate(z, condition);
    const worst = tf.max(tf.abs(gan.discriminate(fake, condition))).dataSync()[0] as number;
    return Number.isNaN(worst) ? Number.POSITIVE_INFINITY : worst;
  });
}

/**
 * The periodic checkpoint of a run. The losses a step logs come from the state before its update, so
 * the alarm sees a state one step late: a state whose logits already exploded is not saved over the
 * last good one (unless the alarm is off).
 */
export function guardedCheckpoint(
  trainer: Trainer,
  dir: string,
  o: Pick<MnistRunOptions, 'divergence'>,
  io: CliIO,
): (step: number) => Promise<void> {
  return async (step) => {
    const worst = o.divergence === 'off' ? 0 : largestLogit(trainer.gan);
    if (worst <= LOGIT_LIMIT) return saveCheckpoint(trainer, dir);
    io.stderr.write(
      `\nwarning: checkpoint at step ${step} not saved: the discriminator's logits reach ${worst} ` +
        `(above ${LOGIT_LIMIT}); ${resolve(dir)} keeps the previous one.\n`,
    );
  };
}

/** Whether `err` is what the divergence alarm or a NaN loss stops a run with. */
export function isDivergence(err: unknown): err is DivergenceError | NonFiniteLossError {
  return err instanceof DivergenceError || err instanceof NonFiniteLossError;
}

/** The divergence alarm: records each event in metrics.jsonl; `warn` also says so on stderr and trains on. */
export function divergenceAlarm(mode: 'stop' | 'warn', metricsPath: string, io: CliIO): DivergenceAlarm {
  return new DivergenceAlarm({
    action: mode === 'stop' ? 'stop' : 'report',
    onDivergence: async (event) => {
      await appendAlarm(metricsPath, event.step, 'divergence', event.message);
      if (mode === 'warn') io.stderr.write(`\nwarning: ${event.message}\n`);
    },
  });
}

/**
 * Scores the generator with the shipped MNIST judge (or the one `loadJudge` gives, or `evaluator`) and appends
 * `{ step, ...metrics }` to metrics.jsonl, and a collapse alarm's `{ step, alarm: 'collapse', message }`
 * when it fires.
 */
export function evaluation(
  o: Pick<MnistRunOptions, 'evalEvery' | 'evalSamples'>,
  seed: number,
  metricsPath: string,
  io: CliIO,
  evaluator?: Evaluator,
  loadJudge?: () => MnistJudge,
): EvaluationCallback {
  return new EvaluationCallback({
    every: o.evalEvery,
    samples: o.evalSamples,
    seed,
    ...(evaluator ? { evaluator } : {}),
    ...(loadJudge ? { loadJudge } : {}),
    onMetrics: (step, metrics) => appendFile(metricsPath, `${JSON.stringify({ step, ...metrics })}\n`),
    collapse: {
      afterStep: COLLAPSE_ALARM_AFTER,
      onCollapse: async (event) => {
        const why = event.reasons.map((r) => `${r.metric} ${r.value.toFixed(3)} > ${r.threshold}`).join(', ');
        io.stderr.write(`\nwarning: mode collapse suspected at step ${event.step} (${why})\n`);
        await appendAlarm(metricsPath, event.step, 'collapse', `mode collapse suspected (${why})`);
      },
    },
  });
}
