/**
 * The report's configuration section: the commands that repeat and resume the run, every start
 * of it, its options, and what its checkpoint says.
 *
 * @packageDocumentation
 */
import type { RunInvocation, RunReportData } from './data.js';
import { escapeHtml as esc, shellCommand, valueText } from './html.js';

function table(rows: readonly [string, unknown][]): string {
  if (rows.length === 0) return '';
  const body = rows.map(([k, v]) => `<tr><th>${esc(k)}</th><td><code>${esc(valueText(v))}</code></td></tr>`);
  return `<table>${body.join('')}</table>`;
}

/** `argv` without `--resume`: the command that starts the run afresh. */
const withoutResume = (argv: readonly string[]) => argv.filter((a) => a !== '--resume');

/** `argv` with `--resume`: the command that continues the run from its checkpoint. */
const withResume = (argv: readonly string[]) => (argv.includes('--resume') ? [...argv] : [...argv, '--resume']);

function commandBlock(label: string, args: readonly string[], cwd: string | undefined, note: string): string {
  const where = cwd === undefined ? '' : ` (in <code>${esc(cwd)}</code>)`;
  return `<p>${esc(label)}${where}:</p><pre class="command">${esc(shellCommand(['ts-gan', ...args]))}</pre><p class="hint">${esc(note)}</p>`;
}

function history(invocations: readonly RunInvocation[]): string {
  if (invocations.length < 2) return '';
  const rows = invocations.map((inv) => [
    `${inv.startedAt ?? '?'} from step ${inv.startStep ?? '?'}`,
    shellCommand(['ts-gan', ...inv.argv]),
  ]) as [string, unknown][];
  return `<h3>Every start of this run</h3>${table(rows)}`;
}

/** The configuration section of a report. */
export function configSection(run: RunReportData): string {
  const { invocations, checkpoint } = run.config;
  const first = invocations[0];
  const last = invocations[invocations.length - 1];
  const parts: string[] = ['<section><h2>Configuration</h2>'];
  if (first && last) {
    parts.push(
      commandBlock(
        'Repeat it',
        withoutResume(first.argv),
        first.cwd,
        'The same seed and options give the same run (on the same backend); change --out to keep this one.',
      ),
      commandBlock(
        'Resume it',
        withResume(last.argv),
        last.cwd,
        'Continues from the checkpoint with its saved settings; raise --steps to train further.',
      ),
    );
    const versionRow: [string, unknown][] = last.version === undefined ? [] : [['ts-gan version', last.version]];
    parts.push('<h3>Options</h3>', table([...versionRow, ...Object.entries(last.options ?? {})]));
    parts.push(history(invocations));
  } else {
    const resume = run.folder === undefined ? [] : ['mnist', '--resume', '--out', run.folder, '--steps', 'TOTAL'];
    parts.push(
      run.config.origin === undefined
        ? '<p>The command that started this run is not recorded (it predates <code>run.json</code>).</p>'
        : `<p>${esc(run.config.origin)}</p>`,
    );
    if (checkpoint && resume.length > 0) {
      parts.push(
        commandBlock(
          'Resume it',
          resume,
          undefined,
          'A resumed run keeps the checkpoint’s networks and settings; TOTAL is the step to reach.',
        ),
      );
    }
  }
  if (checkpoint) parts.push('<h3>What the checkpoint holds</h3>', table(Object.entries(checkpoint)));
  else parts.push('<p>The run has no checkpoint yet.</p>');
  parts.push('</section>');
  return parts.join('\n');
}
