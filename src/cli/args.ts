/**
 * Argument parsing for the `ts-gan` command, on Node's built-in `util.parseArgs`.
 *
 * @packageDocumentation
 */
import { type ParseArgsConfig, parseArgs } from 'node:util';

/** A mistake in how the command was called: exit code 2, message and usage on stderr. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Where the command writes, injectable so that tests capture the output. */
export interface CliIO {
  /** Results (paths written). */
  stdout: { write(text: string): unknown };
  /** Messages, progress and errors. */
  stderr: { write(text: string): unknown; isTTY?: boolean; columns?: number };
  /** Installs SIGINT and SIGTERM handlers that stop training cleanly (only the real command does). */
  handleSignals?: boolean;
}

/** A subcommand: `ts-gan <name> ...`. */
export interface Command {
  /** One line for `ts-gan --help`. */
  summary: string;
  /** The command's full help text. */
  usage: string;
  /** Runs the command; resolves to the exit code. Throws UsageError for a bad call. */
  run(argv: string[], io: CliIO): Promise<number>;
}

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * Parses `argv` strictly (unknown flags and stray arguments are usage errors).
 * @returns the flag values.
 */
export function parseFlags<T extends Options>(
  command: string,
  argv: string[],
  options: T,
): ReturnType<typeof parseArgs<{ args: string[]; options: T; strict: true; allowPositionals: false }>>['values'] {
  try {
    return parseArgs({ args: joinNegativeValues(argv, options), options, strict: true, allowPositionals: false })
      .values;
  } catch (err) {
    throw new UsageError(`ts-gan ${command}: ${(err as Error).message}`);
  }
}

/** A value that starts with a dash and is a number, such as `-5` or `-0.5`. */
const NEGATIVE_NUMBER = /^-(\d|\.\d)/;

/**
 * Turns `--name -5` into `--name=-5` for flags that take a value, so that a negative number reaches
 * the flag's own check ("--steps must be a positive integer, got -5") instead of `parseArgs`
 * calling it ambiguous.
 */
function joinNegativeValues(argv: readonly string[], options: Options): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const next = argv[i + 1];
    const name = arg.startsWith('--') ? arg.slice(2) : undefined;
    if (name !== undefined && options[name]?.type === 'string' && next !== undefined && NEGATIVE_NUMBER.test(next)) {
      out.push(`${arg}=${next}`);
      i++;
    } else {
      out.push(arg);
    }
  }
  return out;
}

/** Reads an integer flag: `--name N` with N >= min, or the default. */
export function intFlag(
  command: string,
  name: string,
  value: string | undefined,
  fallback: number,
  min: number,
): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!/^-?\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min) {
    const kind = min === 1 ? 'a positive integer' : min === 0 ? 'a non-negative integer' : `an integer >= ${min}`;
    throw new UsageError(`ts-gan ${command}: --${name} must be ${kind}, got ${JSON.stringify(value)}.`);
  }
  return n;
}

/** Reads a flag that must be a finite number above 0. @throws UsageError. */
export function positiveNumberFlag(command: string, name: string, value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0) {
    throw new UsageError(`ts-gan ${command}: --${name} must be a number above 0, got ${JSON.stringify(value)}.`);
  }
  return n;
}

/** Reads a flag of two numbers in [0, 1) separated by a comma, such as Adam's betas `0,0.99`. */
export function unitPairFlag(command: string, name: string, value: string): [number, number] {
  const parts = value.split(',');
  const pair = parts.map((p) => (p.trim() === '' ? Number.NaN : Number(p)));
  if (pair.length !== 2 || pair.some((n) => !(n >= 0 && n < 1))) {
    throw new UsageError(
      `ts-gan ${command}: --${name} must be two numbers in [0, 1) separated by a comma, such as 0,0.99; got ${JSON.stringify(value)}.`,
    );
  }
  return pair as [number, number];
}

/** Reads an integer flag with no lower bound other than being an integer. */
export function seedFlag(command: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!/^-?\d+$/.test(value.trim()) || !Number.isSafeInteger(n)) {
    throw new UsageError(`ts-gan ${command}: --seed must be an integer, got ${JSON.stringify(value)}.`);
  }
  return n;
}
