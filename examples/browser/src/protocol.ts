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
  /** `tf.memory().numTensors` in the worker after the step. */
  numTensors: number;
}

/** The judge's verdict on the current generator (see worker.ts, `evaluate`). */
export interface Judgement {
  step: number;
  /** Samples judged. */
  samples: number;
  /** How long the evaluation took in the worker, ms. */
  ms: number;
  /** Every metric of `flattenMnistMetrics`: classifierScore, frechetDistance, kid, kidStdError, ... */
  metrics: Record<string, number>;
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
  /**
   * 25 samples from the fixed noise, `[25 * 28 * 28]` in [-1, 1], and the interpolation strip:
   * STRIP_STEPS digits along the great circle between two fixed noise vectors.
   */
  | { type: 'samples'; step: number; pixels: Float32Array; strip: Float32Array }
  | ({ type: 'judgement' } & Judgement)
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
/** Digits in the interpolation strip, both ends included. */
export const STRIP_STEPS = 10;
/** Seed of the strip's two end points: fixed, so the strip shows how one walk changes as G learns. */
export const STRIP_SEED = 7;
