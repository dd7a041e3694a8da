/**
 * The `ts-gan` command. Each subcommand is a module exporting a {@link Command}; add one to
 * {@link COMMANDS} to extend the command.
 *
 * Exit codes: 0 success, 1 failure (bad data, unwritable folder, training error), 2 usage error,
 * 143 training stopped by SIGTERM (after its final save).
 *
 * @packageDocumentation
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { GanError } from '../errors.js';
import { type CliIO, type Command, UsageError } from './args.js';
import { evaluateCommand } from './evaluate.js';
import { mnistCommand } from './mnist.js';
import { reportCommand } from './report.js';
import { sampleCommand } from './sample.js';
import { SIGTERM_EXIT_CODE } from './stop-signals.js';
import { trainCommand } from './train.js';

export type { CliIO, Command } from './args.js';

/** Subcommands by name. */
export const COMMANDS: Record<string, Command> = {
  evaluate: evaluateCommand,
  mnist: mnistCommand,
  report: reportCommand,
  sample: sampleCommand,
  train: trainCommand,
};

/** Exit codes. */
export const EXIT = { ok: 0, failure: 1, usage: 2, terminated: SIGTERM_EXIT_CODE } as const;

function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((k) => k.length));
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return `Usage: ts-gan <command> [options]\n\nCommands:\n${lines.join('\n')}\n\nRun \`ts-gan <command> --help\` for a command's options.\n`;
}

/**
 * Runs the command line `argv` (without `node` and the script) and resolves to the exit code.
 * Never calls `process.exit`, so tests call it directly with their own streams.
 *
 * @param argv - for example `['mnist', '--steps', '100']`.
 * @param io - where to write; default the process's stdout and stderr.
 * @returns 0, 1, 2, or 143 after SIGTERM (with `handleSignals`).
 */
export async function main(
  argv: string[],
  io: CliIO = { stdout: process.stdout, stderr: process.stderr },
): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    (name === undefined ? io.stderr : io.stdout).write(usage());
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!command) {
    io.stderr.write(
      `ts-gan: unknown command ${JSON.stringify(name)}; commands: ${Object.keys(COMMANDS).join(', ')}.\n\n${usage()}`,
    );
    return EXIT.usage;
  }
  try {
    return await command.run(rest, io);
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr.write(`${err.message}\nRun \`ts-gan ${name} --help\` for the options.\n`);
      return EXIT.usage;
    }
    const message = err instanceof GanError || err instanceof Error ? err.message : String(err);
    const prefix = message.startsWith('ts-gan') ? '' : `ts-gan ${name}: `;
    io.stderr.write(`${prefix}${message}\n`);
    if (!(err instanceof GanError) && err instanceof Error && process.env.TS_GAN_DEBUG)
      io.stderr.write(`${err.stack}\n`);
    return EXIT.failure;
  }
}

/** Whether this module is the script Node was started with (directly, or through the npm bin link). */
function isEntryPoint(): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, handleSignals: true }).then(
    (code) => {
      process.exitCode = code;
    },
    (err) => {
      process.stderr.write(`ts-gan: ${err instanceof Error ? err.stack : String(err)}\n`);
      process.exitCode = EXIT.failure;
    },
  );
}
