/**
 * The run report: one self-contained HTML page (charts, grids, configuration) built from
 * {@link RunReportData}. Pure and browser-safe; `ts-gan/node`'s `writeRunReport` reads a run folder
 * into the data and writes the page.
 *
 * @packageDocumentation
 */
import { CLIENT_SCRIPT } from './client.js';
import {
  type AlarmRecord,
  EVALUATION_FIELDS,
  type EvaluationRecord,
  evenlySpaced,
  type ReportImage,
  type RunReportData,
  STEP_FIELDS,
  type StepRecord,
} from './data.js';
import { escapeHtml as esc, isImageDataUrl, jsonForScript } from './html.js';
import { configSection } from './render-config.js';

/**
 * The charting library's files, inlined into the page.
 * @category Report
 */
export interface ReportAssets {
  /** uPlot's IIFE build (defines the global `uPlot`). */
  chartJs: string;
  /** uPlot's stylesheet. */
  chartCss: string;
}

/** At most this many logged steps reach the page (evenly spaced): enough for a chart's width. */
export const MAX_CHART_POINTS = 3000;
/** At most this many grids in the strip. */
export const MAX_STRIP_GRIDS = 12;
/** Significant digits kept of the step logs' numbers (charts need no more). */
const STEP_DIGITS = 6;

/** The numbers embedded in the page, column by column as uPlot takes them. */
export interface EmbeddedData {
  steps: Record<'step' | (typeof STEP_FIELDS)[number], (number | null)[]>;
  evaluations: Record<'step' | (typeof EVALUATION_FIELDS)[number], (number | null)[]>;
  alarms: AlarmRecord[];
}

const round = (v: number | undefined) => (v === undefined ? null : Number(v.toPrecision(STEP_DIGITS)));

function columns<K extends string>(
  records: readonly { step: number }[],
  fields: readonly K[],
  map: (v: number | undefined) => number | null,
): Record<'step' | K, (number | null)[]> {
  const out = { step: records.map((r) => r.step) } as Record<'step' | K, (number | null)[]>;
  for (const f of fields) out[f] = records.map((r) => map((r as Record<string, number | undefined>)[f]));
  return out;
}

/**
 * The numbers the page embeds: the step logs (at most {@link MAX_CHART_POINTS}, evenly spaced, to 6
 * significant digits), the evaluations as they are, and the alarms.
 */
export function embeddedData(run: RunReportData): EmbeddedData {
  const steps: StepRecord[] = evenlySpaced(run.steps, MAX_CHART_POINTS);
  const evaluations: EvaluationRecord[] = run.evaluations;
  return {
    steps: columns(steps, STEP_FIELDS, round),
    evaluations: columns(evaluations, EVALUATION_FIELDS, (v) => v ?? null),
    alarms: run.alarms.map((a) => ({ step: a.step, alarm: String(a.alarm), message: String(a.message) })),
  };
}

/** Whether any record has a finite value of `field`. */
const has = (records: readonly object[], field: string) =>
  records.some((r) => typeof (r as Record<string, unknown>)[field] === 'number');

const chartDiv = (id: string, title: string) =>
  `<figure class="chart"><figcaption>${esc(title)}</figcaption><div data-chart="${esc(id)}"></div></figure>`;

const stepLabel = (image: ReportImage) => (image.step === undefined ? 'latest' : `step ${image.step}`);

function img(image: ReportImage, alt: string, attrs = ''): string {
  if (!isImageDataUrl(image.dataUrl)) return `<p class="note">${esc(alt)}: not an embedded image, left out.</p>`;
  return `<img src="${esc(image.dataUrl)}" alt="${esc(alt)}"${attrs}>`;
}

function summary(run: RunReportData): string {
  const last = run.steps[run.steps.length - 1];
  const lastEval = run.evaluations[run.evaluations.length - 1];
  const invocation = run.config.invocations[run.config.invocations.length - 1];
  const items: string[] = [];
  if (last) items.push(`<li>Last logged step: <b>${esc(String(last.step))}</b></li>`);
  if (lastEval?.classifierScore !== undefined) {
    const fd = lastEval.frechetDistance === undefined ? '' : `, Fréchet ${lastEval.frechetDistance.toFixed(1)}`;
    items.push(
      `<li>Judge at step ${esc(String(lastEval.step))}: classifier score ${lastEval.classifierScore.toFixed(2)}${esc(fd)}</li>`,
    );
  }
  const backend = invocation?.backend ?? run.config.backend;
  if (backend) items.push(`<li>Backend: ${backendText(backend)}</li>`);
  if (run.alarms.length > 0) items.push(`<li class="alarm">${run.alarms.length} alarm(s): see the judge</li>`);
  for (const note of run.notes) items.push(`<li class="note">${esc(note)}</li>`);
  return items.length > 0 ? `<ul class="summary">${items.join('')}</ul>` : '';
}

