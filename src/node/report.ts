/**
 * A run folder's report page: reads what a run wrote (metrics.jsonl, the sample grids, run.json,
 * the checkpoint) into {@link RunReportData} and writes report.html with the charting library
 * inlined. Works on a finished run, a run in progress and a run from before run.json existed.
 *
 * @packageDocumentation
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { basename, join, resolve } from 'node:path';
import { DataError } from '../errors.js';
import { parseMetricsJsonl, type ReportImage, type RunReportData } from '../report/data.js';
import { type ReportAssets, renderRunReport } from '../report/render.js';
import { replaceFile } from './atomic-folder.js';
import { pngDataUrl } from './report-images.js';
import { readRunJson } from './run-json.js';

/** The report's file name in a run folder. */
export const REPORT_HTML = 'report.html';

/**
 * Options of {@link readRunReport} and {@link writeRunReport}.
 * @category Report
 */
export interface RunReportOptions {
  /** The page's title. Default: the run folder's name. */
  title?: string;
  /** The time the report is made. Default: now. */
  now?: Date;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

async function readText(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch {
    return undefined;
  }
}

async function isDirectory(path: string): Promise<boolean> {
  return stat(path).then(
    (s) => s.isDirectory(),
    () => false,
  );
}

/** `samples/step-NNNNNN.png`, by step. */
async function gridFiles(runDir: string): Promise<{ step: number; file: string }[]> {
  const dir = join(runDir, 'samples');
  const names = await readdir(dir).catch(() => [] as string[]);
  return names
    .map((name) => ({ name, match: /^step-(\d+)\.png$/.exec(name) }))
    .filter((e) => e.match !== null)
    .map((e) => ({ step: Number(e.match?.[1]), file: join(dir, e.name) }))
    .sort((a, b) => a.step - b.step);
}

/** What a trainer checkpoint's checkpoint.json says about the run, as a flat table. */
export function checkpointSummary(json: unknown): Record<string, unknown> | undefined {
  const topology = isRecord(json) && isRecord(json.modelTopology) ? json.modelTopology : undefined;
  if (!topology) return undefined;
  const out: Record<string, unknown> = {};
  const trainer = isRecord(topology.trainer) ? topology.trainer : {};
  if (trainer.step !== undefined) out.step = trainer.step;
  if (isRecord(topology.library))
    out['saved by'] = `${topology.library.name ?? 'ts-gan'} ${topology.library.version ?? ''}`.trim();
  if (isRecord(topology.tfjs) && topology.tfjs.backend !== undefined) out['saved on backend'] = topology.tfjs.backend;
  if (isRecord(topology.gan)) for (const [k, v] of Object.entries(topology.gan)) out[k] = v;
  if (isRecord(trainer.options)) for (const [k, v] of Object.entries(trainer.options)) out[k] = v;
  if (isRecord(trainer.optimizers)) {
    for (const [network, o] of Object.entries(trainer.optimizers)) {
      if (isRecord(o))
        out[`${network} optimizer`] = { className: o.className, ...(isRecord(o.config) ? o.config : {}) };
    }
  }
  return out;
}

/**
 * Reads a run folder into the data of its report: metrics.jsonl (a torn last line of a run in
 * progress is skipped and noted), the fixed-noise grids `samples/step-*.png`,
 * `samples/interpolation.png`, run.json (the commands and options; absent for runs made before it
 * existed) and `checkpoint/checkpoint.json`.
 *
 * @param runDir - the run folder, such as `runs/mnist`.
 * @param options - see {@link RunReportOptions}.
 * @returns the report's data.
 * @throws {@link index!DataError | DataError} when `runDir` is not a folder or holds none of a run's files.
 * @example
 * ```ts
 * const data = await readRunReport('runs/mnist');
 * console.log(data.evaluations.at(-1)?.classifierScore);
 * ```
 * @category Report
 */
export async function readRunReport(runDir: string, options: RunReportOptions = {}): Promise<RunReportData> {
  if (!(await isDirectory(runDir))) {
    throw new DataError(`readRunReport: ${resolve(runDir)} is not a folder.`);
  }
  const notes: string[] = [];
  const metricsText = await readText(join(runDir, 'metrics.jsonl'));
  const metrics = parseMetricsJsonl(metricsText ?? '');
  if (metrics.unreadable > 0) {
    notes.push(
      `${metrics.unreadable} line(s) of metrics.jsonl could not be read and are left out (a run in progress may be writing the last one).`,
    );
  }
  const files = await gridFiles(runDir);
  const grids: ReportImage[] = [];
  for (const { step, file } of files) {
    const dataUrl = await pngDataUrl(file);
    if (dataUrl) grids.push({ step, dataUrl });
    else notes.push(`${basename(file)} is not a readable PNG and is left out.`);
  }
  const interpolationUrl = await pngDataUrl(join(runDir, 'samples', 'interpolation.png'));
  const invocations = await readRunJson(runDir);
  if (invocations === 'unreadable')
    notes.push('run.json could not be read; the configuration below comes from the checkpoint.');
  const checkpointText = await readText(join(runDir, 'checkpoint', 'checkpoint.json'));
  let checkpoint: Record<string, unknown> | undefined;
  try {
    checkpoint = checkpointText === undefined ? undefined : checkpointSummary(JSON.parse(checkpointText));
  } catch {
    notes.push('checkpoint/checkpoint.json could not be read.');
  }
  const found =
    metricsText !== undefined || files.length > 0 || invocations !== undefined || checkpointText !== undefined;
  if (!found) {
    throw new DataError(
      `readRunReport: ${resolve(runDir)} holds none of a run's files (metrics.jsonl, samples/step-*.png, run.json, checkpoint/).`,
    );
  }
  return {
    title: options.title ?? basename(resolve(runDir)),
    folder: runDir,
    generatedAt: (options.now ?? new Date()).toISOString(),
    steps: metrics.steps,
    evaluations: metrics.evaluations,
    alarms: metrics.alarms,
    grids,
    ...(grids.length > 0 ? { latestGrid: grids[grids.length - 1] } : {}),
    ...(interpolationUrl ? { interpolation: { dataUrl: interpolationUrl } } : {}),
    config: {
      invocations: Array.isArray(invocations) ? invocations : [],
      ...(checkpoint ? { checkpoint } : {}),
    },
    notes,
  };
}

/**
 * Loads the charting library that report pages inline: uPlot's IIFE build and its stylesheet,
 * from the installed `uplot` package. The banner's web address becomes a plain attribution, so the
 * page holds no URL at all.
 * @returns the assets for {@link renderRunReport}.
 * @category Report
 */
export async function loadReportAssets(): Promise<ReportAssets> {
  const require = createRequire(import.meta.url);
  const [js, css] = await Promise.all([
    readFile(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8'),
    readFile(require.resolve('uplot/dist/uPlot.min.css'), 'utf8'),
  ]);
  const chartJs = js.replace(/^\/\*![^*]*?uPlot \(v([\d.]+)\) \*\//, '/*! uPlot v$1, (c) Leon Sorokin, MIT License */');
  return { chartJs, chartCss: css };
}

/**
 * Writes a run folder's report page (see {@link readRunReport} and {@link renderRunReport}), by a
 * temporary file and a rename so that a browser never opens half a page.
 *
 * @param runDir - the run folder.
 * @param options - `out`: the HTML file (default `report.html` in the run folder); the rest as
 *   {@link RunReportOptions}.
 * @returns the path written.
 * @throws {@link index!DataError | DataError} when `runDir` is not a run folder.
 * @example
 * ```ts
 * import { writeRunReport } from 'ts-gan/node';
 * const file = await writeRunReport('runs/mnist'); // runs/mnist/report.html
 * ```
 * @category Report
 */
export async function writeRunReport(
  runDir: string,
  options: RunReportOptions & { out?: string } = {},
): Promise<string> {
  const { out, ...readOptions } = options;
  const data = await readRunReport(runDir, readOptions);
  const html = renderRunReport(data, await loadReportAssets());
  const file = out ?? join(runDir, REPORT_HTML);
  await replaceFile(file, html);
  return file;
}
