/**
 * Saved tensors without a kernel call or a tape node, where no gradient can need them.
 *
 * While a gradient is being recorded, tfjs's engine keeps each tensor a gradient function will
 * read (an op's saved inputs and outputs) through `engine.clone`: a full `Identity` kernel call
 * (kernel lookup, scoped run, a new tracked tensor) plus a tape node for the clone itself. A
 * training step of the seed's MLP GAN makes about 180 such clones, so about 180 `Identity` kernels
 * and 180 extra tape nodes, which `tf.variableGrads` then filters out again on every update.
 *
 * The clone's tape node links the saved tensor to its source for a gradient of the backward pass
 * itself (double backpropagation: WGAN-GP, R1, R2). The backward pass is recorded only when the
 * forward pass ran under two or more nested gradients (tfjs records it on the outer tape), so with
 * one gradient recording (`gradientDepth` 1) the node is never used: `getFilteredNodesXToY` drops
 * it, because no recorded op takes the clone as input. There the fix makes the clone directly, as
 * the cpu, WebGL, WebGPU and (with `wasm-shared-identity`) wasm `Identity` kernels do: one more
 * reference to the same data, tracked by the engine like any kernel output. Under nested gradients,
 * for strings, for data held by another backend and on backends other than cpu and wasm, tfjs's
 * own `clone` runs. Tensors are immutable, so the saved values are the same bits either way.
 *
 * It relies on engine members of tfjs-core 4.22 (`clone`, `state.gradientDepth`,
 * `state.tensorInfo`, `backendName`, `makeTensorFromTensorInfo`);
 * `test/backends/light-saved-tensors.test.ts` fails if a tfjs version changes them.
 *
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';

/** Backends whose `Identity` shares the data with a reference count (wasm's does with `wasm-shared-identity`). */
const SHARING_BACKENDS = new Set(['cpu', 'wasm']);

/** The members of tfjs's engine this fix uses (tfjs-core 4.22). */
interface EngineInternals {
  state: { gradientDepth: number; tensorInfo: WeakMap<object, { backend: tf.KernelBackend }> };
  backendName: string | null;
  backend: tf.KernelBackend & { incRef?(dataId: object): void };
  clone(x: tf.Tensor): tf.Tensor;
  makeTensorFromTensorInfo(info: tf.TensorInfo, backend?: tf.KernelBackend): tf.Tensor;
}

const engine = (): EngineInternals => tf.engine() as unknown as EngineInternals;

/** The `clone` installed with the fix; `this` is the engine. */
function lightClone(this: EngineInternals, x: tf.Tensor): tf.Tensor {
  const backend = this.backend;
  if (
    this.state.gradientDepth > 1 ||
    x.dtype === 'string' ||
    !SHARING_BACKENDS.has(this.backendName ?? '') ||
    typeof backend.incRef !== 'function' ||
    this.state.tensorInfo.get(x.dataId)?.backend !== backend
  ) {
    return original(this).call(this, x);
  }
  backend.incRef(x.dataId);
  return this.makeTensorFromTensorInfo({ dataId: x.dataId, shape: x.shape, dtype: x.dtype }, backend);
}

/** What `clone` was on the engine instance before the fix (usually nothing: the prototype's). */
let displaced: EngineInternals['clone'] | undefined;

function original(e: EngineInternals): EngineInternals['clone'] {
  return displaced ?? (Object.getPrototypeOf(e) as EngineInternals).clone;
}

/**
 * Saves tensors for gradients without an `Identity` kernel or a tape node where only one gradient
 * records (see the file comment). Idempotent; global, acts on the cpu and wasm backends.
 * @category Backends
 */
export function applyLightSavedTensors(): void {
  const e = engine() as unknown as { clone: unknown };
  if (e.clone === lightClone) return;
  if (Object.hasOwn(e, 'clone')) displaced = e.clone as EngineInternals['clone'];
  e.clone = lightClone;
}

/**
 * Restores tfjs's own saving of tensors for gradients.
 * @category Backends
 */
export function removeLightSavedTensors(): void {
  const e = engine() as unknown as { clone?: unknown };
  if (e.clone !== lightClone) return;
  if (displaced) e.clone = displaced;
  else delete e.clone;
  displaced = undefined;
}

/**
 * Whether {@link applyLightSavedTensors} is in effect.
 * @category Backends
 */
export function lightSavedTensorsApplied(): boolean {
  return engine().clone === lightClone;
}
