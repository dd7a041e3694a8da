/**
 * Lazy gradients for tfjs's fused products (`tf.fused.matMul`, `tf.fused.conv2d`), which every
 * tfjs-layers Dense and Conv2D layer calls.
 *
 * tfjs-core gives both ops a custom gradient (`customGrad`) that computes every operand's gradient
 * as soon as the backward pass reaches the op, and only then hands them to the tape. The tape
 * throws away the ones nobody asked for, but the products are already paid for. In a GAN step that
 * is a lot of work: the discriminator's weight gradients during the generator's update (the
 * discriminator is frozen), and the gradient with respect to the images in the discriminator's
 * first layer during its own update. For the seed's MLP GAN that is about 14% of a step's
 * multiply-adds; for a DCGAN, the discriminator's filter gradients (`Conv2DBackpropFilter`, slow on
 * wasm) in every generator update.
 *
 * The fix wraps `customGrad` on tfjs's engine for these two ops only: the forward pass is tfjs's own
 * (same kernel, same attributes), and the backward pass returns one thunk per operand, as tfjs's
 * registered gradients do, so the tape computes only what it needs. Each thunk runs the very kernel
 * tfjs's gradient runs, with the same inputs and attributes, so every gradient that is computed is
 * bit-identical to tfjs's. In gradient mode tfjs fuses only the linear activation (`shouldFuse`), so
 * the backward pass never needs an activation's derivative; anything unexpected (another activation,
 * NCHW data, dilations, attributes that could not be read) falls back to tfjs's own eager gradient.
 *
 * It relies on three engine members that tfjs-core 4.22 uses internally (`customGrad`,
 * `runKernelFunc`, `state.activeScope`) and on the op scope names (`fusedMatMul__op`,
 * `fusedConv2d__op`); `test/backends/lazy-gradients.test.ts` fails if a tfjs version changes them.
 *
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';

type SaveFunc = (tensors: tf.Tensor[]) => void;
type CustomGradResult = { value: tf.Tensor; gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.Tensor | tf.Tensor[] };
type CustomGradFunc = (...args: (tf.Tensor | SaveFunc)[]) => CustomGradResult;
type GradThunks = Record<string, () => tf.Tensor>;

/** The members of tfjs's engine this fix uses (tfjs-core 4.22). */
interface EngineInternals {
  state: { activeScope: { name: string } | null };
  customGrad(f: CustomGradFunc): (...inputs: tf.Tensor[]) => tf.Tensor;
  runKernel(kernelName: string, inputs: tf.NamedTensorMap, attrs?: tf.NamedAttrMap): tf.Tensor | tf.Tensor[];
  runKernelFunc(params: {
    forwardFunc: (backend: unknown, save: SaveFunc) => tf.Tensor;
    backwardsFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => GradThunks;
    inputs: tf.NamedTensorMap;
  }): tf.Tensor;
}

/** The fused ops this fix handles: the op's scope name and the kernel its forward pass runs. */
const OPS = {
  fusedMatMul__op: { kernel: '_FusedMatMul', gradients: matMulGradients },
  fusedConv2d__op: { kernel: 'FusedConv2D', gradients: conv2dGradients },
} as const;

type LazyGradients = (dy: tf.Tensor, saved: tf.Tensor[], attrs: tf.NamedAttrMap) => GradThunks | null;

const engine = (): EngineInternals => tf.engine() as unknown as EngineInternals;

/** tfjs's bias gradient (`getFusedBiasGradient`): dy summed over the broadcast axes. */
function biasGradient(bias: tf.Tensor, dy: tf.Tensor): tf.Tensor {
  const axes = tf.backend_util.getReductionAxes(bias.shape, dy.shape);
  return tf.reshape(axes.length > 0 ? tf.sum(dy, axes) : dy, bias.shape);
}

const isLinear = (attrs: tf.NamedAttrMap) => attrs.activation === undefined || attrs.activation === 'linear';

/**
 * `tf.fused.matMul`: inputs `[a3D, b3D, bias?]`, saved `[a3D, b3D, y, bias?]`. The four cases are
 * tfjs's own, product for product.
 */
function matMulGradients(dy: tf.Tensor, saved: tf.Tensor[], attrs: tf.NamedAttrMap): GradThunks | null {
  if (!isLinear(attrs)) return null;
  const [a, b, y, bias] = saved as [tf.Tensor3D, tf.Tensor3D, tf.Tensor3D, tf.Tensor | undefined];
  const tA = attrs.transposeA === true;
  const tB = attrs.transposeB === true;
  // dy in the product's 3D shape, made once for every thunk (tfjs reshapes in each): it shares dy's
  // data, and it belongs to the backward pass's scope, which outlives the thunks' own scopes.
  const d = tf.util.arraysEqual(dy.shape, y.shape) ? dy : tf.reshape(dy, y.shape);
  const thunks: GradThunks = {
    0: () => (tA ? tf.matMul(b, d, tB, true) : tf.matMul(d, b, false, !tB)),
    1: () => (tB ? tf.matMul(d, a, true, tA) : tf.matMul(a, d, !tA, false)),
  };
  if (bias) thunks[2] = () => biasGradient(bias, d);
  return thunks;
}

