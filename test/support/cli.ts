/**
 * Runs the `ts-gan` command in-process with captured output, for the CLI tests.
 */
import { main } from '../../src/cli/main';

/** Runs `ts-gan ...argv`; returns the exit code and what it wrote to stdout and stderr. */
export async function cli(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, {
    stdout: { write: (s: string) => out.push(s) },
    stderr: { write: (s: string) => err.push(s), isTTY: false },
  });
  return { code, stdout: out.join(''), stderr: err.join('') };
}
