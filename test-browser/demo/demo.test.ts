/**
 * The live demo, end to end: build examples/browser, serve it on 127.0.0.1, and drive it in
 * Chromium as a person would, on webgl and on wasm: it trains the fast recipe by default (the seed's
 * MLP GAN when picked) in its worker, draws digits, keeps answering clicks and drawing frames while
 * it trains, and saves and loads checkpoints of both recipes; and it trains on pictures dropped on it.
 * Screenshots go to test-output/ (gitignored).
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { PNG } from 'pngjs';
import { build, type PreviewServer, preview } from 'vite';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';

const CONFIG = fileURLToPath(new URL('../../examples/browser/vite.config.ts', import.meta.url));
const OUTPUT = fileURLToPath(new URL('../../test-output/', import.meta.url));
/**
 * Steps per backend: enough for training to run a few seconds even on a fast machine (so clicks land
 * while it trains), few enough for SwiftShader's WebGL; digits need thousands.
 */
const STEPS: Record<string, number> = { webgl: 6, wasm: 20 };

/** Saving 1.5 million weights and their Adam moments takes a few seconds on this machine. */
const POLL = { timeout: 60_000, interval: 250 };

let server: PreviewServer;
let browser: Browser;
let baseUrl: string;

beforeAll(async () => {
  mkdirSync(OUTPUT, { recursive: true });
  await build({ configFile: CONFIG, logLevel: 'warn' });
  server = await preview({ configFile: CONFIG, preview: { port: 0, strictPort: false, open: false } });
  baseUrl = server.resolvedUrls?.local[0] ?? '';
  expect(baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
  browser = await chromium.launch({ ...inject('chromium'), headless: true });
});

afterAll(async () => {
  await browser?.close();
  await new Promise<void>((resolve) => server?.httpServer.close(() => resolve()));
});

interface DemoState {
  backend: string | null;
  recipe: 'fast' | 'mlp' | null;
  crossOriginIsolated: boolean | null;
  wasmThreads: number | null;
  gridColumns: number | null;
  gridRows: number | null;
  step: number;
  dLoss: number | null;
  gLoss: number | null;
  running: boolean;
  inWorker: boolean | null;
  framesWhileTraining: number;
  longestFrameGapMs: number;
  clicks: number;
  clicksWhileTraining: number;
  samplesStep: number | null;
  stepsPerSecond: number | null;
  stripStep: number | null;
  judge: { step: number; samples: number; ms: number; metrics: Record<string, number> } | null;
  evaluations: number;
  data: 'mnist' | 'own' | null;
  dataShape: number[] | null;
  augment: boolean | null;
  own: {
    found: number;
    images: number;
    notPictures: number;
    undecodable: number;
    shown: number;
    size: number;
    channels: number;
    colour: boolean;
    augment: boolean;
    decoding: boolean;
  } | null;
}

const demoState = (page: Page) => page.evaluate(() => (window as unknown as { tsGanDemo: DemoState }).tsGanDemo);

/** Clicks the page's button while training runs, until the title says the run ended. */
async function clickUntilFinished(page: Page): Promise<{ clicks: number; title: string }> {
  let clicks = 0;
  for (;;) {
    const title = await page.title();
    if (title === 'done' || title.startsWith('error')) return { clicks, title };
    if ((await demoState(page)).running) {
      await page.click('#ping');
      clicks++;
    }
    await page.waitForTimeout(100);
  }
}

/** Statistics of a canvas's pixels (the sample grid by default): a blank (never drawn or uniform) canvas has no spread. */
function gridStats(page: Page, id = 'grid') {
  return page.evaluate((canvasId) => {
    const canvas = document.getElementById(canvasId) as HTMLCanvasElement;
    const { data } = (canvas.getContext('2d') as CanvasRenderingContext2D).getImageData(
      0,
      0,
      canvas.width,
      canvas.height,
    );
    let opaque = 0;
    let sum = 0;
    let sumSq = 0;
    const n = data.length / 4;
    for (let i = 0; i < data.length; i += 4) {
      if (data[i + 3] === 255) opaque++;
      const v = data[i] as number;
      sum += v;
      sumSq += v * v;
    }
    const mean = sum / n;
    return { width: canvas.width, height: canvas.height, opaque: opaque / n, std: Math.sqrt(sumSq / n - mean * mean) };
  }, id);
}

describe.each(['webgl', 'wasm'])('the demo on %s', (backend) => {
  const steps = STEPS[backend] as number;
  test(`trains the fast recipe by default: ${steps} steps in its worker, draws one row per digit and stays responsive`, async () => {
    const page = await browser.newPage({ viewport: { width: 1100, height: 720 } });
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(err.message));
    try {
      await page.goto(`${baseUrl}?backend=${backend}&steps=${steps}&autostart=1`);
      const { clicks, title } = await clickUntilFinished(page);
      expect(title, `the page reported: ${title}`).toBe('done');
      expect(errors).toEqual([]);

      const state = await demoState(page);
      console.log(
        `demo ${backend}: ${state.step} steps, ${clicks} clicks sent and ${state.clicksWhileTraining} handled while training, ` +
          `${state.framesWhileTraining} frames drawn while training, longest gap between frames ${Math.round(state.longestFrameGapMs)} ms`,
      );
      expect(state.backend).toBe(backend);
      // No recipe in the URL: the page picked the fast one, and the worker runs it.
      expect(state.recipe).toBe('fast');
      expect(await page.inputValue('#recipe')).toBe('fast');
      expect(await page.textContent('#s-recipe')).toContain('fast');
      expect(state.step).toBe(steps);
      expect(Number.isFinite(state.dLoss)).toBe(true);
      expect(Number.isFinite(state.gLoss)).toBe(true);
      // The worker takes the load: training runs in a WorkerGlobalScope, and meanwhile the page
      // handled every click and drew at least a frame per training step.
      expect(state.inWorker).toBe(true);
      // (The last click may land just after the last step.)
      expect(state.clicks).toBe(clicks);
      expect(state.clicksWhileTraining).toBeGreaterThanOrEqual(clicks - 1);
      expect(state.clicksWhileTraining).toBeGreaterThan(0);
      expect(state.framesWhileTraining).toBeGreaterThanOrEqual(steps);

      // The grid shows the final step's samples, one row of ten per digit, and is not blank.
      expect(state.samplesStep).toBe(steps);
      expect([state.gridColumns, state.gridRows]).toEqual([10, 10]);
      const grid = await gridStats(page);
      expect(grid).toMatchObject({ width: 280, height: 280, opaque: 1 });
      // (A few steps of the conditional DCGAN on webgl draw faint digits: a blank canvas has no spread at all.)
      expect(grid.std).toBeGreaterThan(1);
      // The page says how many threads the wasm backend got (null elsewhere).
      if (backend === 'wasm') expect(state.wasmThreads).toBeGreaterThanOrEqual(1);
      else expect(state.wasmThreads).toBeNull();

      // The interpolation strip shows the final generator: ten digits in a row, not blank.
      expect(state.stripStep).toBe(steps);
      const strip = await gridStats(page, 'strip');
      expect(strip).toMatchObject({ width: 280, height: 28, opaque: 1 });
      expect(strip.std).toBeGreaterThan(1);

      // The judge scored the final generator, and the page shows its numbers.
      const judge = state.judge;
      expect(judge?.step).toBe(steps);
      expect(judge?.samples).toBe(300);
      const score = judge?.metrics.classifierScore as number;
      const frechet = judge?.metrics.frechetDistance as number;
      expect(score).toBeGreaterThanOrEqual(1);
      expect(score).toBeLessThanOrEqual(10);
      expect(frechet).toBeGreaterThan(0);
      expect(Number.isFinite(frechet)).toBe(true);
      expect(await page.textContent('#s-judge')).toBe(`${score.toFixed(2)} / ${frechet.toFixed(1)} (step ${steps})`);
      expect((await gridStats(page, 'score-chart')).std).toBeGreaterThan(0);
      console.log(
        `demo ${backend}: ${state.evaluations} evaluations; the last judged ${judge?.samples} samples in ${Math.round(judge?.ms ?? 0)} ms ` +
          `(training ran at ${state.stepsPerSecond?.toFixed(1)} steps/s)`,
      );

      await page.screenshot({ path: `${OUTPUT}demo-${backend}.png`, fullPage: true });
    } finally {
      await page.close();
    }
  });
});

