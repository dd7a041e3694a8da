/**
 * The page's automation parameters: `?backend=wasm&recipe=fast&steps=20&autostart=1&threads=off`.
 */
import type { BackendChoice, RecipeChoice, WasmThreads } from './protocol';
import { RECIPES } from './protocol';

export const BACKENDS: readonly BackendChoice[] = ['auto', 'webgpu', 'webgl', 'wasm', 'cpu'];
/**
 * The wasm backend's threads unless the URL says (`?threads=off|auto|N`). Off: on a 2-core machine
 * tfjs's threaded build runs one thread and, on shared memory, the library's SIMD kernels give way
 * to tfjs's own, so the fast recipe trains about 25% slower with it (docs/browser.md).
 */
const DEFAULT_WASM_THREADS: WasmThreads = 'off';

export interface PageParams {
  backend: BackendChoice | undefined;
  recipe: RecipeChoice | undefined;
  wasmThreads: WasmThreads;
  /** The run's target from `steps`, else undefined (the recipe's own count). */
  targetSteps: number | undefined;
  autostart: boolean;
  /** What was wrong with the parameters, for the page to show; the first one counts. */
  errors: string[];
}

export function readParams(search: string): PageParams {
  const params = new URLSearchParams(search);
  const errors: string[] = [];
  const backend = params.get('backend');
  const recipe = params.get('recipe');
  const threads = params.get('threads');
  let wasmThreads = DEFAULT_WASM_THREADS;
  if (threads === 'off' || threads === 'auto') wasmThreads = threads;
  else if (threads !== null) {
    const n = Number(threads);
    if (Number.isInteger(n) && n > 0) wasmThreads = n;
    else errors.push(`threads must be off, auto or a positive integer, got "${threads}"`);
  }
  const okBackend = backend !== null && (BACKENDS as readonly string[]).includes(backend);
  if (backend !== null && !okBackend) errors.push(`unknown backend "${backend}"; use one of ${BACKENDS.join(', ')}`);
  const okRecipe = recipe !== null && (RECIPES as readonly string[]).includes(recipe);
  if (recipe !== null && !okRecipe) errors.push(`unknown recipe "${recipe}"; use one of ${RECIPES.join(', ')}`);
  const targetSteps = params.has('steps') ? Number(params.get('steps')) : undefined;
  if (targetSteps !== undefined && !(Number.isInteger(targetSteps) && targetSteps > 0)) {
    errors.push(`steps must be a positive integer, got "${params.get('steps')}"`);
  }
  return {
    backend: okBackend ? (backend as BackendChoice) : undefined,
    recipe: okRecipe ? (recipe as RecipeChoice) : undefined,
    wasmThreads,
    targetSteps,
    autostart: params.get('autostart') === '1',
    errors,
  };
}
