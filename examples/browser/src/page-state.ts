/**
 * What the page exposes to automation as `window.tsGanDemo`: the backend, the recipe, the step,
 * the losses and the page's own responsiveness counters.
 */
import type { DataKind, Judgement, RecipeChoice } from './protocol';

/** The person's own pictures, as the page holds them (null before any drop). */
export interface OwnImagesState {
  /** Files found in the drop or the picker (folders walked), pictures or not. */
  found: number;
  /** Pictures decoded and ready to train on. */
  images: number;
  /** Files skipped: not pictures by type or extension, and pictures the browser could not decode. */
  notPictures: number;
  undecodable: number;
  /** Pictures on the preview grid (at most 256). */
  shown: number;
  size: number;
  channels: 1 | 3;
  /** Whether any picture has colour (decided once per drop). */
  colour: boolean;
  /** Whether training on them uses DiffAugment. */
  augment: boolean;
  /** Whether a decoding is under way. */
  decoding: boolean;
}

/** What automation reads (`window.tsGanDemo`). */
export interface DemoState {
  backend: string | null;
  /** The recipe of the run in the worker (after a load: the checkpoint's). */
  recipe: RecipeChoice | null;
  /** Whether the worker is cross-origin isolated, and the wasm backend's threads (null off wasm). */
  crossOriginIsolated: boolean | null;
  wasmThreads: number | null;
  step: number;
  dLoss: number | null;
  gLoss: number | null;
  stepsPerSecond: number | null;
  running: boolean;
  /** Whether training runs in a WorkerGlobalScope, as reported by the worker itself. */
  inWorker: boolean | null;
  /** Animation frames the page drew while training, and the longest gap between two of them (ms). */
  framesWhileTraining: number;
  longestFrameGapMs: number;
  /** Clicks on the "click me" button the page handled, in all and while training ran. */
  clicks: number;
  clicksWhileTraining: number;
  /** Steps whose samples are on the grid, and the grid's layout. */
  samplesStep: number | null;
  gridColumns: number | null;
  gridRows: number | null;
  /** Step of the generator on the interpolation strip. */
  stripStep: number | null;
  /** The judge's last verdict, and how many it gave. */
  judge: Judgement | null;
  evaluations: number;
  /** What the worker's run trains on, that tensor's shape `[n, height, width, channels]`, and whether DiffAugment is on. */
  data: DataKind | null;
  dataShape: number[] | null;
  augment: boolean | null;
  /** The person's own pictures on the page (whether or not a run uses them yet). */
  own: OwnImagesState | null;
}

declare global {
  interface Window {
    tsGanDemo: DemoState;
  }
}

export function initialState(): DemoState {
  return {
    backend: null,
    recipe: null,
    crossOriginIsolated: null,
    wasmThreads: null,
    step: 0,
    dLoss: null,
    gLoss: null,
    stepsPerSecond: null,
    running: false,
    inWorker: null,
    framesWhileTraining: 0,
    longestFrameGapMs: 0,
    clicks: 0,
    clicksWhileTraining: 0,
    samplesStep: null,
    gridColumns: null,
    gridRows: null,
    stripStep: null,
    judge: null,
    evaluations: 0,
    data: null,
    dataShape: null,
    augment: null,
    own: null,
  };
}

/** Offers `bytes` as a download named `name`. */
export function downloadFile(bytes: ArrayBuffer, name: string, type = 'application/octet-stream'): void {
  const url = URL.createObjectURL(new Blob([bytes], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
