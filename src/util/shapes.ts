/**
 * Shape checks and the shape words of error messages: `[batch, 28, 28, 1]`.
 *
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { ShapeError } from '../errors.js';
import { show } from './validate.js';

/** Formats a shape with `batch` for the free first dimension: `[batch, 28, 28, 1]`. */
export function formatShape(shape: readonly (number | null)[]): string {
  return `[${shape.map((d, i) => (d === null || d === -1 ? (i === 0 ? 'batch' : '?') : d)).join(', ')}]`;
}

/** Describes a value that should have been a tensor, for error messages. */
export function describeTensor(value: unknown): string {
  return value instanceof tf.Tensor ? `a tensor of shape [${value.shape.join(', ')}]` : show(value);
}

/**
 * @throws {@link ShapeError} unless `x` is a tensor `[batch >= 1, ...sampleShape]`.
 */
export function assertBatchShape(where: string, name: string, x: unknown, sampleShape: readonly number[]): void {
  const ok =
    x instanceof tf.Tensor &&
    x.rank === sampleShape.length + 1 &&
    (x.shape[0] as number) >= 1 &&
    sampleShape.every((d, i) => x.shape[i + 1] === d);
  if (!ok) {
    throw new ShapeError(
      `${where}: ${name} must have shape ${formatShape([null, ...sampleShape])} to match dataShape, got ${describeTensor(x)}.`,
    );
  }
}