test("with ?threads=2 the worker runs tfjs-wasm's threaded build on the cross-origin isolated page, and trains", async () => {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  try {
    await page.goto(`${baseUrl}?backend=wasm&threads=2&steps=3&autostart=1`);
    const status = page.locator('#status');
    await expect.poll(() => status.textContent(), POLL).toBe('Done: 3 steps on wasm.');
    expect(errors).toEqual([]);
    const state = await demoState(page);
    // The demo's server sends COOP/COEP, so SharedArrayBuffer exists and tfjs loads its threaded SIMD
    // build, whose threads start from its own module's text (a minified worker bundle broke that).
    // tfjs sizes the pool itself: one thread on a 2-core machine even when asked for two.
    expect(state.crossOriginIsolated).toBe(true);
    expect(state.wasmThreads).toBeGreaterThanOrEqual(1);
    expect(state.wasmThreads).toBeLessThanOrEqual(2);
    expect(state.step).toBe(3);
    expect(Number.isFinite(state.dLoss)).toBe(true);
  } finally {
    await page.close();
  }
});

test('the seed MLP can still be picked: the picker is locked while it trains, and it draws a 5x5 grid', async () => {
  const page = await browser.newPage();
  try {
    await page.goto(`${baseUrl}?backend=wasm&steps=5`);
    expect(await page.inputValue('#recipe')).toBe('fast');
    await page.selectOption('#recipe', 'mlp');
    await page.click('#start');
    await page.waitForFunction(() => (window as unknown as { tsGanDemo: DemoState }).tsGanDemo.running);
    expect(await page.isDisabled('#recipe')).toBe(true);
    expect(await page.isDisabled('#backend')).toBe(true);
    const status = page.locator('#status');
    await expect.poll(() => status.textContent(), POLL).toBe('Done: 5 steps on wasm.');
    expect(await page.isDisabled('#recipe')).toBe(false);

    const state = await demoState(page);
    expect(state.recipe).toBe('mlp');
    expect(await page.textContent('#s-recipe')).toContain("seed's MLP GAN");
    expect(state.step).toBe(5);
    expect(Number.isFinite(state.dLoss)).toBe(true);
    expect([state.gridColumns, state.gridRows]).toEqual([5, 5]);
    expect(state.samplesStep).toBe(5);
    const grid = await gridStats(page);
    expect(grid).toMatchObject({ width: 140, height: 140, opaque: 1 });
    expect(grid.std).toBeGreaterThan(5);
    expect(state.stripStep).toBe(5);
    expect((await gridStats(page, 'strip')).std).toBeGreaterThan(5);
  } finally {
    await page.close();
  }
});

