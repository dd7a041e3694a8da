/**
 * BatchNorm's gradient in one pass, for the fix `fused-batchnorm-gradient`: the kernel
 * `TsGanBatchNormGrad` on wasm and cpu, which `batchnorm-gradient`'s `FusedBatchNorm` gradient
 * (`src/kernels/batchnorm-gradient.ts`) runs where it is registered. tfjs's gradient is a chain of
 * about 25 kernels per layer (a subtraction, eleven multiplies, four sums over the batch and their
 * reshapes, ...); in a training step of the seed's MLP GAN, the generator's three BatchNorm layers
 * ran 75 of its ~430 kernels there. This kernel reads `x` and `dy` once and writes the five
 * gradients (`x`, `mean`, `variance`, `scale`, `offset`); the per-channel factors 1/√(variance + ε)
 * and -½(1/√(variance + ε))³ come from the backend's own kernels, as before. On wasm the pass is
 * WebAssembly SIMD, four channels at a time (`wat/batchnorm-grad.wat`, assembled by `npm run
 * build:wasm`), where there is a scale and the channels are a multiple of 4; elsewhere, and on cpu,
 * it is a JavaScript loop.
 *
 * Each element goes through the float32 operations of the chain in the chain's order, and each sum
 * over the batch adds the rows in order as the backend's `Sum` does (in float32 on wasm, in double
 * then rounded on cpu): the same bits as the chain.
 *
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { BATCHNORM_GRAD_KERNEL } from '../../kernels/batchnorm-gradient.js';
import type { BackendFix } from './fix.js';
import {
  type CpuBackendLike,
  isReplaced,
  type KernelArgs,
  replaceKernel,
  restoreKernel,
  type WasmBackendLike,
  wasmView,
} from './kernels.js';
import { instanceOnMemory } from './wasm-bytecode.js';
import { BASE64, SHARED_BASE64 } from './wat/batchnorm-grad.bytes.js';

/**
 * The SIMD gradient (`wat/batchnorm-grad.wat`): byte addresses of x, dy, mean, scale, r, h, dx and
 * the four sums, then the rows and the channels (a multiple of 4).
 */
type SimdGradient = (...args: number[]) => void;
const gradientOn = instanceOnMemory(BASE64, SHARED_BASE64);

const BACKENDS = ['wasm', 'cpu'] as const;

/** The five gradients from `x`, `dy` (rows of `c` channels) and per-channel `mean`, `scale`, `r`, `h`. */
function batchNormGrad(
  x: Float32Array,
  dy: Float32Array,
  mean: Float32Array,
  scale: Float32Array | null,
  r: Float32Array,
  h: Float32Array,
  out: { dx: Float32Array; dMean: Float32Array; dVariance: Float32Array; dScale: Float32Array; dOffset: Float32Array },
  doubleSums: boolean,
): void {
  const f = Math.fround;
  const c = mean.length;
  const rows = x.length / c;
  const { dx, dMean, dVariance, dScale, dOffset } = out;
  // Channel by channel, four sums in registers, each addition rounded to float32 as wasm's Sum
  // does, or kept in double as cpu's Sum does.
  const sMean = new Float64Array(c);
  const sVariance = new Float64Array(c);
  const sScale = new Float64Array(c);
  const sOffset = new Float64Array(c);
  for (let j = 0; j < c; j++) {
    const rj = r[j] as number;
    const minusR = f(rj * -1);
    const hj = h[j] as number;
    const mj = mean[j] as number;
    const sj = scale ? (scale[j] as number) : 1;
    let a0 = 0;
    let a1 = 0;
    let a2 = 0;
    let a3 = 0;
    for (let i = 0, at = j; i < rows; i++, at += c) {
      const d = dy[at] as number;
      const centred = f((x[at] as number) - mj);
      const dyScaled = f(d * sj);
      dx[at] = f(f(d * rj) * sj);
      a0 += f(minusR * dyScaled);
      a1 += f(f(hj * centred) * dyScaled);
      a2 += f(d * f(centred * rj));
      a3 += d;
      if (!doubleSums) {
        a0 = f(a0);
        a1 = f(a1);
        a2 = f(a2);
        a3 = f(a3);
      }
    }
    sMean[j] = a0;
    sVariance[j] = a1;
    sScale[j] = a2;
    sOffset[j] = a3;
  }
  dMean.set(sMean);
  dVariance.set(sVariance);
  dScale.set(sScale);
  dOffset.set(sOffset);
}

