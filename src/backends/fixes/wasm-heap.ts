/**
 * What the library's kernels that work on tfjs-wasm's heap share (the convolutions of
 * `wasm-simd-conv.ts` and `wasm-simd-conv2d.ts`, the products of `wasm-heap-matmul.ts`): the SIMD
 * GEMM and the column loops of `wat/conv-columns.wat` instantiated on the heap's memory, scratch
 * buffers on the heap, tensors' byte addresses, and the pixel-offset tables of im2col.
 *
 * @packageDocumentation
 */
import type * as tf from '@tensorflow/tfjs-core';
import type { WasmBackendLike } from './kernels.js';
import { fromBase64 } from './wasm-bytecode.js';
import { gemmOn, type SimdGemm } from './wasm-simd-gemm.js';
import { BASE64 } from './wat/conv-columns.bytes.js';

/** The backend's parts used here: its heap's WebAssembly.Memory as well. */
export type HeapBackend = WasmBackendLike & { wasm: { asm?: { memory?: WebAssembly.Memory } } };

/** The exports of `wat/conv-columns.wat` (byte addresses, counts). */
export interface Columns {
  gatherPanels(x: number, table: number, taps: number, rows: number, groups: number, a: number): void;
  packPanels(src: number, panels: number, cols: number, a: number): void;
  scatterAdd(
    c: number,
    rowBytes: number,
    table: number,
    taps: number,
    rows: number,
    cinBytes: number,
    dx: number,
  ): void;
  copyRows(src: number, srcRowBytes: number, rows: number, cols: number, dst: number): void;
  addRows(src: number, srcRowBytes: number, rows: number, cols: number, dst: number): void;
  transposeInto(src: number, rows: number, cols: number, dst: number, dstRowBytes: number): void;
  gatherRowPanels(
    x: number,
    table: number,
    taps: number,
    tapStride: number,
    panels: number,
    groups: number,
    zero: number,
    a: number,
  ): void;
  gatherRowPanels1(x: number, table: number, taps: number, tapStride: number, panels: number, a: number): void;
  gatherPanels1(x: number, table: number, taps: number, rows: number, a: number): void;
  scatterAdd1(c: number, rowBytes: number, table: number, taps: number, rows: number, dx: number): void;
  stridedPanels(src: number, panels: number, k: number, rowBytes: number, a: number): void;
  addBias(c: number, rows: number, cols: number, bias: number): void;
  scatterRowsBias(
    src: number,
    srcRowBytes: number,
    rows: number,
    cols: number,
    index: number,
    dst: number,
    bias: number,
  ): void;
}
/** The GEMM and the column loops on one heap. */
export interface HeapKernels {
  gemm: SimdGemm;
  columns: Columns;
}

let columnsModule: WebAssembly.Module | null | undefined;
const onMemory = new WeakMap<WebAssembly.Memory, HeapKernels | null>();

/** The GEMM and the column loops working in the backend's heap, or null where they cannot. */
export function heapKernels(backend: HeapBackend): HeapKernels | null {
  const memory = backend.wasm.asm?.memory;
  if (!memory) return null;
  const known = onMemory.get(memory);
  if (known !== undefined) return known;
  let kernels: HeapKernels | null = null;
  const gemm = gemmOn(memory);
  try {
    if (columnsModule === undefined) columnsModule = new WebAssembly.Module(fromBase64(BASE64) as BufferSource);
    if (gemm && columnsModule) {
      const instance = new WebAssembly.Instance(columnsModule, { env: { memory } });
      kernels = { gemm, columns: instance.exports as unknown as Columns };
    }
  } catch {
    columnsModule ??= null;
    kernels = null;
  }
  onMemory.set(memory, kernels);
  return kernels;
}

/** Pixel-offset tables by shape (a handful of shapes per network; the oldest goes first). */
const tables = new Map<string, Int32Array>();
/** At most this many entries (64 MiB) are kept over all shapes. */
const MAX_TABLE_ENTRIES = 16 * 2 ** 20;
let tableEntries = 0;

/**
 * table[m*taps + t]: the offset, in floats, of channel 0 of the input pixel that tap t of output
 * pixel m reads, or -1 where the tap falls in the padding.
 */
export function pixelTable(c: tf.backend_util.Conv2DInfo): Int32Array {
  const { batchSize: N, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW } = c;
  const { filterHeight: FH, filterWidth: FW, strideHeight: sh, strideWidth: sw } = c;
  const { top, left } = c.padInfo;
  const key = [N, H, W, C, OH, OW, FH, FW, sh, sw, top, left].join(',');
  const known = tables.get(key);
  if (known) return known;
  const table = new Int32Array(N * OH * OW * FH * FW);
  let i = 0;
  for (let n = 0; n < N; n++) {
    for (let oh = 0; oh < OH; oh++) {
      for (let ow = 0; ow < OW; ow++) {
        for (let fh = 0; fh < FH; fh++) {
          const ih = oh * sh - top + fh;
          for (let fw = 0; fw < FW; fw++, i++) {
            const iw = ow * sw - left + fw;
            table[i] = ih < 0 || ih >= H || iw < 0 || iw >= W ? -1 : ((n * H + ih) * W + iw) * C;
          }
        }
      }
    }
  }
  for (const [oldest, t] of tables) {
    if (tableEntries + table.length <= MAX_TABLE_ENTRIES) break;
    tables.delete(oldest);
    tableEntries -= t.length;
  }
  if (table.length <= MAX_TABLE_ENTRIES) {
    tables.set(key, table);
    tableEntries += table.length;
  }
  return table;
}

/** Scratch tensors on the wasm heap, released together. */
export class Scratch {
  private readonly infos: tf.TensorInfo[] = [];
  constructor(private readonly backend: HeapBackend) {}
  /** A new buffer of `count` elements; returns its byte address. */
  alloc(count: number, dtype: 'float32' | 'int32' = 'float32'): number {
    const info = this.backend.makeOutput([count], dtype);
    this.infos.push(info);
    return offsetOf(this.backend, info);
  }
  release(): void {
    for (const info of this.infos) this.backend.disposeData(info.dataId);
  }
}

/** The byte address of a wasm tensor's data on the heap. */
export function offsetOf(backend: HeapBackend, info: tf.TensorInfo): number {
  const data = backend.dataIdMap.get(info.dataId);
  if (!data) throw new Error('ts-gan backend fix: tensor data not found on the wasm backend.');
  return data.memoryOffset;
}

/**
 * A new float32 output of `shape` on the heap, filled by `fill` with scratch buffers that are
 * released after it; the output is disposed when `fill` throws.
 */
export function heapOutput(
  backend: HeapBackend,
  shape: number[],
  fill: (out: tf.TensorInfo, scratch: Scratch) => void,
): tf.TensorInfo {
  const out = backend.makeOutput(shape, 'float32');
  const scratch = new Scratch(backend);
  try {
    fill(out, scratch);
  } catch (err) {
    backend.disposeData(out.dataId);
    throw err;
  } finally {
    scratch.release();
  }
  return out;
}