test('the demo saves and loads checkpoints in IndexedDB and as a downloaded file', async () => {
  const page = await browser.newPage({ acceptDownloads: true });
  try {
    await page.goto(`${baseUrl}?backend=wasm&steps=3&autostart=1`);
    await page.waitForFunction(() => document.title === 'done' || document.title.startsWith('error'));
    expect(await page.title()).toBe('done');
    const status = page.locator('#status');

    await page.click('#save-idb');
    await expect.poll(() => status.textContent(), POLL).toBe('Saved step 3 in this browser (IndexedDB).');

    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#save-file')]);
    expect(download.suggestedFilename()).toBe('ts-gan-mnist-step-3.tsgan');
    const file = `${OUTPUT}demo-checkpoint.tsgan`;
    await download.saveAs(file);
    const bytes = readFileSync(file);
    expect(bytes.subarray(0, 8).toString('latin1')).toBe('TSGANCK1');
    // The fast recipe's two networks have about 0.1 million weights, three times that with Adam's moments.
    expect(bytes.byteLength).toBeGreaterThan(1_000_000);

    await page.click('#load-idb');
    await expect
      .poll(() => status.textContent(), POLL)
      .toBe(
        'Loaded a checkpoint at step 3 (the fast recipe (a small DCGAN conditioned on the digit)); press Resume to continue it.',
      );
    // The status still reads "Loaded ..." from IndexedDB: clear it, so that the poll waits for the
    // file's own load to finish (else the next step's error could be overwritten by it).
    await page.evaluate(() => {
      const el = document.getElementById('status');
      if (el) el.textContent = '';
    });
    await page.setInputFiles('#load-file', file);
    await expect.poll(() => status.textContent(), POLL).toContain('Loaded a checkpoint at step 3');
    expect(await page.textContent('#start')).toBe('Resume');

    // A damaged file is refused with a message, and the page says so.
    await page.setInputFiles('#load-file', {
      name: 'bad.tsgan',
      mimeType: 'application/octet-stream',
      buffer: Buffer.from('not a checkpoint'),
    });
    await expect.poll(() => status.textContent(), POLL).toContain('not a checkpoint file saved by the demo');
  } finally {
    await page.close();
  }
});

