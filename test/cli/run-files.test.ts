/**
 * The pieces behind a safe run folder: metrics.jsonl trimmed to the checkpoint, what counts as a
 * run, and the stop signals.
 */
import { EventEmitter } from 'node:events';
import { mkdir, mkdtemp, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { UsageError } from '../../src/cli/args';
import { trimMetricsFile, trimMetricsText } from '../../src/cli/metrics-file';
import { assertNoRun, removeRun, runEntries } from '../../src/cli/run-folder';
import { SIGTERM_EXIT_CODE, stopOnSignals } from '../../src/cli/stop-signals';

const temp = (prefix: string) => mkdtemp(join(tmpdir(), `ts-gan-run-files-${prefix}-`));
const line = (step: number, extra: Record<string, unknown> = {}) => `${JSON.stringify({ step, ...extra })}\n`;

describe('metrics.jsonl follows the checkpoint', () => {
  test('lines past the step are dropped; lines at or before it, in their order, stay', () => {
    const text =
      line(1) + line(2) + line(2, { classifierScore: 3 }) + line(3) + line(4) + line(4, { kid: 1 }) + line(5);
    const r = trimMetricsText(text, 3);
    expect(r.text).toBe(line(1) + line(2) + line(2, { classifierScore: 3 }) + line(3));
    expect(r).toMatchObject({ kept: 4, dropped: 3 });
  });

  test('a complete line that cannot be read is kept; a torn last line is dropped', () => {
    const torn = '{"step":4,"dLo';
    const r = trimMetricsText(`${line(1)}not json\n{"no":"step"}\n${line(2)}${torn}`, 3);
    expect(r.text).toBe(`${line(1)}not json\n{"no":"step"}\n${line(2)}`);
    expect(r).toMatchObject({ kept: 4, dropped: 1 });
    // A torn line of an earlier step (the kill came before its newline) is dropped as well: cut short, it does not parse.
    expect(trimMetricsText(`${line(1)}{"step":2,"dLoss":0.`, 3).text).toBe(line(1));
  });

  test('a last line without its newline that reads whole is kept (with a newline) at or before the step', () => {
    expect(trimMetricsText(`${line(1)}{"step":2}`, 3).text).toBe(line(1) + line(2));
    expect(trimMetricsText(`${line(1)}{"step":5}`, 3).text).toBe(line(1));
  });

  test('the file is replaced atomically when something is dropped, and left alone otherwise', async () => {
    const dir = await temp('trim');
    const file = join(dir, 'metrics.jsonl');
    expect(await trimMetricsFile(file, 3)).toEqual({ kept: 0, dropped: 0 });
    expect(await readdir(dir)).toEqual([]); // a missing file stays missing

    await writeFile(file, line(1) + line(2) + line(3));
    const before = await stat(file);
    expect(await trimMetricsFile(file, 3)).toEqual({ kept: 3, dropped: 0 });
    expect((await stat(file)).ino).toBe(before.ino); // not rewritten

    await writeFile(file, line(1) + line(2) + line(3) + line(4) + line(5));
    const old = await stat(file);
    expect(await trimMetricsFile(file, 3)).toEqual({ kept: 3, dropped: 2 });
    expect(await readFile(file, 'utf8')).toBe(line(1) + line(2) + line(3));
    expect((await stat(file)).ino).not.toBe(old.ino); // a new file renamed over the old one
    expect(await readdir(dir)).toEqual(['metrics.jsonl']); // no temporary file left
  });
});

describe('what counts as a run in a folder', () => {
  test('a missing or empty folder, or one with only the user’s files, holds no run', async () => {
    const dir = await temp('empty');
    expect(await runEntries(join(dir, 'missing'))).toEqual([]);
    expect(await runEntries(dir)).toEqual([]);
    await writeFile(join(dir, 'notes.txt'), 'mine');
    await mkdir(join(dir, 'samples'));
    await writeFile(join(dir, 'samples', 'favourite.png'), 'mine');
    await mkdir(join(dir, 'checkpoints-by-hand'));
    expect(await runEntries(dir)).toEqual([]);
    await expect(assertNoRun(dir)).resolves.toBeUndefined();
  });

  test.each([
    ['checkpoint'],
    ['checkpoint.old-1700000000000-42-abcd'],
    ['checkpoint.tmp-1700000000000-42-abcd'],
    ['gan'],
    ['gan.old-1700000000000-42-abcd'],
    ['metrics.jsonl', 'file'],
    ['samples/step-000200.png', 'file'],
    ['samples/latest.png', 'file'],
  ])('%s alone makes a run: refused with the three ways on', async (entry, kind = 'folder') => {
    const dir = await temp('one');
    await mkdir(join(dir, 'samples'));
    if (kind === 'file') await writeFile(join(dir, entry), 'x');
    else await mkdir(join(dir, entry));
    expect(await runEntries(dir)).toEqual([entry]);
    const refusal = await assertNoRun(dir).catch((err: unknown) => err);
    expect(refusal).toBeInstanceOf(UsageError);
    expect((refusal as Error).message).toMatch(/already holds a run/);
    for (const flag of ['--resume', '--out', '--overwrite']) expect((refusal as Error).message).toContain(flag);
  });

  test('removeRun removes the run’s own entries and keeps every other file', async () => {
    const dir = await temp('remove');
    for (const folder of ['checkpoint', 'checkpoint.old-1-2-ab', 'gan', 'samples', 'mine'])
      await mkdir(join(dir, folder));
    for (const file of [
      'checkpoint/checkpoint.json',
      'gan/checkpoint.json',
      'metrics.jsonl',
      'notes.txt',
      'mine/a.txt',
    ])
      await writeFile(join(dir, file), 'x');
    for (const file of ['step-000000.png', 'latest.png', 'favourite.png'])
      await writeFile(join(dir, 'samples', file), 'x');
    await removeRun(dir);
    expect((await readdir(dir)).sort()).toEqual(['mine', 'notes.txt', 'samples']);
    expect(await readdir(join(dir, 'samples'))).toEqual(['favourite.png']);
    expect(await readdir(join(dir, 'mine'))).toEqual(['a.txt']);
    expect(await runEntries(dir)).toEqual([]);
  });
});

describe('stop signals', () => {
  test.each([
    ['SIGTERM', SIGTERM_EXIT_CODE],
    ['SIGINT', 0],
  ] as const)('%s stops once, then lets a second signal through (exit code %i after the save)', (signal, code) => {
    const emitter = new EventEmitter();
    const said: string[] = [];
    let stops = 0;
    const signals = stopOnSignals(() => stops++, { write: (s: string) => said.push(s) }, emitter);
    expect(emitter.listenerCount('SIGINT') + emitter.listenerCount('SIGTERM')).toBe(2);
    expect(signals.exitCode).toBe(0);
    emitter.emit(signal, signal);
    expect(stops).toBe(1);
    expect(signals.received).toBe(signal);
    expect(signals.exitCode).toBe(code);
    expect(said.join('')).toMatch(/stopping after this step/);
    // The handlers are gone, so the process's default action (end at once) answers a second signal.
    expect(emitter.listenerCount('SIGINT') + emitter.listenerCount('SIGTERM')).toBe(0);
    signals.dispose();
  });

  test('dispose removes the handlers when no signal came', () => {
    const emitter = new EventEmitter();
    const signals = stopOnSignals(() => undefined, { write: () => undefined }, emitter);
    signals.dispose();
    signals.dispose();
    expect(emitter.listenerCount('SIGINT') + emitter.listenerCount('SIGTERM')).toBe(0);
    expect(signals.received).toBeUndefined();
  });
});