function backendText(backend: { name: string; fixes: readonly string[] }): string {
  const fixes =
    backend.fixes.length > 0
      ? ` with fixes ${backend.fixes.map((f) => `<code>${esc(f)}</code>`).join(', ')}`
      : ', no fixes';
  return `<b>${esc(backend.name)}</b>${fixes}`;
}

function curvesSection(run: RunReportData, smoothing: number): string {
  if (run.steps.length === 0) return `<section><h2>Training curves</h2><p>No step has been logged yet.</p></section>`;
  return `<section><h2>Training curves</h2>
<p class="hint">Smoothed (exponential moving average) over the values as logged, drawn faint.
<label>Smoothing <input type="range" id="smoothing" min="0" max="0.999" step="0.001" value="${smoothing}"> <span id="smoothing-value"></span></label></p>
${chartDiv('losses', 'Losses: discriminator (D) and generator (G)')}
${has(run.steps, 'dReal') || has(run.steps, 'dFake') ? chartDiv('d-outputs', 'D(x) on real digits and D(G(z)) on generated ones') : ''}
</section>`;
}

function alarmList(alarms: readonly AlarmRecord[]): string {
  if (alarms.length === 0) return '<p>No alarm fired.</p>';
  const items = alarms.map(
    (a) =>
      `<li class="alarm alarm-${esc(a.alarm.replace(/[^a-z0-9-]/gi, ''))}">step ${esc(String(a.step))}: <b>${esc(a.alarm)}</b> ${esc(a.message)}</li>`,
  );
  return `<p>Alarms (dashed lines on the charts):</p><ul class="alarms">${items.join('')}</ul>`;
}

function judgeSection(run: RunReportData): string {
  const e = run.evaluations;
  if (e.length === 0)
    return `<section><h2>The judge</h2><p>This run has no evaluations (they are written with <code>--eval-every N</code>).</p>${alarmList(run.alarms)}</section>`;
  const charts = [
    has(e, 'classifierScore') ? chartDiv('classifier-score', 'Classifier score (higher is better, 10 at most)') : '',
    has(e, 'frechetDistance') ? chartDiv('frechet', 'Fréchet distance in the judge’s features (lower is better)') : '',
    has(e, 'kid') ? chartDiv('kid', 'KID ± its standard error (lower is better)') : '',
    has(e, 'histogramKl')
      ? chartDiv('histogram-kl', 'Class histogram’s KL from uniform (0: every digit equally often)')
      : '',
  ];
  return `<section><h2>The judge</h2><div class="grid2">${charts.join('')}</div>${alarmList(run.alarms)}</section>`;
}

function samplesSection(run: RunReportData): string {
  const grids = evenlySpaced(run.grids, MAX_STRIP_GRIDS);
  const latest = run.latestGrid ?? grids[grids.length - 1];
  if (!latest) return `<section><h2>Samples</h2><p>No sample grid yet.</p></section>`;
  const thumbs = grids.map(
    (g, i) =>
      `<button type="button" class="thumb${i === grids.length - 1 ? ' current' : ''}" data-label="${esc(stepLabel(g))}">${img(g, `grid at ${stepLabel(g)}`)}<span>${esc(stepLabel(g))}</span></button>`,
  );
  const history =
    grids.length > 1
      ? `<p class="hint">The same noise over time: move the slider or pick a grid.</p>
<input type="range" id="grid-slider" min="0" max="${grids.length - 1}" value="${grids.length - 1}" aria-label="grid over time">
<div class="strip">${thumbs.join('')}</div>`
      : '';
  return `<section><h2>Samples</h2>
<figure class="viewer">${img(latest, 'fixed-noise grid', ' id="grid-viewer"')}<figcaption>Fixed-noise grid at <span id="grid-viewer-caption">${esc(stepLabel(latest))}</span></figcaption></figure>
${history}</section>`;
}

function interpolationSection(run: RunReportData): string {
  if (!run.interpolation) return '';
  return `<section><h2>Interpolation</h2><p>Walks between points of the latent space, one per row.</p>
<figure class="latest">${img(run.interpolation, 'interpolation grid')}</figure></section>`;
}