test('loading a checkpoint of the other recipe switches the page to it, and it trains on', async () => {
  const page = await browser.newPage();
  try {
    const file = `${OUTPUT}demo-checkpoint.tsgan`; // the fast recipe at step 3, saved by the test above
    await page.goto(`${baseUrl}?backend=wasm&recipe=mlp&steps=2&autostart=1`);
    await page.waitForFunction(() => document.title === 'done' || document.title.startsWith('error'));
    expect((await demoState(page)).recipe).toBe('mlp');
    const status = page.locator('#status');
    await page.setInputFiles('#load-file', file);
    await expect
      .poll(() => status.textContent(), POLL)
      .toContain('Loaded a checkpoint at step 3 (now training the fast recipe');
    expect((await demoState(page)).recipe).toBe('fast');
    expect(await page.inputValue('#recipe')).toBe('fast');
    await expect.poll(async () => (await demoState(page)).gridRows, POLL).toBe(10);

    // Resume trains the loaded run on (no new worker: the loaded step goes on from 3).
    await page.click('#start');
    await page.waitForFunction(() => (window as unknown as { tsGanDemo: DemoState }).tsGanDemo.step >= 4);
    await page.click('#start');
    await expect.poll(() => status.textContent(), POLL).toMatch(/^Paused at step \d+\.$/);
    const state = await demoState(page);
    expect(state.recipe).toBe('fast');
    expect(state.step).toBeGreaterThanOrEqual(4);
  } finally {
    await page.close();
  }
});

test('the demo downloads the report of its run: one HTML file with the charts’ data, which draws offline', async () => {
  const page = await browser.newPage({ acceptDownloads: true });
  try {
    await page.goto(`${baseUrl}?backend=wasm&steps=4&autostart=1`);
    await page.waitForFunction(() => document.title === 'done' || document.title.startsWith('error'));
    expect(await page.title()).toBe('done');
    const state = await demoState(page);

    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download-report')]);
    expect(download.suggestedFilename()).toBe('ts-gan-demo-report-step-4.html');
    const file = `${OUTPUT}demo-report.html`;
    await download.saveAs(file);
    const html = readFileSync(file, 'utf8');
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain('Trained in a browser tab by the ts-gan demo');

    // The embedded numbers are the run's: every logged step's losses, and the judge's last verdict.
    const json = /<script type="application\/json" id="report-data">([\s\S]*?)<\/script>/.exec(html)?.[1] ?? '';
    const data = JSON.parse(json) as {
      steps: Record<string, (number | null)[]>;
      evaluations: Record<string, (number | null)[]>;
    };
    expect(data.steps.step).toEqual([1, 2, 3, 4]);
    expect(data.steps.dLoss?.every((v) => typeof v === 'number' && Number.isFinite(v))).toBe(true);
    expect(data.evaluations.step?.at(-1)).toBe(4);
    expect(data.evaluations.classifierScore?.at(-1)).toBeCloseTo(state.judge?.metrics.classifierScore as number, 5);

    // Opened from disk with the network cut, the page draws its charts (uPlot makes one canvas each).
    const report = await browser.newPage();
    const errors: string[] = [];
    report.on('pageerror', (err) => errors.push(err.message));
    await report.route('**/*', (route) =>
      route.request().url().startsWith('file:') ? route.continue() : route.abort(),
    );
    await report.goto(`file://${file}`);
    await expect.poll(() => report.locator('.uplot canvas').count(), POLL).toBeGreaterThanOrEqual(3);
    expect(await report.locator('img[alt="interpolation grid"]').count()).toBe(1);
    expect(errors).toEqual([]);
    await report.close();
  } finally {
    await page.close();
  }
});

