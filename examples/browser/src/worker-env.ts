/**
 * What the training worker needs of its surroundings: the served data files, the wasm backend's
 * threads, turns of the event loop, and whether it really runs in a worker.
 */
import { getThreadsCount, setThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { decodeIdx } from 'ts-gan';
import type { WasmThreads } from './protocol';

/** Loads one of the IDX files the demo serves. */
export async function fetchIdx(url: string, what: string) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`could not load ${what} from ${url}: HTTP ${response.status}`);
  return decodeIdx(new Uint8Array(await response.arrayBuffer()), what);
}

/**
 * Sets how tfjs's wasm backend runs before it starts: `off` makes it load the single-threaded SIMD
 * build even on an isolated page (the flag tfjs reads to pick a build); a number sizes the pool.
 */
export function configureWasmThreads(threads: WasmThreads): void {
  if (threads === 'off') tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  else if (typeof threads === 'number') setThreadsCount(threads);
}

/** The threads of the wasm backend (1 for its single-threaded build), or null on another backend. */
export function wasmThreadCount(): number | null {
  if (tf.getBackend() !== 'wasm') return null;
  try {
    return getThreadsCount();
  } catch {
    return null;
  }
}

const channel = new MessageChannel();
/** One turn of the event loop (a message through a channel: no timer clamping). */
export function yieldToEvents(): Promise<void> {
  return new Promise((resolve) => {
    channel.port1.onmessage = () => resolve();
    channel.port2.postMessage(null);
  });
}

/** True in a dedicated worker, false on a page's thread (where `window` exists). */
export function isWorkerScope(): boolean {
  const g = globalThis as { WorkerGlobalScope?: new () => unknown; window?: unknown };
  return typeof g.WorkerGlobalScope === 'function' && self instanceof g.WorkerGlobalScope && g.window === undefined;
}
