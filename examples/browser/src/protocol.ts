/**
 * Messages between the page and the training worker. The worker owns every tensor; the page only
 * ever sees numbers and pixels.
 */

/** Backends the picker offers; `auto` lets `useBackend` choose the best available. */
export type BackendChoice = 'auto' | 'webgpu' | 'webgl' | 'wasm' | 'cpu';

/** Recipes the picker offers: `fast` (presets.fast(), conditioned on the digit) or `mlp` (the seed's MLP GAN). */
export type RecipeChoice = 'fast' | 'mlp';
export const RECIPES: readonly RecipeChoice[] = ['fast', 'mlp'];
/** How the page names each recipe. */
export const RECIPE_NAMES: Record<RecipeChoice, string> = {
  fast: 'the fast recipe (a small DCGAN conditioned on the digit)',
  mlp: "the seed's MLP GAN",
};
/** How the page names the recipe of a run on the person's own pictures. */
export const OWN_RECIPE_NAME = 'the fast recipe, unconditioned (your pictures have no labels)';

/**
 * Threads of the wasm backend: `off` loads tfjs's single-threaded SIMD build even when the page is
 * cross-origin isolated; `auto` lets tfjs choose (its threaded build when the page is isolated, with
 * its own pool size); a number sets the pool size of the threaded build.
 */
export type WasmThreads = 'off' | 'auto' | number;

/**
 * The person's own pictures, decoded by the page (./decode-worker.ts): `[n, side, side, channels]`
 * in [-1, 1]. They train the fast recipe unconditioned, with DiffAugment when `augment` is set.
 */
export interface OwnData {
  pixels: Float32Array;
  shape: [number, number, number, number];
  augment: boolean;
}

/** What a run trains on: the bundled digits, or the person's own pictures. */
export type DataKind = 'mnist' | 'own';

export type ToWorker =
  | {
      type: 'init';
      backend: BackendChoice;
      recipe: RecipeChoice;
      wasmThreads: WasmThreads;
      seed: number;
      /** The person's pictures; absent: the MNIST digits. */
      own?: OwnData;
    }
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
      recipe: RecipeChoice;
      /** The recipe's own step count: the default target. */
      recipeSteps: number;
      /** Whether the worker is cross-origin isolated (SharedArrayBuffer available). */
      crossOriginIsolated: boolean;
      /** On wasm, the threads tfjs's backend runs (1 for the single-threaded build); else null. */
      wasmThreads: number | null;
      /** What the run trains on, the shape of that tensor (`[n, height, width, channels]`), and whether DiffAugment is on. */
      data: DataKind;
      dataShape: number[];
      augment: boolean;
    }
  | ({ type: 'progress' } & Progress)
  /**
   * The grid, `[columns * rows * side * side * channels]` in [-1, 1], from fixed noise (the MLP and own pictures: 5x5; the
   * conditional recipe: one row per digit, the same 10 noise vectors in every row), and the
   * interpolation strip: STRIP_STEPS digits along the great circle between two fixed noise vectors.
   */
  | {
      type: 'samples';
      step: number;
      pixels: Float32Array;
      columns: number;
      rows: number;
      strip: Float32Array;
      /** The images' side and channels (28 and 1 for the digits). */
      side: number;
      channels: number;
    }
  | ({ type: 'judgement' } & Judgement)
  | { type: 'state'; running: boolean; step: number; reason?: string }
  | { type: 'saved'; to: 'indexeddb' | 'file'; step: number; file?: ArrayBuffer }
  | { type: 'loaded'; step: number; recipe: RecipeChoice; recipeSteps: number; data: DataKind }
  | { type: 'error'; message: string };

/** Where the demo keeps its checkpoint in IndexedDB: one for the digits, one for the person's own pictures. */
export const IDB_URLS: Record<DataKind, string> = {
  mnist: 'indexeddb://ts-gan-demo-mnist',
  own: 'indexeddb://ts-gan-demo-own',
};
/** Noise of the grid: fixed, so that a person watches the same digits form. */
export const GRID_SEED = 2024;
/** The MLP's grid: 5x5 samples. */
export const GRID_SIZE = 5;
/** The conditional recipe's grid: one row per digit, this many columns (as examples/mnist draws it). */
export const SWEEP_COLUMNS = 10;
export const IMAGE_SIDE = 28;
/** Digits in the interpolation strip, both ends included. */
export const STRIP_STEPS = 10;
/** Seed of the strip's two end points: fixed, so the strip shows how one walk changes as G learns. */
export const STRIP_SEED = 7;
/** The digit the conditional recipe's strip holds along its walk. */
export const STRIP_LABEL = 3;
