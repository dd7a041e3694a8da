/**
 * The run report: built from a run folder made before run.json existed, from a run in progress
 * (a torn last metrics line), and from a real `ts-gan mnist` run (fresh and resumed). Checks that
 * the page loads nothing from outside, has every section, embeds the numbers of metrics.jsonl, and
 * escapes what it reads from files.
 */
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { PNG } from 'pngjs';
import { parseMetricsJsonl, renderRunReport } from 'ts-gan';
import { loadReportAssets, readRunReport, writeRunReport } from 'ts-gan/node';
import { describe, expect, test } from 'vitest';
import type { TrainBeginInfo } from '../../src/callbacks/callback';
import { evaluation, parseMnistFlags } from '../../src/cli/mnist';
import type { GAN } from '../../src/gan';
import { cli } from '../support/cli';
import { exited, loggedSteps, reachStep, SMALL_MLP_RUN, spawnMnist } from '../support/cli-process';

const temp = (prefix: string) => mkdtemp(join(tmpdir(), `ts-gan-report-${prefix}-`));

/** A config value that would run script if it reached the page unescaped. */
const HOSTILE = '</script><script>alert("x")</script><img src="https://example.com/x.png">';

/** A tiny grey PNG (8 x 8) of one shade. */
function greyPng(shade: number): Buffer {
  const png = new PNG({ width: 8, height: 8 });
  for (let i = 0; i < png.data.length; i += 4) png.data.set([shade, shade, shade, 255], i);
  return PNG.sync.write(png);
}

const STEP_LINES = Array.from({ length: 30 }, (_, i) => ({
  step: (i + 1) * 10,
  dLoss: 1.3 - i * 0.01,
  gLoss: 0.7 + i * 0.013,
  dReal: 0.5 + i * 0.01,
  dFake: 0.45 - i * 0.005,
  stepsPerSecond: 12.5 + (i % 3),
  numTensors: 72,
  rssMB: 180 + i,
}));
const EVAL_LINES = [100, 200, 300].map((step, i) => ({
  step,
  classifierScore: 2 + i,
  frechetDistance: 300 - 80 * i,
  kid: 200 - 50 * i,
  kidStdError: 10 - i,
  histogramKl: 1.2 - 0.3 * i,
  confidentShare: 0.2 * i,
  duplicateShare: 0,
}));
const ALARM = { step: 200, alarm: 'collapse', message: `mode collapse suspected ${HOSTILE}` };

/** A run folder as ts-gan mnist wrote it before run.json and report.html: metrics, grids, checkpoint. */
async function oldStyleRun(): Promise<string> {
  const dir = await temp('old');
  const lines = [...STEP_LINES.slice(0, 10), EVAL_LINES[0], ...STEP_LINES.slice(10, 20), EVAL_LINES[1], ALARM];
  lines.push(...STEP_LINES.slice(20), EVAL_LINES[2]);
  await writeFile(join(dir, 'metrics.jsonl'), `${lines.map((l) => JSON.stringify(l)).join('\n')}\n`);
  await mkdir(join(dir, 'samples'));
  for (const [step, shade] of [
    [0, 40],
    [150, 120],
    [300, 200],
  ] as const) {
    await writeFile(join(dir, 'samples', `step-${String(step).padStart(6, '0')}.png`), greyPng(shade));
  }
  await writeFile(join(dir, 'samples', 'latest.png'), greyPng(200));
  await mkdir(join(dir, 'checkpoint'));
  const checkpoint = {
    modelTopology: {
      library: { name: 'ts-gan', version: '0.1.0' },
      tfjs: { backend: 'wasm' },
      gan: { latentDim: 100, loss: HOSTILE, seed: 0 },
      trainer: { step: 300, options: { batchSize: 32, logEvery: 10 } },
    },
  };
  await writeFile(join(dir, 'checkpoint', 'checkpoint.json'), JSON.stringify(checkpoint));
  return dir;
}

/** The JSON the page embeds for its charts. */
function embedded(html: string) {
  const match = /<script type="application\/json" id="report-data">([^<]*)<\/script>/.exec(html);
  expect(match, 'the page embeds its data').not.toBeNull();
  return JSON.parse(match?.[1] as string);
}