/** A file to make in the page: a picture drawn on an OffscreenCanvas, a broken picture, or text. */
interface FileSpec {
  name: string;
  kind: 'png' | 'jpeg' | 'broken' | 'text';
  /** Whether the picture has colour (else shades of grey). */
  colour?: boolean;
}

/**
 * Makes the files in the page (shapes on an OffscreenCanvas of 40x30, so that loading crops them,
 * encoded by the browser as PNG or JPEG) and drops them on the drop zone with a synthetic drop
 * event, as a person dragging files from their desktop does.
 */
function dropFiles(page: Page, specs: FileSpec[]): Promise<void> {
  return page.evaluate(async (list) => {
    const files: File[] = [];
    for (const [i, spec] of list.entries()) {
      if (spec.kind === 'text') {
        files.push(new File(['not a picture'], spec.name, { type: 'text/plain' }));
        continue;
      }
      if (spec.kind === 'broken') {
        files.push(new File([new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3])], spec.name, { type: 'image/png' }));
        continue;
      }
      const canvas = new OffscreenCanvas(40, 30);
      const ctx = canvas.getContext('2d') as OffscreenCanvasRenderingContext2D;
      const shade = (k: number) => (k * 53) % 256;
      ctx.fillStyle = spec.colour
        ? `rgb(${shade(i)}, ${shade(i + 3)}, 255)`
        : `rgb(${shade(i)}, ${shade(i)}, ${shade(i)})`;
      ctx.fillRect(0, 0, 40, 30);
      ctx.fillStyle = spec.colour ? `hsl(${(i * 47) % 360}, 90%, 50%)` : 'rgb(240, 240, 240)';
      ctx.beginPath();
      ctx.arc(20, 15, 6 + (i % 6), 0, 2 * Math.PI);
      ctx.fill();
      const type = `image/${spec.kind}`;
      files.push(new File([await canvas.convertToBlob({ type, quality: 0.95 })], spec.name, { type }));
    }
    const transfer = new DataTransfer();
    for (const file of files) transfer.items.add(file);
    const zone = document.getElementById('drop-zone') as HTMLElement;
    zone.dispatchEvent(new DragEvent('dragover', { dataTransfer: transfer, bubbles: true, cancelable: true }));
    zone.dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
  }, specs);
}

/** A folder on disk: three grey PNG files of 20x20 in it and in a subfolder, and a text file. */
function greyFolder(): string {
  const dir = `${OUTPUT}demo-grey-folder`;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(`${dir}/more`, { recursive: true });
  for (const [i, name] of ['a.png', 'b.png', 'more/c.png'].entries()) {
    const png = new PNG({ width: 20, height: 20 });
    for (let p = 0; p < 400; p++) {
      const v = (p * (i + 3)) % 256;
      png.data.set([v, v, v, 255], p * 4);
    }
    writeFileSync(`${dir}/${name}`, PNG.sync.write(png));
  }
  writeFileSync(`${dir}/more/notes.txt`, 'not a picture');
  return dir;
}

/** Whether a canvas shows colour: some opaque pixel whose red, green and blue differ. */
function canvasHasColour(page: Page, id: string) {
  return page.evaluate((canvasId) => {
    const canvas = document.getElementById(canvasId) as HTMLCanvasElement;
    const { data } = (canvas.getContext('2d') as CanvasRenderingContext2D).getImageData(
      0,
      0,
      canvas.width,
      canvas.height,
    );
    for (let i = 0; i < data.length; i += 4) {
      if (data[i + 3] === 255 && (data[i] !== data[i + 1] || data[i + 1] !== data[i + 2])) return true;
    }
    return false;
  }, id);
}

