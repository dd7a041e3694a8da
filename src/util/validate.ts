/**
 * Up-front option checks that produce the library's error messages:
 * "Trainer: batchSize must be a positive integer, got 0."
 */
import { ConfigError } from '../errors.js';

/** Formats a received value for an error message. */
export function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value == null) return String(value);
  if (Array.isArray(value)) return `[${value.map(show).join(', ')}]`;
  return typeof value;
}

/** @throws ConfigError unless `value` is an integer >= 1. */
export function positiveInteger(where: string, name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new ConfigError(`${where}: ${name} must be a positive integer, got ${show(value)}.`);
  }
  return value;
}

/** @throws ConfigError unless `value` is an integer >= 0. */
export function nonNegativeInteger(where: string, name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new ConfigError(`${where}: ${name} must be a non-negative integer, got ${show(value)}.`);
  }
  return value;
}

/** @throws ConfigError unless `value` is a finite number in [min, max) (or [min, max] when `inclusiveMax`). */
export function numberInRange(
  where: string,
  name: string,
  value: unknown,
  min: number,
  max: number,
  inclusiveMax = false,
): number {
  const ok =
    typeof value === 'number' && Number.isFinite(value) && value >= min && (inclusiveMax ? value <= max : value < max);
  if (!ok) {
    throw new ConfigError(
      `${where}: ${name} must be a number in [${min}, ${max}${inclusiveMax ? ']' : ')'}, got ${show(value)}.`,
    );
  }
  return value as number;
}

/** @throws ConfigError unless `value` is a finite number > 0. */
export function positiveNumber(where: string, name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new ConfigError(`${where}: ${name} must be a positive number, got ${show(value)}.`);
  }
  return value;
}

/** @throws ConfigError when `options` has a key not in `known`, naming the closest known key. */
export function knownKeys(where: string, options: object, known: readonly string[]): void {
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) {
      throw new ConfigError(`${where}: unknown option "${key}". Known options: ${known.join(', ')}.`);
    }
  }
}
