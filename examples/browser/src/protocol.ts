/**
 * Messages between the page and the training worker. The worker owns every tensor; the page only
 * ever sees numbers and pixels.
 */

/** Backends the picker offers; `auto` lets `useBackend` choose the best available. */
export type BackendChoice = 'auto' | 'webgpu' | 'webgl' | 'wasm' | 'cpu';

export type ToWorker =
  | { type: 'init'; backend: BackendChoice; seed: number }
  /** Train until `untilStep` (or without end when absent). */
  | { type: 'start'; untilStep?: number }
  | { type: 'pause' }
  | { type: 'save'; to: 'indexeddb' | 'file' }
  | { type: 'load'; from: 'indexeddb' }
  | { type: 'load'; from: 'file'; bytes: ArrayBuffer };

export interface Progress {
  step: number;
  dLoss: number;
  gLoss: number;
  dReal: number;
  dFake: number;
  stepsPerSecond: number;
}

export type FromWorker =
  | {
      type: 'ready';
      backend: string;
      fixes: string[];
      fallbackFrom?: string;
      images: number;
      /** Whether the worker really runs off the page's thread (a WorkerGlobalScope). */
      inWorker: boolean;
    }
  | ({ type: 'progress' } & Progress)
  /** 25 samples from the fixed noise, `[25 * 28 * 28]` in [-1, 1]. */
  | { type: 'samples'; step: number; pixels: Float32Array }
  | { type: 'state'; running: boolean; step: number; reason?: string }
  | { type: 'saved'; to: 'indexeddb' | 'file'; step: number; file?: ArrayBuffer }
  | { type: 'loaded'; step: number }
  | { type: 'error'; message: string };

/** Where the demo keeps its checkpoint in IndexedDB. */
export const IDB_URL = 'indexeddb://ts-gan-demo-mnist';
/** Noise of the 5x5 grid: fixed, so that a person watches the same 25 digits form. */
export const GRID_SEED = 2024;
export const GRID_SIZE = 5;
export const IMAGE_SIDE = 28;
