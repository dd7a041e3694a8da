/**
 * The training worker: owns the backend, the data, the GAN and the trainer, so the page's thread
 * only draws. Every tensor lives here; the page gets numbers and pixels.
 */

import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreaded from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import * as tf from '@tensorflow/tfjs-core';
import { type Callback, GAN, SeededRandom, Trainer } from 'ts-gan';
import { useBackend } from 'ts-gan/backends';
import { evaluateMnist, flattenMnistMetrics, generatorSource, MnistJudge } from 'ts-gan/metrics';
import { decodeCheckpointFile, saveToFile } from './checkpoint-file';
import {
  type FromWorker,
  GRID_SEED,
  GRID_SIZE,
  IDB_URLS,
  type RecipeChoice,
  STRIP_LABEL,
  STRIP_SEED,
  STRIP_STEPS,
  SWEEP_COLUMNS,
  type ToWorker,
} from './protocol';
import { recipeFor, recipeOf } from './recipes';
import { loadTrainingData, type TrainingData } from './worker-data';
import { configureWasmThreads, isWorkerScope, wasmThreadCount, yieldToEvents } from './worker-env';

/** Both recipes draw noise of 100. */
const LATENT_DIM = 100;
/** Redraw the grid at most this often: generating the digits costs about a step. */
const SAMPLE_INTERVAL_MS = 750;
/**
 * Give the worker's event loop a turn at least this often while training. On wasm (and cpu) every
 * readback resolves as a microtask, so without a turn the page's messages (Pause, Save) would wait
 * until training ends.
 */
const YIELD_INTERVAL_MS = 100;
/**
 * The judge scores this many samples: enough for the classifier score and a rough Fréchet distance
 * (both read worse on 300 samples than on 10,000, so compare them only with each other).
 */
const EVAL_SAMPLES = 300;
/** Noise of the judged samples: fixed, so scores change only through training. */
const EVAL_SEED = 99;
/**
 * Share of the worker's time the judge may take. The next evaluation waits until training has run
 * (1 - budget) / budget times as long as the last evaluation took, so the judge costs at most 10% on
 * any backend, however fast or slow.
 */
const EVAL_BUDGET = 0.1;

/** The worker's global scope (typed by hand: the repository's tsconfig has the DOM library, not WebWorker). */
const scope = self as unknown as {
  postMessage(message: unknown, transfer: Transferable[]): void;
  onmessage: ((event: MessageEvent<ToWorker>) => void) | null;
};

/** The digits (with their labels, for the conditional recipe) or the person's own pictures. */
let data: TrainingData | undefined;
let recipe: RecipeChoice = 'fast';
/** The target when the page gives none: the recipe's own step count. */
let recipeSteps = 0;
/** Whether the trainer was given DiffAugment (the page shows what the worker really runs). */
let augmenting = false;
let gan: GAN | undefined;
let trainer: Trainer | undefined;
/** Noise `[25, 100]` of the MLP's grid; kept for the worker's lifetime. */
let gridNoise: tf.Tensor2D | undefined;
let running: Promise<void> | undefined;
let lastSampleTime = 0;
let lastYield = 0;
/** The MNIST judge, loaded once (its weights ship inside the library). */
let judge: MnistJudge | undefined;
/** The step and the duration of the last evaluation, and when it ended. */
let lastEvalStep = -1;
let lastEvalMs = 0;
let lastEvalEnd = 0;
/** End points of the interpolation strip. */
const stripEnds = (() => {
  const rng = new SeededRandom(STRIP_SEED);
  return [rng.normal(LATENT_DIM), rng.normal(LATENT_DIM)] as const;
})();

function post(message: FromWorker, transfer: Transferable[] = []): void {
  scope.postMessage(message, transfer);
}

/** The shape of one training image: `[height, width, channels]`. */
function imageShape(d: TrainingData): [number, number, number] {
  const [, height, width, channels] = d.images.shape;
  return [height, width, channels];
}

/** The recipe of `choice` for the data: on own pictures always the fast recipe, unconditioned. */
function recipeOn(d: TrainingData, choice: RecipeChoice) {
  return recipeFor(choice, d.kind === 'own' ? { augment: d.augment } : undefined);
}

