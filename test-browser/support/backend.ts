/**
 * Backend set-up for the browser tests, through the library's own `useBackend` (which applies the
 * library's backend fixes). Under Vite the wasm binaries are imported with `?url`, so the dev server
 * serves them and `setWasmPaths` gets their real URLs.
 */

import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreaded from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from 'ts-gan/backends';

export type BrowserBackend = 'cpu' | 'wasm' | 'webgl' | 'webgpu';

export const WASM_PATHS: Record<string, string> = {
  'tfjs-backend-wasm.wasm': wasmPlain,
  'tfjs-backend-wasm-simd.wasm': wasmSimd,
  'tfjs-backend-wasm-threaded-simd.wasm': wasmThreaded,
};

/**
 * Switches tfjs to `name` with `useBackend`, and returns the backend tfjs is really on afterwards
 * (`tf.getBackend()`, which the caller compares with what it asked for) and useBackend's error, if any.
 */
export async function selectBackend(name: BrowserBackend): Promise<{ active: string; error?: string }> {
  try {
    await useBackend(name, { wasmPaths: WASM_PATHS });
    return { active: tf.getBackend() };
  } catch (err) {
    return { active: tf.getBackend(), error: err instanceof Error ? err.message : String(err) };
  }
}
