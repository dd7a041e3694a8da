/**
 * The page: controls, drawing and the automation hooks. Training runs in ./worker.ts.
 */
import { drawChart, drawGrid, drawJudgeCharts, drawStrip, type JudgeSeries, type LossSeries } from './draw';
import { OwnImages } from './own-images';
import { downloadFile, initialState } from './page-state';
import {
  type BackendChoice,
  type DataKind,
  type FromWorker,
  type Judgement,
  OWN_RECIPE_NAME,
  RECIPE_NAMES,
  type RecipeChoice,
  STRIP_STEPS,
  type ToWorker,
} from './protocol';
import { buildReport, RunLog } from './report';
import { readParams } from './url-params';

const SEED = 42;

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const ui = {
  backend: $<HTMLSelectElement>('backend'),
  recipe: $<HTMLSelectElement>('recipe'),
  sRecipe: $('s-recipe'),
  sThreads: $('s-threads'),
  start: $<HTMLButtonElement>('start'),
  saveIdb: $<HTMLButtonElement>('save-idb'),
  loadIdb: $<HTMLButtonElement>('load-idb'),
  saveFile: $<HTMLButtonElement>('save-file'),
  downloadReport: $<HTMLButtonElement>('download-report'),
  loadFile: $<HTMLInputElement>('load-file'),
  status: $<HTMLParagraphElement>('status'),
  grid: $<HTMLCanvasElement>('grid'),
  chart: $<HTMLCanvasElement>('chart'),
  scoreChart: $<HTMLCanvasElement>('score-chart'),
  frechetChart: $<HTMLCanvasElement>('frechet-chart'),
  strip: $<HTMLCanvasElement>('strip'),
  sJudge: $('s-judge'),
  judgeNote: $('judge-note'),
  ping: $<HTMLButtonElement>('ping'),
  sBackend: $('s-backend'),
  sStep: $('s-step'),
  sSpeed: $('s-speed'),
  sLoss: $('s-loss'),
  sD: $('s-d'),
  sClicks: $('s-clicks'),
  sFrames: $('s-frames'),
  sGap: $('s-gap'),
};

const { wasmThreads, targetSteps, autostart, ...params } = readParams(location.search);

const state = initialState();
window.tsGanDemo = state;
/** The person's own pictures: with some decoded, the next run trains on them. */
const own = new OwnImages(state, () => updateButtons());

const losses: LossSeries = { steps: [], d: [], g: [] };
const judged: JudgeSeries = { steps: [], classifierScore: [], frechetDistance: [] };
/** What the downloadable report shows. */
const runLog = new RunLog();
let backendFixes: string[] = [];
let chartDirty = true;
let worker: Worker | undefined;
let workerBackend: BackendChoice | undefined;
let workerRecipe: RecipeChoice | undefined;
/** The version of the own pictures the worker trains on (-1: the digits). */
let workerOwn = -1;
let ready: Promise<void> | undefined;
let paused = false;
/** The run's target: the URL's `steps`, else the recipe's own step count. */
let target: number | undefined = targetSteps;

function setStatus(text: string, error = false): void {
  ui.status.textContent = text;
  ui.status.classList.toggle('error', error);
}

function fail(message: string): void {
  setStatus(`Error: ${message}`, true);
  document.title = `error: ${message}`;
  state.running = false;
  updateButtons();
}

function updateButtons(): void {
  ui.start.textContent = state.running ? 'Pause' : paused ? 'Resume' : 'Start';
  ui.start.disabled = own.busy && !state.running;
  ui.backend.disabled = state.running;
  ui.recipe.disabled = state.running || own.active;
  own.setLocked(state.running);
  for (const b of [ui.saveIdb, ui.saveFile]) b.disabled = state.running || !worker;
  ui.downloadReport.disabled = !state.backend;
}

function send(message: ToWorker, transfer: Transferable[] = []): void {
  worker?.postMessage(message, transfer);
}

/** How the page names the run's recipe (on own pictures: the fast recipe, unconditioned). */
const recipeName = (recipe: RecipeChoice, data: DataKind | null) =>
  data === 'own' ? OWN_RECIPE_NAME : RECIPE_NAMES[recipe];

/** Shows which recipe the worker runs, and makes the picker agree. */
function showRecipe(recipe: RecipeChoice, steps: number, data: DataKind): void {
  state.recipe = recipe;
  state.data = data;
  workerRecipe = recipe;
  ui.recipe.value = recipe;
  target = targetSteps ?? steps;
  ui.sRecipe.textContent = `${recipe}: ${recipeName(recipe, data)}`;
}

