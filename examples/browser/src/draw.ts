/** Drawing on plain canvases: the sample grid and the D/G loss chart. */
import { IMAGE_SIDE } from './protocol';

/** The size and channels of the images a grid shows: MNIST's 28x28 grey unless told. */
export interface ImageLayout {
  side: number;
  channels: number;
}
const DIGITS: ImageLayout = { side: IMAGE_SIDE, channels: 1 };

/** Draws images in [-1, 1] as a `columns` x `rows` grid (grey ones as MNIST: white on black). */
export function drawGrid(
  canvas: HTMLCanvasElement,
  pixels: Float32Array,
  columns: number,
  rows: number,
  layout: ImageLayout = DIGITS,
): void {
  drawImages(canvas, pixels, columns, rows, layout);
}

/** Draws the interpolation strip: one row of `count` images. */
export function drawStrip(
  canvas: HTMLCanvasElement,
  pixels: Float32Array,
  count: number,
  layout: ImageLayout = DIGITS,
): void {
  drawImages(canvas, pixels, count, 1, layout);
}

/**
 * Draws the first `columns * rows` images in [-1, 1] (fewer when `pixels` holds fewer), row by row,
 * at one canvas pixel per image pixel.
 */
function drawImages(
  canvas: HTMLCanvasElement,
  pixels: Float32Array,
  columns: number,
  rows: number,
  { side, channels }: ImageLayout,
): void {
  const width = columns * side;
  const height = rows * side;
  canvas.width = width;
  canvas.height = height;
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  const image = ctx.createImageData(width, height);
  const per = side * side * channels;
  const count = Math.min(columns * rows, Math.floor(pixels.length / per));
  const byte = (v: number | undefined) => Math.max(0, Math.min(255, Math.round(((v ?? -1) + 1) * 127.5)));
  for (let k = 0; k < count; k++) {
    const ox = (k % columns) * side;
    const oy = Math.floor(k / columns) * side;
    for (let y = 0; y < side; y++) {
      for (let x = 0; x < side; x++) {
        const i = k * per + (y * side + x) * channels;
        const o = ((oy + y) * width + ox + x) * 4;
        image.data[o] = byte(pixels[i]);
        image.data[o + 1] = byte(pixels[i + (channels === 3 ? 1 : 0)]);
        image.data[o + 2] = byte(pixels[i + (channels === 3 ? 2 : 0)]);
        image.data[o + 3] = 255;
      }
    }
  }
  ctx.putImageData(image, 0, 0);
}

export interface LossSeries {
  steps: number[];
  d: number[];
  g: number[];
}

const COLORS = { d: '#2563eb', g: '#ea580c', score: '#059669', frechet: '#7c3aed', axis: '#9ca3af', text: '#374151' };
/** Margins of the plot; the legend sits in the top one, clear of the curves. */
const PAD = { left: 44, right: 10, top: 24, bottom: 24 };

/** Draws both losses against the step; many points are averaged per pixel column. */
export function drawChart(canvas: HTMLCanvasElement, series: LossSeries): void {
  drawLines(
    canvas,
    series.steps,
    [
      { label: 'D loss', color: COLORS.d, values: series.d },
      { label: 'G loss', color: COLORS.g, values: series.g },
    ],
    'D and G losses appear here while the GAN trains.',
  );
}

/** The judge's scores over the steps where it evaluated. */
export interface JudgeSeries {
  steps: number[];
  classifierScore: number[];
  frechetDistance: number[];
}

/** Draws the classifier score and the Fréchet distance, one small chart each, with a dot per evaluation. */
export function drawJudgeCharts(score: HTMLCanvasElement, frechet: HTMLCanvasElement, series: JudgeSeries): void {
  const waiting = 'The judge scores the generator while it trains.';
  drawLines(
    score,
    series.steps,
    [{ label: 'classifier score', color: COLORS.score, values: series.classifierScore }],
    waiting,
    true,
  );
  drawLines(
    frechet,
    series.steps,
    [{ label: 'Fréchet distance', color: COLORS.frechet, values: series.frechetDistance }],
    '',
    true,
  );
}

interface Line {
  label: string;
  color: string;
  values: number[];
}

/** Draws lines against the step, from 0 up; many points are averaged per pixel column. */
function drawLines(canvas: HTMLCanvasElement, steps: number[], lines: Line[], emptyText: string, dots = false): void {
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  const { width, height } = canvas;
  ctx.clearRect(0, 0, width, height);
  ctx.font = '11px system-ui, sans-serif';
  ctx.fillStyle = COLORS.text;
  const n = steps.length;
  if (n === 0) {
    ctx.fillText(emptyText, 8, height / 2);
    return;
  }
  const plotW = width - PAD.left - PAD.right;
  const plotH = height - PAD.top - PAD.bottom;
  const first = steps[0] as number;
  const last = steps[n - 1] as number;
  const columns = Math.max(1, Math.min(plotW, n));
  const bucket = (values: number[]) => {
    const sums = new Float64Array(columns);
    const counts = new Uint32Array(columns);
    for (let i = 0; i < n; i++) {
      const c = n === 1 ? 0 : Math.min(columns - 1, Math.floor((i / (n - 1)) * (columns - 1) + 0.5));
      const v = values[i] as number;
      if (Number.isFinite(v)) {
        sums[c] = (sums[c] as number) + v;
        counts[c] = (counts[c] as number) + 1;
      }
    }
    return Array.from(sums, (s, c) => ((counts[c] as number) > 0 ? s / (counts[c] as number) : Number.NaN));
  };
  const bucketed = lines.map((line) => bucket(line.values));
  const all = bucketed.flat().filter(Number.isFinite);
  const lo = Math.min(0, ...all);
  const hi = Math.max(...all, lo + 1e-3);
  const y = (v: number) => PAD.top + plotH - ((v - lo) / (hi - lo)) * plotH;
  const x = (c: number) => PAD.left + (columns === 1 ? 0 : (c / (columns - 1)) * plotW);

  ctx.strokeStyle = COLORS.axis;
  ctx.beginPath();
  ctx.moveTo(PAD.left, PAD.top);
  ctx.lineTo(PAD.left, PAD.top + plotH);
  ctx.lineTo(PAD.left + plotW, PAD.top + plotH);
  ctx.stroke();
  ctx.fillText(hi.toFixed(2), 4, PAD.top + 4);
  ctx.fillText(lo.toFixed(2), 4, PAD.top + plotH);
  ctx.fillText(`step ${first}`, PAD.left, height - 6);
  const lastLabel = `step ${last}`;
  ctx.fillText(lastLabel, PAD.left + plotW - ctx.measureText(lastLabel).width, height - 6);

  let legendX = PAD.left + plotW;
  for (let k = lines.length - 1; k >= 0; k--) {
    const line = lines[k] as Line;
    const values = bucketed[k] as number[];
    ctx.strokeStyle = line.color;
    ctx.fillStyle = line.color;
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    let pen = false;
    values.forEach((v, c) => {
      if (!Number.isFinite(v)) return;
      if (pen) ctx.lineTo(x(c), y(v));
      else ctx.moveTo(x(c), y(v));
      pen = true;
    });
    ctx.stroke();
    if (dots) {
      values.forEach((v, c) => {
        if (Number.isFinite(v)) ctx.fillRect(x(c) - 2, y(v) - 2, 4, 4);
      });
    }
    legendX -= ctx.measureText(line.label).width + 12;
    ctx.fillText(line.label, legendX, 14);
  }
}
