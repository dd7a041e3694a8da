/**
 * Kernel plumbing shared by the backend fixes: replacing a registered kernel while keeping the
 * original to restore, and reading or writing a backend's raw memory.
 *
 * tfjs keeps its kernel registry on `globalThis`; the originals kept here live there too, so an
 * ESM and a CJS copy of this package restore the same kernel.
 *
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import type { BackendFix, FixName } from './fix.js';

type KernelConfig = tf.KernelConfig;

const ORIGINALS_KEY = Symbol.for('ts-gan.backends.originalKernels');

/** Originals of replaced kernels, keyed `backend/kernel`; `null` means "there was none". */
function originals(): Map<string, KernelConfig | null> {
  const g = globalThis as unknown as Record<symbol, Map<string, KernelConfig | null> | undefined>;
  let map = g[ORIGINALS_KEY];
  if (!map) {
    map = new Map();
    g[ORIGINALS_KEY] = map;
  }
  return map;
}

/** Whether `kernelName` on `backendName` is currently a replacement made by {@link replaceKernel}. */
export function isReplaced(kernelName: string, backendName: string): boolean {
  return originals().has(`${backendName}/${kernelName}`);
}

/**
 * The kernel that {@link replaceKernel} displaced (or the registered one when nothing was
 * replaced); undefined when there is none.
 */
export function originalKernel(kernelName: string, backendName: string): KernelConfig | undefined {
  const key = `${backendName}/${kernelName}`;
  const map = originals();
  if (map.has(key)) return map.get(key) ?? undefined;
  return tf.getKernel(kernelName, backendName);
}

/**
 * Registers `make(original)` in place of `kernelName` on `backendName`. Idempotent: a second call
 * while replaced does nothing. The original's `setupFunc` is kept, because tfjs runs every
 * kernel's setup again on each `setBackend`.
 */
export function replaceKernel(
  kernelName: string,
  backendName: string,
  make: (original: KernelConfig | undefined) => tf.KernelFunc,
): void {
  const key = `${backendName}/${kernelName}`;
  const map = originals();
  if (map.has(key)) return;
  const original = tf.getKernel(kernelName, backendName);
  const kernelFunc = make(original);
  if (original) tf.unregisterKernel(kernelName, backendName);
  const config: KernelConfig = { kernelName, backendName, kernelFunc };
  if (original?.setupFunc) config.setupFunc = original.setupFunc;
  if (original?.disposeFunc) config.disposeFunc = original.disposeFunc;
  tf.registerKernel(config);
  map.set(key, original ?? null);
}

/** The arguments tfjs passes to a kernel function. */
export type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap };

/**
 * {@link replaceKernel} for a kernel that delegates to the one it displaces in the cases it does
 * not take: `run(original, args)`.
 */
export function replaceKernelWith(
  kernelName: string,
  backendName: string,
  run: (original: KernelConfig | undefined, args: KernelArgs) => tf.TensorInfo,
): void {
  replaceKernel(kernelName, backendName, (original) => {
    const kernel = (args: KernelArgs) => run(original, args);
    return kernel as unknown as tf.KernelFunc;
  });
}

/**
 * The fix that runs `run` in place of tfjs's `kernelName` on `backend` (through
 * {@link replaceKernelWith}) while it is on; where `available()` is false (the engine lacks the
 * WebAssembly it needs) it replaces nothing and says it is off.
 */
export function kernelFix(o: {
  name: FixName;
  description: string;
  backend: string;
  kernelName: string;
  run: (original: KernelConfig | undefined, args: KernelArgs) => tf.TensorInfo;
  available?: () => boolean;
}): BackendFix {
  return {
    name: o.name,
    description: o.description,
    backends: [o.backend],
    apply: () => {
      if (o.available && !o.available()) return;
      replaceKernelWith(o.kernelName, o.backend, o.run);
    },
    remove: () => restoreKernel(o.kernelName, o.backend),
    isApplied: () => isReplaced(o.kernelName, o.backend),
  };
}

/** Puts back the kernel that {@link replaceKernel} displaced (or removes an added one). Idempotent. */
export function restoreKernel(kernelName: string, backendName: string): void {
  const key = `${backendName}/${kernelName}`;
  const map = originals();
  if (!map.has(key)) return;
  const original = map.get(key);
  tf.unregisterKernel(kernelName, backendName);
  if (original) tf.registerKernel(original);
  map.delete(key);
}

