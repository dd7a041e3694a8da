/**
 * What the page exposes to automation as `window.tsGanDemo`: the backend, the recipe, the step,
 * the losses and the page's own responsiveness counters.
 */
import type { Judgement, RecipeChoice } from './protocol';

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
