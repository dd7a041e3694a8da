/**
 * cpu `Conv2DBackpropFilter` in an order the cache likes. tfjs-backend-cpu 4.22 loops over the
 * filter taps outermost and over the batch and the output pixels innermost, reading both tensors
 * with large strides: on a small DCGAN's discriminator it took about 2 s per call at batch 8, so a
 * convolutional GAN trained at about a minute per step on cpu. This kernel walks the output pixels
 * outermost and adds, for each filter tap, the outer product of one input pixel's channels and the
 * output gradient's channels to the filter gradient: rows of contiguous memory, the same products,
 * summed in another order (equal to tfjs's to float rounding). NCHW and non-float32 inputs take
 * tfjs's kernel.
 *
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import type { BackendFix } from './fix.js';
import {
  type BackpropFilterAttrs,
  backpropFilterInfo,
  type CpuBackendLike,
  isReplaced,
  replaceKernel,
  restoreKernel,
} from './kernels.js';

const BACKEND = 'cpu';
const KERNEL = 'Conv2DBackpropFilter';

/** dW[fh, fw, ci, co] = sum over n, oh, ow of x[n, ih, iw, ci] * dy[n, oh, ow, co], ih/iw from the tap. */
function filterGradient(x: Float32Array, dy: Float32Array, c: tf.backend_util.Conv2DInfo): Float32Array {
  const { batchSize: N, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW } = c;
  const { outChannels: CO, filterHeight: FH, filterWidth: FW, strideHeight: sh, strideWidth: sw } = c;
  const { dilationHeight: dh, dilationWidth: dw } = c;
  const top = c.padInfo.top;
  const left = c.padInfo.left;
  const out = new Float32Array(FH * FW * C * CO);
  for (let n = 0; n < N; n++) {
    for (let oh = 0; oh < OH; oh++) {
      for (let ow = 0; ow < OW; ow++) {
        const dyBase = ((n * OH + oh) * OW + ow) * CO;
        for (let fh = 0; fh < FH; fh++) {
          const ih = oh * sh - top + fh * dh;
          if (ih < 0 || ih >= H) continue;
          for (let fw = 0; fw < FW; fw++) {
            const iw = ow * sw - left + fw * dw;
            if (iw < 0 || iw >= W) continue;
            const xBase = ((n * H + ih) * W + iw) * C;
            const wBase = (fh * FW + fw) * C * CO;
            for (let ci = 0; ci < C; ci++) {
              const xv = x[xBase + ci] as number;
              const row = wBase + ci * CO;
              for (let co = 0; co < CO; co++)
                out[row + co] = (out[row + co] as number) + xv * (dy[dyBase + co] as number);
            }
          }
        }
      }
    }
  }
  return out;
}

function kernel(original: tf.KernelConfig | undefined): tf.KernelFunc {
  return (args) => {
    const backend = args.backend as CpuBackendLike;
    const { x, dy } = args.inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
    const attrs = args.attrs as unknown as BackpropFilterAttrs;
    const xv = backend.data.get(x.dataId).values;
    const dyv = backend.data.get(dy.dataId).values;
    if (attrs.dataFormat === 'NCHW' || !(xv instanceof Float32Array) || !(dyv instanceof Float32Array)) {
      if (!original) throw new Error(`ts-gan backend fix: ${KERNEL} is not registered on ${BACKEND}.`);
      return original.kernelFunc(args);
    }
    const c = backpropFilterInfo(x, attrs);
    return backend.makeTensorInfo([...attrs.filterShape], 'float32', filterGradient(xv, dyv, c));
  };
}

/** The fix object used by `useBackend`. */
export const cpuConv2dBackpropFilterFix: BackendFix = {
  name: 'cpu-conv2d-backprop-filter',
  description:
    "cpu Conv2DBackpropFilter (every conv's weight gradient) walks the output pixels outermost with contiguous rows instead of tfjs-cpu's strided loops: a small DCGAN trains on cpu at seconds per step instead of a minute.",
  backends: [BACKEND],
  apply: () => {
    if (tf.getKernel(KERNEL, BACKEND)) replaceKernel(KERNEL, BACKEND, kernel);
  },
  remove: () => restoreKernel(KERNEL, BACKEND),
  isApplied: () => isReplaced(KERNEL, BACKEND),
};