/** Calls the kernel registered as `kernelName` on `backendName` directly (no engine bookkeeping). */
export function callKernel(
  kernel: KernelConfig | undefined,
  kernelName: string,
  backendName: string,
  args: { inputs: tf.NamedTensorInfoMap; backend: tf.KernelBackend; attrs?: tf.NamedAttrMap },
): tf.TensorInfo {
  if (!kernel) throw new Error(`ts-gan backend fix: kernel ${kernelName} is not registered on ${backendName}.`);
  return kernel.kernelFunc({ inputs: args.inputs, backend: args.backend, attrs: args.attrs ?? {} }) as tf.TensorInfo;
}

/** What the fixes use of tfjs-backend-cpu: its data map and `makeTensorInfo`. */
export interface CpuBackendLike {
  data: { get(dataId: object): { values?: unknown } };
  makeTensorInfo(shape: number[], dtype: tf.DataType, values: Float32Array): tf.TensorInfo;
}

/** The parts of tfjs-backend-wasm's BackendWasm that the fixes use. */
export interface WasmBackendLike extends tf.KernelBackend {
  wasm: { HEAPU8: Uint8Array };
  dataIdMap: { get(dataId: object): { memoryOffset: number; shape: number[]; dtype: tf.DataType } | undefined };
  makeOutput(shape: number[], dtype: tf.DataType, memoryOffset?: number): tf.TensorInfo;
  disposeData(dataId: object, force?: boolean): boolean;
}

/**
 * A Float32Array (or Int32Array) view of a wasm tensor's memory. Make views only after every
 * allocation of the kernel: a growing wasm heap detaches older views.
 */
export function wasmView<T extends Float32Array | Int32Array>(
  backend: WasmBackendLike,
  info: tf.TensorInfo,
  kind: new (buffer: ArrayBufferLike, byteOffset: number, length: number) => T,
): T {
  const data = backend.dataIdMap.get(info.dataId);
  if (!data) throw new Error('ts-gan backend fix: tensor data not found on the wasm backend.');
  return new kind(backend.wasm.HEAPU8.buffer, data.memoryOffset, tf.util.sizeFromShape(info.shape));
}

/**
 * Runs a cpu-backend kernel on a tensor held by another backend: copies the inputs to the cpu
 * backend, runs the kernel there and copies the result back. Correct everywhere, slow; the
 * fallback where a backend lacks a kernel.
 * @throws Error when the cpu backend is not registered (import `@tensorflow/tfjs-backend-cpu`).
 */
export function runOnCpu(
  kernelName: string,
  args: { inputs: tf.NamedTensorInfoMap; backend: tf.KernelBackend; attrs?: tf.NamedAttrMap },
): tf.TensorInfo {
  const cpu = tf.engine().findBackend('cpu');
  const kernel = tf.getKernel(kernelName, 'cpu');
  if (!cpu || !kernel) {
    throw new Error(
      `ts-gan backend fix: ${kernelName} runs on the cpu backend here, which is not registered; import '@tensorflow/tfjs-backend-cpu'.`,
    );
  }
  const cpuInputs: tf.NamedTensorInfoMap = {};
  for (const [name, info] of Object.entries(args.inputs)) {
    if (!info) continue;
    const values = args.backend.readSync(info.dataId);
    cpuInputs[name] = { dataId: cpu.write(values, info.shape, info.dtype), shape: info.shape, dtype: info.dtype };
  }
  try {
    const out = kernel.kernelFunc({ inputs: cpuInputs, backend: cpu, attrs: args.attrs ?? {} }) as tf.TensorInfo;
    try {
      const values = cpu.readSync(out.dataId);
      return { dataId: args.backend.write(values, out.shape, out.dtype), shape: out.shape, dtype: out.dtype };
    } finally {
      cpu.disposeData(out.dataId);
    }
  } finally {
    for (const info of Object.values(cpuInputs)) if (info) cpu.disposeData(info.dataId);
  }
}

/** The attributes of tfjs's `Conv2DBackpropFilter` kernel. */
export interface BackpropFilterAttrs {
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  filterShape: [number, number, number, number];
}

/** The convolution geometry of an NHWC `Conv2DBackpropFilter` call (no dilations: the kernel has none). */
export function backpropFilterInfo(x: tf.TensorInfo, attrs: BackpropFilterAttrs): tf.backend_util.Conv2DInfo {
  return tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    attrs.filterShape,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    'channelsLast',
  );
}