/** A worker on the picked backend and recipe; picking another starts a new worker (and a new run). */
function ensureWorker(): Promise<void> {
  const choice = ui.backend.value as BackendChoice;
  const recipe = ui.recipe.value as RecipeChoice;
  const ownVersion = own.active ? own.version : -1;
  if (worker && workerBackend === choice && workerRecipe === recipe && workerOwn === ownVersion && ready) return ready;
  worker?.terminate();
  losses.steps.length = 0;
  losses.d.length = 0;
  losses.g.length = 0;
  for (const list of Object.values(judged)) list.length = 0;
  state.judge = null;
  state.evaluations = 0;
  runLog.clear();
  chartDirty = true;
  paused = false;
  workerBackend = choice;
  workerRecipe = recipe;
  workerOwn = ownVersion;
  worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
  const w = worker;
  // First the page's handler, so that the run's state (its recipe and target) is set when `ready` resolves.
  w.addEventListener('message', (event: MessageEvent<FromWorker>) => onWorkerMessage(event.data));
  ready = new Promise<void>((resolve, reject) => {
    w.addEventListener('message', (event: MessageEvent<FromWorker>) => {
      const m = event.data;
      if (m.type === 'ready') resolve();
      if (m.type === 'error' && !state.backend) reject(new Error(m.message));
    });
    w.addEventListener('error', (event) => reject(new Error(event.message || 'the training worker failed to start')));
  });
  // A copy of the page's pictures, transferred: the page keeps its own for the next worker.
  const ownData = own.data();
  const pictures = ownData ? `${ownData.shape[0].toLocaleString('en')} of your pictures` : '10,000 digits';
  setStatus(`Starting the ${choice} backend and loading ${pictures}...`);
  state.backend = null;
  send({ type: 'init', backend: choice, recipe, wasmThreads, seed: SEED, ...(ownData ? { own: ownData } : {}) }, [
    ...(ownData ? [ownData.pixels.buffer] : []),
  ]);
  return ready;
}

function onWorkerMessage(m: FromWorker): void {
  switch (m.type) {
    case 'ready':
      state.backend = m.backend;
      state.inWorker = m.inWorker;
      backendFixes = m.fixes;
      state.crossOriginIsolated = m.crossOriginIsolated;
      state.wasmThreads = m.wasmThreads;
      state.dataShape = m.dataShape;
      state.augment = m.augment;
      showRecipe(m.recipe, m.recipeSteps, m.data);
      ui.sBackend.textContent =
        `${m.backend}${m.fallbackFrom ? ` (${m.fallbackFrom} unavailable)` : ''}` +
        `${m.fixes.length ? `, fixes: ${m.fixes.join(', ')}` : ''}`;
      ui.sThreads.textContent =
        `${m.wasmThreads === null ? '– (not on wasm)' : m.wasmThreads}; ` +
        `${m.crossOriginIsolated ? 'cross-origin isolated' : 'not isolated'}`;
      setStatus(
        `Ready on ${m.backend} with ${m.images.toLocaleString('en')} ` +
          (m.data === 'own' ? `of your pictures (augmentation ${m.augment ? 'on' : 'off'}).` : 'digits.'),
      );
      updateButtons();
      break;
    case 'progress':
      state.step = m.step;
      state.dLoss = m.dLoss;
      state.gLoss = m.gLoss;
      state.stepsPerSecond = m.stepsPerSecond;
      losses.steps.push(m.step);
      losses.d.push(m.dLoss);
      losses.g.push(m.gLoss);
      runLog.addStep(m);
      chartDirty = true;
      ui.sStep.textContent = target ? `${m.step} / ${target}` : String(m.step);
      ui.sSpeed.textContent = m.stepsPerSecond.toFixed(1);
      ui.sLoss.textContent = `${m.dLoss.toFixed(3)} / ${m.gLoss.toFixed(3)}`;
      ui.sD.textContent = `${m.dReal.toFixed(2)} / ${m.dFake.toFixed(2)}`;
      break;
    case 'samples':
      drawGrid(ui.grid, m.pixels, m.columns, m.rows, m);
      drawStrip(ui.strip, m.strip, STRIP_STEPS, m);
      state.samplesStep = m.step;
      state.gridColumns = m.columns;
      state.gridRows = m.rows;
      state.stripStep = m.step;
      runLog.addGrid(m.step, ui.grid);
      break;
    case 'judgement':
      showJudgement(m);
      break;
    case 'state':
      state.running = m.running;
      state.step = m.step;
      if (m.running) {
        paused = false;
        setStatus(`Training on ${state.backend}...`);
      } else if (m.reason === 'completed') {
        paused = false;
        setStatus(`Done: ${m.step} steps on ${state.backend}.`);
        if (autostart) document.title = 'done';
      } else if (m.reason !== 'error') {
        paused = m.step > 0;
        setStatus(`Paused at step ${m.step}.`);
      }
      updateButtons();
      break;
    case 'saved':
      if (m.to === 'file' && m.file) downloadFile(m.file, `ts-gan-${state.data ?? 'mnist'}-step-${m.step}.tsgan`);
      setStatus(`Saved step ${m.step} ${m.to === 'file' ? 'to a file' : 'in this browser (IndexedDB)'}.`);
      break;
    case 'loaded': {
      const other = m.recipe !== state.recipe;
      showRecipe(m.recipe, m.recipeSteps, m.data);
      state.step = m.step;
      paused = m.step > 0;
      ui.sStep.textContent = String(m.step);
      setStatus(
        `Loaded a checkpoint at step ${m.step} (${other ? 'now training ' : ''}${recipeName(m.recipe, m.data)}); ` +
          'press Resume to continue it.',
      );
      updateButtons();
      break;
    }
    case 'error':
      fail(m.message);
      break;
  }
}

