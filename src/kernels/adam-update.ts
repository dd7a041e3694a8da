/**
 * The contract of the fused Adam update kernel: its name and attributes. The optimizer
 * ({@link FusedAdamOptimizer}) runs the kernel when the active backend registers one, and
 * `ts-gan/backends` registers it for wasm and cpu; both sides import this file, and neither imports
 * the other.
 *
 * @packageDocumentation
 */

/**
 * Name of the fused update kernel that backends may register.
 * @category Backends
 */
export const ADAM_UPDATE_KERNEL = 'TsGanAdamUpdate';

/**
 * Attributes of the fused kernel: every constant already rounded to float32, as the tfjs op
 * sequence sees it. Inputs: `x` (the variable), `m`, `v` (moments), `g` (gradient); outputs:
 * `[x', m', v']`. Per element, in float32:
 * `m' = m*beta1 + g*oneMinusBeta1; v' = v*beta2 + (g*g)*oneMinusBeta2;
 *  x' = ((m'/oneMinusAccBeta1) / (sqrt(v'/oneMinusAccBeta2) + epsilon)) * negLearningRate + x`.
 * @category Backends
 */
export interface AdamUpdateAttrs {
  beta1: number;
  oneMinusBeta1: number;
  beta2: number;
  oneMinusBeta2: number;
  oneMinusAccBeta1: number;
  oneMinusAccBeta2: number;
  epsilon: number;
  negLearningRate: number;
  [key: string]: number;
}