test('the demo trains on pictures dropped on it: a picked folder and dropped files, grey and colour defaults, skipped files counted, augmentation on, a colour grid, export', async () => {
  const page = await browser.newPage({ acceptDownloads: true });
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  const own = async () => (await demoState(page)).own;
  const decoded = async () => {
    const o = await own();
    return o !== null && !o.decoding;
  };
  try {
    await page.goto(`${baseUrl}?backend=wasm&steps=4`);
    const ownStatus = page.locator('#own-status');

    // Nothing usable: a clear message, and nothing to train on.
    await dropFiles(page, [{ name: 'notes.txt', kind: 'text' }]);
    await expect
      .poll(() => ownStatus.textContent(), POLL)
      .toContain('Nothing to train on: that was 1 file, none of them a picture');
    expect(await own()).toBeNull();

    // A folder of grey pictures, in subfolders, through the folder picker: 28 px, one channel, by default.
    await page.setInputFiles('#pick-folder', greyFolder());
    await expect.poll(decoded, POLL).toBe(true);
    expect(await own()).toMatchObject({ found: 4, images: 3, notPictures: 1, size: 28, channels: 1, colour: false });
    expect(await page.inputValue('#own-size')).toBe('28');
    expect(await page.inputValue('#own-channels')).toBe('1');

    // Colour pictures in PNG and JPEG, with a broken picture and a text file among them.
    const colour: FileSpec[] = [
      ...Array.from({ length: 6 }, (_, i) => ({ name: `shape-${i}.png`, kind: 'png' as const, colour: true })),
      ...Array.from({ length: 6 }, (_, i) => ({ name: `photo-${i}.jpeg`, kind: 'jpeg' as const, colour: true })),
      { name: 'broken.png', kind: 'broken' },
      { name: 'readme.txt', kind: 'text' },
    ];
    await dropFiles(page, colour);
    await expect.poll(async () => (await decoded()) && (await own())?.found, POLL).toBe(14);
    expect(await own()).toEqual({
      found: 14,
      images: 12,
      notPictures: 1,
      undecodable: 1,
      shown: 12,
      size: 32,
      channels: 3,
      colour: true,
      augment: true,
      decoding: false,
    });
    const status = (await ownStatus.textContent()) ?? '';
    expect(status).toContain('12 pictures at 32x32, colour');
    expect(status).toContain(
      'Skipped 1 file that is not a picture and 1 picture that could not be decoded (broken.png)',
    );
    // The grid shows the twelve pictures in one row (up to 16 fit in one), in colour.
    expect(await gridStats(page, 'own-grid')).toMatchObject({ width: 12 * 32, height: 32, opaque: 1 });
    expect(await canvasHasColour(page, 'own-grid')).toBe(true);
    // Augmentation is on for a set this small, and the page says so.
    expect(await page.isChecked('#own-augment')).toBe(true);
    expect(await page.textContent('#own-augment-note')).toContain('Augmentation on');
    expect(await page.isDisabled('#recipe')).toBe(true);

    // Training: the worker gets the decoded pictures and trains the unconditioned fast recipe on them.
    await page.click('#start');
    await page.waitForFunction(() => (window as unknown as { tsGanDemo: DemoState }).tsGanDemo.running);
    expect(await page.isDisabled('#own-size')).toBe(true);
    await expect.poll(() => page.textContent('#status'), POLL).toBe('Done: 4 steps on wasm.');
    const state = await demoState(page);
    expect(state).toMatchObject({ data: 'own', dataShape: [12, 32, 32, 3], augment: true, recipe: 'fast', step: 4 });
    expect(await page.textContent('#s-recipe')).toContain('unconditioned');
    expect(Number.isFinite(state.dLoss)).toBe(true);
    // The sample grid shows step 4's samples: 5x5 colour pictures of 32 px.
    expect(state.samplesStep).toBe(4);
    expect([state.gridColumns, state.gridRows]).toEqual([5, 5]);
    expect(await gridStats(page)).toMatchObject({ width: 160, height: 160, opaque: 1 });
    expect(await canvasHasColour(page, 'grid')).toBe(true);
    expect(state.judge).toBeNull();

    // Export works as with the digits.
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#save-file')]);
    expect(download.suggestedFilename()).toBe('ts-gan-own-step-4.tsgan');
    expect(errors).toEqual([]);
    await page.screenshot({ path: `${OUTPUT}demo-own-images.png`, fullPage: true });
  } finally {
    await page.close();
  }
});