function systemSection(run: RunReportData): string {
  const recorded = run.config.invocations[run.config.invocations.length - 1]?.backend ?? run.config.backend;
  const backend = recorded
    ? `<p>Backend: ${backendText(recorded)}.</p>`
    : '<p>The backend is not recorded for this run.</p>';
  const charts = [
    has(run.steps, 'stepsPerSecond') ? chartDiv('speed', 'Steps per second') : '',
    has(run.steps, 'numTensors') || has(run.steps, 'rssMB') ? chartDiv('memory', 'Memory: live tensors and RSS') : '',
  ];
  return `<section><h2>Speed and memory</h2>${backend}<div class="grid2">${charts.join('')}</div></section>`;
}

/** The page's own styles. */
const STYLE = `
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:#1c2833;margin:0;background:#fbfbfa}
main{max-width:1150px;margin:0 auto;padding:16px 20px 40px}
h1{font-size:1.5em;margin:.3em 0}h2{border-bottom:1px solid #d5d8dc;padding-bottom:4px;margin-top:1.6em}
.summary{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:6px 24px}
.note{color:#7d6608}.alarm,.alarms li{color:#922b21}.hint{color:#566573}
figure{margin:8px 0}figcaption{font-weight:600;font-size:.92em;margin-bottom:2px}
.grid2{display:grid;grid-template-columns:repeat(auto-fit,minmax(440px,1fr));gap:8px 20px}
.latest img,.viewer img{image-rendering:pixelated;max-width:100%;width:456px;border:1px solid #ccc}
.strip{display:flex;flex-wrap:wrap;gap:6px}
.thumb{border:2px solid transparent;background:none;padding:2px;cursor:pointer;text-align:center;font:inherit;font-size:.8em}
.thumb img{display:block;width:80px;image-rendering:pixelated}.thumb.current{border-color:#2471a3}
#grid-slider{width:min(456px,100%)}
code,pre{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.9em}
pre{background:#f2f3f4;padding:8px;overflow-x:auto;white-space:pre-wrap;word-break:break-all}
table{border-collapse:collapse}td,th{border-bottom:1px solid #e5e7e9;padding:2px 10px 2px 0;text-align:left;vertical-align:top}
footer{color:#566573;font-size:.85em;margin-top:2em}
`;

/** Content-Security-Policy: nothing may be fetched; only this page's inline code and data: images run. */
const CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src 'unsafe-inline'";

/** The smoothing weight that suits `n` points: none for a few, up to 0.99 for thousands. */
export function defaultSmoothing(n: number): number {
  return Math.round(Math.min(0.99, Math.max(0, 1 - 25 / Math.max(n, 1))) * 1000) / 1000;
}

/**
 * Builds a run's report: one self-contained HTML page that opens from disk with no network. It
 * shows the losses and D(x), D(G(z)) (smoothed, the logged values faint), the judge's metrics with
 * the alarms that fired, the fixed-noise grids over time, speed and memory with the backend and its
 * fixes, and the configuration with the commands that repeat and resume the run.
 *
 * Everything from `run` is escaped: text goes into HTML escaped, numbers into a
 * `<script type="application/json">` element, images only as base64 `data:image/...` URLs (any other
 * URL is left out). A Content-Security-Policy forbids every fetch.
 *
 * @param run - what to show; see {@link RunReportData}.
 * @param assets - the charting library's code and styles (uPlot's IIFE build and CSS).
 * @returns the page's HTML.
 * @example
 * ```ts
 * const html = renderRunReport(data, { chartJs: uplotJs, chartCss: uplotCss });
 * ```
 * @category Report
 */
export function renderRunReport(run: RunReportData, assets: ReportAssets): string {
  const smoothing = defaultSmoothing(Math.min(run.steps.length, MAX_CHART_POINTS));
  const generated = run.generatedAt ? ` · made ${esc(run.generatedAt)}` : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${esc(CSP)}">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(run.title)} · ts-gan run report</title>
<style>${safeStyle(assets.chartCss)}</style><style>${STYLE}</style>
</head><body><main>
<h1>${esc(run.title)}</h1><p class="hint">ts-gan run report${generated}</p>
${summary(run)}
${curvesSection(run, smoothing)}
${judgeSection(run)}
${samplesSection(run)}
${interpolationSection(run)}
${systemSection(run)}
${configSection(run)}
<footer>Charts drawn with uPlot (MIT License).</footer>
</main>
<script type="application/json" id="report-data">${jsonForScript(embeddedData(run))}</script>
<script>${safeScript(assets.chartJs)}</script>
<script>${CLIENT_SCRIPT}</script>
</body></html>
`;
}

/** Inlined code must not close its element early. */
function safeScript(code: string): string {
  return code.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');
}
function safeStyle(css: string): string {
  return css.replace(/<\/(style)/gi, '<\\/$1');
}