type Inputs = Record<'x' | 'dy' | 'mean' | 'r' | 'h', tf.TensorInfo> & { scale?: tf.TensorInfo };

function wasmKernel(args: KernelArgs): tf.TensorInfo[] {
  const backend = args.backend as WasmBackendLike & { wasm: { asm?: { memory?: WebAssembly.Memory } } };
  const { x, dy, mean, scale, r, h } = args.inputs as Inputs;
  const outs = [x, mean, mean, mean, mean].map((t) => backend.makeOutput(t.shape, 'float32'));
  const c = mean.shape[0] as number;
  const memory = backend.wasm.asm?.memory;
  const simd = memory ? (gradientOn(memory)?.gradient as SimdGradient | undefined) : undefined;
  if (simd && scale && c % 4 === 0) {
    const offset = (t: tf.TensorInfo) => (backend.dataIdMap.get(t.dataId) as { memoryOffset: number }).memoryOffset;
    const rows = tf.util.sizeFromShape(x.shape) / c;
    simd(...[x, dy, mean, scale, r, h, ...outs].map(offset), rows, c);
    return outs;
  }
  // Views only now: the allocations above may have grown (and detached) the wasm heap.
  const view = (t: tf.TensorInfo) => wasmView(backend, t, Float32Array);
  const [dx, dMean, dVariance, dScale, dOffset] = outs.map(view) as Float32Array[];
  const o = { dx, dMean, dVariance, dScale, dOffset } as Parameters<typeof batchNormGrad>[6];
  batchNormGrad(view(x), view(dy), view(mean), scale ? view(scale) : null, view(r), view(h), o, false);
  return outs;
}

function cpuKernel(args: KernelArgs): tf.TensorInfo[] {
  const backend = args.backend as CpuBackendLike;
  const { x, dy, mean, scale, r, h } = args.inputs as Inputs;
  const values = (t: tf.TensorInfo) => backend.data.get(t.dataId).values as Float32Array;
  const c = mean.shape[0] as number;
  const o = {
    dx: new Float32Array(tf.util.sizeFromShape(x.shape)),
    dMean: new Float32Array(c),
    dVariance: new Float32Array(c),
    dScale: new Float32Array(c),
    dOffset: new Float32Array(c),
  };
  batchNormGrad(values(x), values(dy), values(mean), scale ? values(scale) : null, values(r), values(h), o, true);
  return [
    backend.makeTensorInfo(x.shape, 'float32', o.dx),
    ...[o.dMean, o.dVariance, o.dScale, o.dOffset].map((v) => backend.makeTensorInfo(mean.shape, 'float32', v)),
  ];
}

/** The fix object used by `useBackend`. */
export const fusedBatchNormGradientFix: BackendFix = {
  name: 'fused-batchnorm-gradient',
  description:
    "Registers a one-pass BatchNorm gradient kernel on wasm and cpu, which batchnorm-gradient's FusedBatchNorm " +
    'gradient runs instead of its ~25 kernels per layer; same bits.',
  backends: BACKENDS,
  apply: () => {
    replaceKernel(BATCHNORM_GRAD_KERNEL, 'wasm', () => wasmKernel as unknown as tf.KernelFunc);
    replaceKernel(BATCHNORM_GRAD_KERNEL, 'cpu', () => cpuKernel as unknown as tf.KernelFunc);
  },
  remove: () => {
    for (const b of BACKENDS) restoreKernel(BATCHNORM_GRAD_KERNEL, b);
  },
  isApplied: () => isReplaced(BATCHNORM_GRAD_KERNEL, 'wasm'),
};
