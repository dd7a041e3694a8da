/**
 * The run report in a browser: a short real `ts-gan mnist` run writes report.html, and headless
 * Chromium opens it from disk with every network request refused. The charts must draw (uPlot
 * canvases of non-zero size with pixels on them), the grid slider must work, nothing may be
 * fetched and nothing may log an error. The screenshot goes to docs/images/report.png.
 */
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, expect, inject, test } from 'vitest';
import { main } from '../../src/cli/main';

const SCREENSHOT = fileURLToPath(new URL('../../docs/images/report.png', import.meta.url));

/**
 * A run long enough for curves with a shape, a few evaluations and a dozen grids; short enough for
 * a test (about a minute on wasm on a 2-core machine).
 */
const RUN = [
  ...['--backend', 'wasm', '--steps', '300', '--limit', '2000', '--log-every', '5'],
  ...['--eval-every', '100', '--eval-samples', '100', '--sample-every', '25'],
];

/** The charts a run with evaluations shows. */
const CHARTS = ['losses', 'd-outputs', 'classifier-score', 'frechet', 'kid', 'histogram-kl', 'speed', 'memory'];

let browser: Browser;
let reportUrl: string;

beforeAll(async () => {
  // Named as a run folder usually is: the report takes its title from the folder.
  const out = join(await mkdtemp(join(tmpdir(), 'ts-gan-report-browser-')), 'mnist');
  const stderr: string[] = [];
  const code = await main(['mnist', ...RUN, '--out', out], {
    stdout: { write: () => true },
    stderr: { write: (s: string) => stderr.push(s), isTTY: false },
  });
  expect(code, stderr.join('')).toBe(0);
  const html = await readFile(join(out, 'report.html'), 'utf8');
  expect(html.length).toBeGreaterThan(0);
  reportUrl = pathToFileURL(join(out, 'report.html')).href;
  browser = await chromium.launch({ ...inject('chromium'), headless: true });
});

afterAll(async () => {
  await browser?.close();
});

test('report.html opens from disk with no network and draws every chart', async () => {
  const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
  const requests: string[] = [];
  // Refuse every request that is not the page itself; the page must not make any.
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith('file:')) return route.continue();
    requests.push(url);
    return route.abort();
  });
  const page = await context.newPage();
  page.on('request', (request) => {
    const url = request.url();
    if (!url.startsWith('file:') && !url.startsWith('data:')) requests.push(url);
  });
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') errors.push(message.text());
  });
  try {
    // The page's scripts run before its load event, which goto awaits.
    await page.goto(reportUrl);
    expect(errors).toEqual([]);
    expect(await page.getAttribute('html', 'data-charts'), 'charts drawn by the page script').toBe(
      String(CHARTS.length),
    );

    const charts = await page.evaluate((ids) => {
      return ids.map((id) => {
        const canvas = document.querySelector(`[data-chart="${id}"] canvas`) as HTMLCanvasElement | null;
        if (!canvas) return { id, width: 0, height: 0, inked: 0 };
        const { data } = (canvas.getContext('2d') as CanvasRenderingContext2D).getImageData(
          0,
          0,
          canvas.width,
          canvas.height,
        );
        let inked = 0;
        for (let i = 3; i < data.length; i += 4) if ((data[i] as number) > 0) inked++;
        return { id, width: canvas.width, height: canvas.height, inked: inked / (data.length / 4) };
      });
    }, CHARTS);
    for (const c of charts) {
      expect(c.width, `${c.id} width`).toBeGreaterThan(200);
      expect(c.height, `${c.id} height`).toBeGreaterThan(100);
      // Axes, grid lines and at least one curve: a blank canvas has no drawn pixel.
      expect(c.inked, `${c.id} drawn pixels`).toBeGreaterThan(0.01);
    }

    // The grid slider shows an earlier grid; the large one starts at the last.
    expect(await page.textContent('#grid-viewer-caption')).toBe('step 300');
    await page.locator('#grid-slider').fill('0');
    expect(await page.textContent('#grid-viewer-caption')).toBe('step 0');
    const first = await page.getAttribute('.thumb img', 'src');
    expect(await page.getAttribute('#grid-viewer', 'src')).toBe(first);
    await page.locator('#grid-slider').fill(String((await page.locator('.thumb').count()) - 1));
    expect(await page.textContent('#grid-viewer-caption')).toBe('step 300');

    expect(requests).toEqual([]);
    expect(errors).toEqual([]);
    await page.screenshot({ path: SCREENSHOT, clip: { x: 0, y: 0, width: 1200, height: 2420 }, fullPage: true });
  } finally {
    await context.close();
  }
});
