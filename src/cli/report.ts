/**
 * `ts-gan report`: writes a run folder's report page.
 *
 * @packageDocumentation
 */
import { resolve } from 'node:path';
import { writeRunReport } from '../node/report.js';
import { type CliIO, type Command, UsageError } from './args.js';
import { type FlagTable, HELP_ROW, optionalText, optionsHelp, parseTable } from './flags.js';

/** The flags of `ts-gan report`. */
const FLAGS = {
  from: {
    key: 'from',
    arg: 'DIR',
    help: 'the run folder (what ts-gan mnist --out wrote); required',
    read: optionalText,
  },
  out: { key: 'out', arg: 'FILE', help: 'the page to write', default: 'DIR/report.html', read: optionalText },
  help: HELP_ROW,
} as const satisfies FlagTable;

const USAGE = `Usage: ts-gan report --from DIR [--out FILE]

Writes one self-contained HTML page about a run, which a browser opens from disk with no network:
the losses and D(x), D(G(z)) over the steps (smoothed, the logged values faint behind), the judge's
metrics (classifier score, Frechet distance, KID with its standard error, the class histogram's KL)
with the collapse and divergence alarms, the fixed-noise grids over time and the last one large,
speed, memory and the backend with its fixes, and the configuration with the commands that repeat
and resume the run. \`ts-gan mnist\` writes it into the run folder at the end of every run; this
command makes it for any run: one in progress (metrics.jsonl still growing), a resumed one, or
one made by an older version (without run.json: the checkpoint's settings are shown instead).

${optionsHelp(FLAGS)}`;

async function run(argv: string[], io: CliIO): Promise<number> {
  const { values: v } = parseTable('report', argv, FLAGS);
  if (v.help) {
    io.stdout.write(USAGE);
    return 0;
  }
  if (v.from === undefined) throw new UsageError('ts-gan report: --from DIR is required (a run folder).');
  const file = await writeRunReport(v.from, v.out === undefined ? {} : { out: v.out });
  io.stdout.write(`${resolve(file)}\n`);
  return 0;
}

/** `ts-gan report`. */
export const reportCommand: Command = {
  summary: "write a run folder's report.html (curves, judge metrics, grids over time, configuration)",
  usage: USAGE,
  run,
};