/** Every URL the page would load: src and href attributes of its markup, and CSS url(...). */
function externalReferences(html: string): string[] {
  // Attributes of the markup (scripts' code set aside: `x.src = y` there is code, not a reference).
  const markup = html.replace(/(<script[^>]*>)[\s\S]*?(<\/script>)/gi, '$1$2');
  const refs = [...markup.matchAll(/<[a-z][^>]*?\b(?:src|href)\s*=\s*["']?([^"'\s>]*)/gi)].map((m) => m[1] as string);
  const cssUrls = [...html.matchAll(/url\(\s*["']?([^"')]*)/gi)].map((m) => m[1] as string);
  const external = [...refs, ...cssUrls].filter((u) => !u.startsWith('data:') && u !== '');
  return external;
}

/** Every web address written anywhere in the page, even in text or code. */
const webAddresses = (html: string) => html.match(/https?:\/\/[^\s"'<>&\\]*/g) ?? [];

const sections = (html: string) => [...html.matchAll(/<h2>([^<]*)<\/h2>/g)].map((m) => m[1]);

describe('a run folder from before run.json', () => {
  test('its report has every section, loads nothing from outside, and embeds the metrics read', async () => {
    const dir = await oldStyleRun();
    const file = await writeRunReport(dir);
    expect(file).toBe(join(dir, 'report.html'));
    const html = await readFile(file, 'utf8');

    expect(externalReferences(html)).toEqual([]);
    // The only web address is the one in the folder's hostile text, shown as escaped text.
    expect(new Set(webAddresses(html))).toEqual(new Set(['https://example.com/x.png']));
    expect(sections(html)).toEqual(['Training curves', 'The judge', 'Samples', 'Speed and memory', 'Configuration']);
    for (const chart of [
      'losses',
      'd-outputs',
      'classifier-score',
      'frechet',
      'kid',
      'histogram-kl',
      'speed',
      'memory',
    ])
      expect(html).toContain(`data-chart="${chart}"`);
    expect(html).toContain('not recorded');
    expect(html).toContain('ts-gan mnist --resume --out');
    // The grids, in step order, as embedded images; the last one large.
    expect([...html.matchAll(/class="thumb[^"]*" data-label="([^"]*)"/g)].map((m) => m[1])).toEqual([
      'step 0',
      'step 150',
      'step 300',
    ]);
    expect(html).toMatch(/id="grid-viewer-caption">step 300</);

    const data = embedded(html);
    expect(data.steps.step).toEqual(STEP_LINES.map((l) => l.step));
    for (const key of ['dLoss', 'gLoss', 'dReal', 'dFake', 'stepsPerSecond', 'numTensors', 'rssMB'] as const) {
      const expected = STEP_LINES.map((l) => l[key]);
      (data.steps[key] as number[]).forEach((v, i) => {
        expect(Math.abs(v - (expected[i] as number))).toBeLessThanOrEqual(1e-6 * Math.abs(expected[i] as number));
      });
    }
    for (const key of Object.keys(EVAL_LINES[0] as object)) {
      expect(data.evaluations[key]).toEqual(EVAL_LINES.map((l) => (l as Record<string, number>)[key]));
    }
    expect(data.alarms).toEqual([ALARM]);
  });

  test('text from the folder is escaped: no markup, no script, no URL gets through', async () => {
    const dir = await oldStyleRun();
    const html = await readFile(await writeRunReport(dir), 'utf8');
    expect(html).not.toContain(HOSTILE);
    expect(html).not.toContain('<script>alert');
    expect(html).toContain('&lt;/script&gt;&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    // Exactly the page's own three scripts: the data, uPlot, and the page's code.
    expect(html.match(/<script/g)).toHaveLength(3);
    expect(html.match(/<\/script>/g)).toHaveLength(3);
    // The embedded JSON holds the hostile text with its < escaped, and reads back to it.
    expect(embedded(html).alarms[0].message).toContain(HOSTILE);
  });

  test('an interpolation grid gets its own section; an image that is not a PNG is left out', async () => {
    const dir = await oldStyleRun();
    await writeFile(join(dir, 'samples', 'interpolation.png'), greyPng(90));
    await writeFile(join(dir, 'samples', 'step-000400.png'), 'not a png');
    const data = await readRunReport(dir);
    expect(data.interpolation?.dataUrl).toMatch(/^data:image\/png;base64,/);
    expect(data.grids.map((g) => g.step)).toEqual([0, 150, 300]);
    expect(data.notes.join(' ')).toContain('step-000400.png is not a readable PNG');
    const html = renderRunReport(data, await loadReportAssets());
    expect(sections(html)).toContain('Interpolation');
    // A data URL that is not an embedded image never becomes a src.
    const hostile = renderRunReport(
      { ...data, grids: [], latestGrid: { step: 1, dataUrl: 'https://example.com/x.png' } },
      await loadReportAssets(),
    );
    expect(externalReferences(hostile)).toEqual([]);
  });
});

describe('a run in progress', () => {
  test('a torn last line of metrics.jsonl is skipped and noted; the rest is shown', async () => {
    const dir = await temp('torn');
    const lines = STEP_LINES.slice(0, 5).map((l) => JSON.stringify(l));
    await writeFile(join(dir, 'metrics.jsonl'), `${lines.join('\n')}\n{"step":60,"dLoss":1.2`);
    const result = await cli('report', '--from', dir);
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe(join(dir, 'report.html'));
    const html = await readFile(join(dir, 'report.html'), 'utf8');
    expect(embedded(html).steps.step).toEqual([10, 20, 30, 40, 50]);
    expect(html).toContain('1 line(s) of metrics.jsonl could not be read');
    expect(html).toContain('No sample grid yet');
    expect(html).toContain('This run has no evaluations');
  });

  test('ts-gan report --from a run that is training: the steps logged so far, and the run goes on', async () => {
    const out = join(await temp('live'), 'live');
    const args = SMALL_MLP_RUN;
    const run = spawnMnist([...args, '--steps', '100000', '--sample-every', '2', '--out', out]);
    await reachStep(out, 4, run);
    const result = await cli('report', '--from', out);
    expect(result.code, result.stderr).toBe(0);
    const data = embedded(await readFile(join(out, 'report.html'), 'utf8'));
    const logged = await loggedSteps(out);
    expect(data.steps.step.length).toBeGreaterThanOrEqual(4);
    // What the page shows is what the file held when it was read: a prefix of the steps logged by now.
    expect(data.steps.step).toEqual(logged.slice(0, data.steps.step.length));
    // Reading the folder disturbed nothing: the run stops on SIGTERM, saves and exits as usual.
    run.child.kill('SIGTERM');
    expect((await exited(run.child)).code).toBe(143);
  });

  test('parseMetricsJsonl keeps the last line of a step logged twice (a resumed run) and drops non-numbers', () => {
    const text = [
      '{"step":2,"dLoss":1,"gLoss":2}',
      '{"step":3,"dLoss":1,"gLoss":"oops"}',
      '{"step":2,"dLoss":5,"gLoss":6}',
      '[1,2]',
      '{"step":3,"alarm":"divergence","message":"D loss 1e9"}',
    ].join('\n');
    const parsed = parseMetricsJsonl(text);
    expect(parsed.steps).toEqual([
      { step: 2, dLoss: 5, gLoss: 6 },
      { step: 3, dLoss: 1 },
    ]);
    expect(parsed.alarms).toEqual([{ step: 3, alarm: 'divergence', message: 'D loss 1e9' }]);
    expect(parsed.unreadable).toBe(1);
  });
});

describe('ts-gan report', () => {
  test('--help, a missing --from, a missing folder and a folder that is not a run', async () => {
    const help = await cli('report', '--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Usage: ts-gan report --from DIR/);
    expect((await cli('report')).code).toBe(2);
    const missing = await cli('report', '--from', join(tmpdir(), 'ts-gan-report-no-such-folder'));
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/is not a folder/);
    const empty = await cli('report', '--from', await temp('empty'));
    expect(empty.code).toBe(1);
    expect(empty.stderr).toMatch(/holds none of a run's files/);
  });
});

test('the collapse alarm of ts-gan mnist appends an alarm line to metrics.jsonl', async () => {
  const dir = await temp('alarm');
  const metricsPath = join(dir, 'metrics.jsonl');
  const options = parseMnistFlags(['--eval-every', '1', '--eval-samples', '4']);
  if (options === 'help') throw new Error('unexpected help');
  const stderr: string[] = [];
  const io = { stdout: { write: () => true }, stderr: { write: (s: string) => stderr.push(s) } };
  // A judge that reads every sample as one class: the class histogram's KL from uniform is log 10.
  const collapsed = async () => ({ classifierScore: 1, histogramKl: Math.log(10), duplicateShare: 0 });
  const callback = evaluation(options, 0, metricsPath, io, collapsed);
  const info: TrainBeginInfo = { gan: {} as GAN, steps: 10, initialStep: 3000, stop: () => undefined };
  await callback.onTrainBegin(info);
  await callback.onStepBegin(3002); // evaluates the samples after step 3001
  const lines = parseMetricsJsonl(await readFile(metricsPath, 'utf8'));
  expect(lines.evaluations.map((e) => e.step)).toEqual([3001]);
  expect(lines.alarms).toHaveLength(1);
  expect(lines.alarms[0]).toMatchObject({ step: 3001, alarm: 'collapse' });
  expect(lines.alarms[0]?.message).toMatch(/histogramKl 2\.303 > 0\.5/);
  expect(stderr.join('')).toMatch(/mode collapse suspected at step 3001/);
});

describe('a real ts-gan mnist run', () => {
  test('leaves report.html and run.json; a resume adds to both; ts-gan report rewrites it', async () => {
    const out = await temp('mnist');
    const before = tf.memory().numTensors;
    const args = ['--arch', 'mlp', '--backend', 'cpu', '--limit', '256', '--batch-size', '8', '--log-every', '2'];
    const evalArgs = ['--eval-every', '10', '--eval-samples', '50', '--sample-every', '5'];
    const first = await cli('mnist', ...args, ...evalArgs, '--steps', '20', '--out', out);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain(`report in ${join(out, 'report.html')}`);
    expect(tf.memory().numTensors).toBe(before);

    const runJson = JSON.parse(await readFile(join(out, 'run.json'), 'utf8'));
    expect(runJson.invocations).toHaveLength(1);
    expect(runJson.invocations[0]).toMatchObject({
      argv: ['mnist', ...args, ...evalArgs, '--steps', '20', '--out', out],
      startStep: 0,
      backend: { name: 'cpu' },
      options: { steps: 20, batchSize: 8, evalEvery: 10, resume: false },
    });
    expect(runJson.invocations[0].backend.fixes.length).toBeGreaterThan(0);

    const html = await readFile(join(out, 'report.html'), 'utf8');
    expect(externalReferences(html)).toEqual([]);
    expect(webAddresses(html)).toEqual([]);
    // The run's samples/interpolation.png is shown too.
    expect(sections(html)).toEqual([
      'Training curves',
      'The judge',
      'Samples',
      'Interpolation',
      'Speed and memory',
      'Configuration',
    ]);
    const metrics = parseMetricsJsonl(await readFile(join(out, 'metrics.jsonl'), 'utf8'));
    const data = embedded(html);
    expect(data.steps.step).toEqual(Array.from({ length: 10 }, (_, i) => 2 * (i + 1)));
    expect(data.steps.numTensors).toEqual(metrics.steps.map((s) => s.numTensors));
    expect(data.evaluations.step).toEqual([10, 20]);
    expect(data.evaluations.frechetDistance).toEqual(metrics.evaluations.map((e) => e.frechetDistance));
    expect(html).toContain(`ts-gan mnist ${[...args, ...evalArgs, '--steps', '20', '--out', out].join(' ')}`);
    for (const fix of runJson.invocations[0].backend.fixes) expect(html).toContain(`<code>${fix}</code>`);

    const resumed = await cli('mnist', ...args, ...evalArgs, '--steps', '24', '--resume', '--out', out);
    expect(resumed.code, resumed.stderr).toBe(0);
    const history = JSON.parse(await readFile(join(out, 'run.json'), 'utf8')).invocations;
    expect(history.map((i: { startStep: number }) => i.startStep)).toEqual([0, 20]);
    const after = await readFile(join(out, 'report.html'), 'utf8');
    expect(after).toContain('Every start of this run');
    expect(embedded(after).steps.step.at(-1)).toBe(24);
    expect(tf.memory().numTensors).toBe(before);

    const elsewhere = join(await temp('elsewhere'), 'page.html');
    const rewritten = await cli('report', '--from', out, '--out', elsewhere);
    expect(rewritten.code).toBe(0);
    expect(embedded(await readFile(elsewhere, 'utf8'))).toEqual(embedded(after));
  });
});