/** A new GAN and trainer for `choice` on `d`, replacing (and releasing) the current ones. */
function buildRun(d: TrainingData, choice: RecipeChoice, seed: number): void {
  const r = recipeOn(d, choice);
  trainer?.dispose();
  gan?.dispose();
  recipe = d.kind === 'own' ? 'fast' : choice;
  recipeSteps = r.steps;
  augmenting = r.trainer.augment !== undefined;
  gan = new GAN({ ...r.gan, dataShape: imageShape(d), seed });
  trainer = new Trainer(gan, r.trainer);
}

async function init(backend: ToWorker & { type: 'init' }): Promise<void> {
  configureWasmThreads(backend.wasmThreads);
  const report = await useBackend(backend.backend === 'auto' ? undefined : backend.backend, {
    wasmPaths: {
      'tfjs-backend-wasm.wasm': wasmPlain,
      'tfjs-backend-wasm-simd.wasm': wasmSimd,
      'tfjs-backend-wasm-threaded-simd.wasm': wasmThreaded,
    },
  });
  const d = await loadTrainingData(backend.own);
  data = d;
  buildRun(d, backend.recipe, backend.seed);
  gridNoise = tf.tensor2d(new SeededRandom(GRID_SEED).normal(GRID_SIZE * GRID_SIZE * LATENT_DIM), [
    GRID_SIZE * GRID_SIZE,
    LATENT_DIM,
  ]);
  // The judge knows digits only: runs on own pictures go unjudged.
  judge = d.kind === 'mnist' ? MnistJudge.load() : undefined;
  post({
    type: 'ready',
    backend: report.name,
    fixes: report.fixes,
    ...(report.fallbackFrom ? { fallbackFrom: report.fallbackFrom } : {}),
    images: d.images.shape[0],
    inWorker: isWorkerScope(),
    recipe,
    recipeSteps,
    crossOriginIsolated: (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true,
    wasmThreads: wasmThreadCount(),
    data: d.kind,
    dataShape: d.images.shape,
    augment: augmenting,
  });
  await sendSamples();
}

async function sendSamples(): Promise<void> {
  if (!gan || !gridNoise || !trainer || !data) return;
  // The conditional recipe: one row per digit, the same noise in every row (seeded, so fixed).
  const conditional = gan.conditioning !== undefined;
  const batch = conditional ? gan.classSweep({ seed: GRID_SEED, perClass: SWEEP_COLUMNS }) : gan.generate(gridNoise);
  const walk = gan.interpolate(stripEnds[0], stripEnds[1], STRIP_STEPS, {
    method: 'slerp',
    ...(conditional ? { labels: STRIP_LABEL } : {}),
  });
  const [pixels, strip] = (await Promise.all([batch.data(), walk.data()])) as [Float32Array, Float32Array];
  batch.dispose();
  walk.dispose();
  lastSampleTime = performance.now();
  const columns = conditional ? SWEEP_COLUMNS : GRID_SIZE;
  const rows = conditional ? (gan.conditioning?.numClasses ?? 0) : GRID_SIZE;
  const [side, , channels] = imageShape(data);
  post({ type: 'samples', step: trainer.step, pixels, columns, rows, strip, side, channels }, [
    pixels.buffer,
    strip.buffer,
  ]);
}

/** Whether the judge's share of the time allows an evaluation now: the first one, or after a pause long enough. */
function evaluationDue(step: number): boolean {
  if (step === lastEvalStep) return false;
  return lastEvalStep < 0 || performance.now() - lastEvalEnd >= (lastEvalMs * (1 - EVAL_BUDGET)) / EVAL_BUDGET;
}

/** Scores EVAL_SAMPLES samples of the current generator with the shipped MNIST judge. */
async function evaluate(step: number): Promise<void> {
  if (!gan || !judge) return;
  const started = performance.now();
  const metrics = flattenMnistMetrics(
    await evaluateMnist(generatorSource(gan, EVAL_SAMPLES, { seed: EVAL_SEED }), { judge, kid: { subsets: 10 } }),
  );
  lastEvalEnd = performance.now();
  lastEvalMs = lastEvalEnd - started;
  lastEvalStep = step;
  post({ type: 'judgement', step, samples: EVAL_SAMPLES, ms: lastEvalMs, metrics });
}

const reporter: Callback = {
  async onStepEnd(step, logs) {
    post({
      type: 'progress',
      step,
      dLoss: logs.dLoss,
      gLoss: logs.gLoss,
      dReal: logs.dReal,
      dFake: logs.dFake,
      stepsPerSecond: logs.stepsPerSecond,
      numTensors: tf.memory().numTensors,
    });
    if (performance.now() - lastSampleTime >= SAMPLE_INTERVAL_MS) await sendSamples();
    if (evaluationDue(step)) await evaluate(step);
    if (performance.now() - lastYield >= YIELD_INTERVAL_MS) {
      await yieldToEvents();
      lastYield = performance.now();
    }
  },
};

function start(untilStep: number | undefined): void {
  if (running || !trainer || !data) return;
  const t = trainer;
  const { images, labels } = data;
  // The conditional recipe trains on the digits and their labels.
  const batches = t.gan.conditioning && labels ? { x: images, labels } : images;
  const target = untilStep ?? recipeSteps;
  const steps = target - t.step;
  if (steps <= 0) {
    post({ type: 'state', running: false, step: t.step, reason: 'completed' });
    return;
  }
  post({ type: 'state', running: true, step: t.step });
  running = (async () => {
    let reason = 'stopped';
    try {
      await t.fit(batches, { steps, callbacks: [reporter] });
      reason = t.step >= target ? 'completed' : 'stopped';
      await sendSamples();
      // The state training stopped at is judged too, so the last score shown is the current one.
      if (t.step !== lastEvalStep) await evaluate(t.step);
    } catch (err) {
      post({ type: 'error', message: messageOf(err) });
      reason = 'error';
    } finally {
      running = undefined;
      post({ type: 'state', running: false, step: t.step, reason });
    }
  })();
}

async function pause(): Promise<void> {
  trainer?.stop();
  await running;
}

async function save(to: 'indexeddb' | 'file'): Promise<void> {
  if (!trainer || !data) throw new Error('nothing to save yet');
  await pause();
  if (to === 'indexeddb') {
    await trainer.save(IDB_URLS[data.kind]);
    post({ type: 'saved', to, step: trainer.step });
    return;
  }
  const file = await saveToFile(trainer);
  post({ type: 'saved', to, step: trainer.step, file }, [file]);
}

async function load(message: ToWorker & { type: 'load' }): Promise<void> {
  if (!data) throw new Error('the worker has no data yet');
  const d = data;
  await pause();
  const source =
    message.from === 'indexeddb' ? IDB_URLS[d.kind] : tf.io.fromMemory(decodeCheckpointFile(message.bytes));
  const loaded = await Trainer.load(source, { expect: { dataShape: imageShape(d), latentDim: LATENT_DIM } });
  if (d.kind === 'own' && loaded.gan.conditioning) {
    loaded.dispose();
    loaded.gan.dispose();
    throw new Error('this checkpoint is conditioned on digits; runs on your own pictures are unconditioned');
  }
  // Only now that the checkpoint loaded whole, release the run it replaces.
  trainer?.dispose();
  gan?.dispose();
  trainer = loaded;
  gan = loaded.gan;
  // The checkpoint may hold the other recipe: the run is now that recipe, and the page says so.
  recipe = d.kind === 'own' ? 'fast' : recipeOf(loaded.gan);
  recipeSteps = recipeOn(d, recipe).steps;
  post({ type: 'loaded', step: loaded.step, recipe, recipeSteps, data: d.kind });
  await sendSamples();
  await evaluate(loaded.step);
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

scope.onmessage = async (event: MessageEvent<ToWorker>) => {
  const message = event.data;
  try {
    switch (message.type) {
      case 'init':
        await init(message);
        break;
      case 'start':
        start(message.untilStep);
        break;
      case 'pause':
        await pause();
        break;
      case 'save':
        await save(message.to);
        break;
      case 'load':
        await load(message);
        break;
    }
  } catch (err) {
    post({ type: 'error', message: messageOf(err) });
  }
};
