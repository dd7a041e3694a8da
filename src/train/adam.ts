/**
 * The trainer's default optimizer. It lives with the fused Adam kernel's contract in
 * `src/kernels/`, where checkpoints (io/) and backends can reach it without importing train/.
 *
 * @packageDocumentation
 */
export { FusedAdamOptimizer } from '../kernels/fused-adam-optimizer.js';