function showJudgement(j: Judgement): void {
  const { step, samples, ms, metrics } = j;
  state.judge = { step, samples, ms, metrics };
  state.evaluations++;
  runLog.addJudgement(j);
  judged.steps.push(step);
  judged.classifierScore.push(metrics.classifierScore ?? Number.NaN);
  judged.frechetDistance.push(metrics.frechetDistance ?? Number.NaN);
  chartDirty = true;
  ui.sJudge.textContent = `${(metrics.classifierScore ?? Number.NaN).toFixed(2)} / ${(metrics.frechetDistance ?? Number.NaN).toFixed(1)} (step ${step})`;
  ui.judgeNote.dataset.lastMs = String(Math.round(ms));
  ui.judgeNote.title = `The last evaluation judged ${samples} samples in ${Math.round(ms)} ms.`;
}

/** Builds the report of the run so far in this page and downloads it as one HTML file. */
function downloadReport(): void {
  if (!state.backend) return;
  const html = buildReport(runLog, {
    backend: state.backend,
    fixes: backendFixes,
    seed: SEED,
    recipe: state.recipe ? recipeName(state.recipe, state.data) : 'a GAN',
    grid: ui.grid,
    strip: ui.strip,
    now: new Date(),
  });
  downloadFile(
    new TextEncoder().encode(html).buffer as ArrayBuffer,
    `ts-gan-demo-report-step-${state.step}.html`,
    'text/html',
  );
  setStatus(`Downloaded the report of step ${state.step}.`);
}

async function startOrPause(): Promise<void> {
  if (state.running) {
    send({ type: 'pause' });
    return;
  }
  try {
    await ensureWorker();
  } catch (err) {
    fail(err instanceof Error ? err.message : String(err));
    return;
  }
  // Once the target is reached, Start trains on without one.
  const untilStep = target !== undefined && state.step < target ? target : Number.MAX_SAFE_INTEGER;
  send({ type: 'start', untilStep });
}

ui.start.addEventListener('click', () => void startOrPause());
ui.saveIdb.addEventListener('click', () => send({ type: 'save', to: 'indexeddb' }));
ui.saveFile.addEventListener('click', () => send({ type: 'save', to: 'file' }));
ui.downloadReport.addEventListener('click', downloadReport);
ui.loadIdb.addEventListener('click', async () => {
  await ensureWorker().catch((err) => fail(String(err)));
  send({ type: 'load', from: 'indexeddb' });
});
ui.loadFile.addEventListener('change', async () => {
  const file = ui.loadFile.files?.[0];
  if (!file) return;
  const bytes = await file.arrayBuffer();
  ui.loadFile.value = '';
  await ensureWorker().catch((err) => fail(String(err)));
  send({ type: 'load', from: 'file', bytes }, [bytes]);
});
ui.ping.addEventListener('click', () => {
  state.clicks++;
  if (state.running) state.clicksWhileTraining++;
  ui.sClicks.textContent = `${state.clicks} click${state.clicks === 1 ? '' : 's'}`;
});

// The page's own frame loop: draws the chart and measures whether this thread stays free.
let lastFrame = performance.now();
function frame(now: number): void {
  if (state.running) {
    state.framesWhileTraining++;
    state.longestFrameGapMs = Math.max(state.longestFrameGapMs, now - lastFrame);
    ui.sFrames.textContent = `${state.framesWhileTraining} frames`;
    ui.sGap.textContent = `${Math.round(state.longestFrameGapMs)} ms`;
  }
  lastFrame = now;
  if (chartDirty) {
    drawChart(ui.chart, losses);
    drawJudgeCharts(ui.scoreChart, ui.frechetChart, judged);
    chartDirty = false;
  }
  requestAnimationFrame(frame);
}
requestAnimationFrame(frame);

if (params.backend) ui.backend.value = params.backend;
if (params.recipe) ui.recipe.value = params.recipe;
if (params.errors[0]) fail(params.errors[0]);
else if (autostart) void startOrPause();
updateButtons();