/** `tf.fused.conv2d`: inputs `[x4D, filter, bias?]`, saved `[filter, x4D, y, bias?]`. */
function conv2dGradients(dy: tf.Tensor, saved: tf.Tensor[], attrs: tf.NamedAttrMap): GradThunks | null {
  const dilations = attrs.dilations as number | number[] | undefined;
  const unitDilations = dilations === undefined || [dilations].flat().every((v) => v === 1);
  if (!isLinear(attrs) || attrs.dataFormat !== 'NHWC' || !unitDilations || dy.rank !== 4) return null;
  const [filter, x, , bias] = saved as [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D, tf.Tensor | undefined];
  const strides = attrs.strides as [number, number] | number;
  const pad = attrs.pad as 'valid' | 'same' | number;
  const thunks: GradThunks = {
    // tfjs's gradient calls conv2DBackpropInput(x.shape, dy, filter, strides, pad): the same kernel
    // and attributes as conv2dTranspose with x's shape as output.
    0: () => tf.conv2dTranspose(dy as tf.Tensor4D, filter, x.shape, strides, pad),
    1: () =>
      engine().runKernel('Conv2DBackpropFilter', { x, dy }, {
        strides,
        pad,
        dataFormat: 'NHWC',
        dimRoundingMode: undefined,
        filterShape: filter.shape,
      } as never) as tf.Tensor,
  };
  if (bias) thunks[2] = () => biasGradient(bias, dy);
  return thunks;
}

/** tfjs's behaviour: every gradient computed now, handed over as thunks. */
function eagerGradients(result: CustomGradResult, dy: tf.Tensor, saved: tf.Tensor[]): GradThunks {
  const res = result.gradFunc(dy, saved);
  const grads = Array.isArray(res) ? res : [res];
  return Object.fromEntries(grads.map((g, i) => [String(i), () => g]));
}

/** The wrapper installed on the engine; `this` is the engine. */
function lazyCustomGrad(this: EngineInternals, f: CustomGradFunc): (...inputs: tf.Tensor[]) => tf.Tensor {
  const op = OPS[this.state.activeScope?.name as keyof typeof OPS] as
    | { kernel: string; gradients: LazyGradients }
    | undefined;
  if (!op) return original(this, 'customGrad').call(this, f);
  return (...inputs: tf.Tensor[]) => {
    let attrs: tf.NamedAttrMap | undefined;
    let result: CustomGradResult | undefined;
    const forwardFunc = (_backend: unknown, save: SaveFunc): tf.Tensor => {
      // Read the attributes tfjs passes to the forward kernel: the gradient depends on them.
      const outer = capture;
      const mine: Capture = { kernel: op.kernel };
      capture = mine;
      try {
        result = f(...inputs, save);
      } finally {
        capture = outer;
      }
      attrs = mine.attrs;
      return result.value;
    };
    const backwardsFunc = (dy: tf.Tensor, saved: tf.Tensor[]): GradThunks => {
      const lazy = attrs ? op.gradients(dy, saved, attrs) : null;
      return lazy ?? eagerGradients(result as CustomGradResult, dy, saved);
    };
    const inputMap = Object.fromEntries(inputs.map((t, i) => [String(i), t]));
    return this.runKernelFunc({ forwardFunc, backwardsFunc, inputs: inputMap });
  };
}

/** The forward kernel whose attributes are wanted while a fused op's forward pass runs, if any. */
interface Capture {
  kernel: string;
  attrs?: tf.NamedAttrMap;
}
let capture: Capture | null = null;

/** The `runKernel` installed with the fix: tfjs's, noting the attributes of the captured kernel. */
function capturingRunKernel(
  this: EngineInternals,
  name: string,
  inputs: tf.NamedTensorMap,
  attrs?: tf.NamedAttrMap,
): tf.Tensor | tf.Tensor[] {
  if (capture && name === capture.kernel) capture.attrs = attrs;
  return original(this, 'runKernel').call(this, name, inputs, attrs);
}

type Member = 'customGrad' | 'runKernel';
const WRAPPERS = { customGrad: lazyCustomGrad, runKernel: capturingRunKernel } as const;

/** What each wrapped member was on the engine instance before the fix (usually nothing: the prototype's). */
const displaced = new Map<Member, EngineInternals[Member]>();

/** The member the wrapper stands in front of: the instance's earlier one, or the prototype's. */
function original<M extends Member>(e: EngineInternals, member: M): EngineInternals[M] {
  return (displaced.get(member) ?? Object.getPrototypeOf(e)[member]) as EngineInternals[M];
}

/**
 * Makes the gradients of `tf.fused.matMul` and `tf.fused.conv2d` lazy (see the file comment).
 * Idempotent; global to every backend. Installed once: the hot path adds no property to the engine.
 * @category Backends
 */
export function applyLazyFusedGradients(): void {
  const e = engine() as unknown as Record<Member, unknown>;
  for (const member of Object.keys(WRAPPERS) as Member[]) {
    if (e[member] === WRAPPERS[member]) continue;
    if (Object.hasOwn(e, member)) displaced.set(member, e[member] as EngineInternals[Member]);
    e[member] = WRAPPERS[member];
  }
}

/**
 * Restores tfjs's eager gradients for the fused ops.
 * @category Backends
 */
export function removeLazyFusedGradients(): void {
  const e = engine() as unknown as Record<Member, unknown>;
  for (const member of Object.keys(WRAPPERS) as Member[]) {
    if (e[member] !== WRAPPERS[member]) continue;
    const before = displaced.get(member);
    if (before) e[member] = before;
    else delete e[member];
    displaced.delete(member);
  }
}

/**
 * Whether {@link applyLazyFusedGradients} is in effect.
 * @category Backends
 */
export function lazyFusedGradientsApplied(): boolean {
  return engine().customGrad === lazyCustomGrad;
}
