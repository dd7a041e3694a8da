/**
 * The screenshot of the live demo in docs/browser.md: builds examples/browser, trains its default
 * recipe (the fast one) in headless Chromium on wasm for a wall-time budget, pauses it, and saves
 * docs/images/demo-live.png. Prints the steps reached, the page's live judge score (300 samples)
 * and the load average; then downloads the trained run as a checkpoint file and writes its GAN to
 * test-output/demo-live-gan/, which `ts-gan evaluate --from test-output/demo-live-gan` scores with
 * 10,000 samples.
 *
 * Run: `npx tsx scripts/demo-screenshot.ts [--seconds N]` (default 420: what PyTorch needs for the
 * seed MLP's 30,000 steps on the 2-core machine of docs/browser.md; needs /usr/bin/chromium, or
 * CHROMIUM_PATH).
 */
import { mkdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { chromium } from 'playwright-core';
import { Trainer } from 'ts-gan';
import { useBackend } from 'ts-gan/backends';
import 'ts-gan/node';
import { build, preview } from 'vite';
import { decodeCheckpointFile } from '../examples/browser/src/checkpoint-file';

const CONFIG = fileURLToPath(new URL('../examples/browser/vite.config.ts', import.meta.url));
const OUT = fileURLToPath(new URL('../docs/images/demo-live.png', import.meta.url));
const SAVED = fileURLToPath(new URL('../test-output/', import.meta.url));
const { values } = parseArgs({ options: { seconds: { type: 'string', default: '420' } } });
const seconds = Number(values.seconds);
if (!(seconds > 0)) throw new Error(`--seconds must be a positive number, got ${values.seconds}`);
/** A target the budget never reaches: the run ends when the time is up, not at the recipe's step count. */
const NO_TARGET = 100_000;
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--no-first-run',
];

interface DemoState {
  step: number;
  running: boolean;
  recipe: string | null;
  wasmThreads: number | null;
  judge: { step: number; samples: number; metrics: Record<string, number> } | null;
}

const load = () =>
  loadavg()
    .map((v) => v.toFixed(2))
    .join(' ');

await build({ configFile: CONFIG, logLevel: 'warn' });
const server = await preview({ configFile: CONFIG, preview: { port: 0, strictPort: false, open: false } });
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: CHROMIUM_ARGS,
  headless: true,
});
try {
  const page = await browser.newPage({ viewport: { width: 1040, height: 960 }, acceptDownloads: true });
  const state = () => page.evaluate(() => (window as unknown as { tsGanDemo: DemoState }).tsGanDemo);
  process.stdout.write(`load average before: ${load()}\n`);
  await page.goto(`${server.resolvedUrls?.local[0]}?backend=wasm&steps=${NO_TARGET}&autostart=1`);
  await page.waitForFunction(
    () => (window as unknown as { tsGanDemo: DemoState }).tsGanDemo.running || document.title.startsWith('error'),
    undefined,
    { timeout: 0, polling: 100 },
  );
  if ((await page.title()).startsWith('error')) throw new Error(`the demo reported: ${await page.title()}`);
  // The budget counts training time only: from the first step on, not the build or the page's start.
  await page.waitForTimeout(seconds * 1000);
  await page.click('#start'); // Pause: the worker finishes its step and judges the state it stopped at.
  await page.waitForFunction(() => document.getElementById('status')?.textContent?.startsWith('Paused'), undefined, {
    timeout: 0,
    polling: 250,
  });
  const loadAfter = load();
  // Let the last frame draw the charts.
  await page.waitForTimeout(500);
  await page.screenshot({ path: OUT, fullPage: true });
  const s = await state();
  const score = s.judge?.metrics.classifierScore;
  const frechet = s.judge?.metrics.frechetDistance;
  process.stdout.write(
    `${OUT}\nrecipe ${s.recipe} on wasm (${s.wasmThreads} thread): ${s.step} steps in ${seconds} s; ` +
      `live judge at step ${s.judge?.step} (${s.judge?.samples} samples): classifier score ${score?.toFixed(2)}, ` +
      `Fréchet distance ${frechet?.toFixed(1)}\nload average after: ${loadAfter}\n`,
  );

  // The trained run as the page's checkpoint file, then its GAN in the library's folder format.
  mkdirSync(SAVED, { recursive: true });
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#save-file')]);
  const file = `${SAVED}demo-live.tsgan`;
  await download.saveAs(file);
  const bytes = await readFile(file);
  const artifacts = decodeCheckpointFile(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  await useBackend('cpu');
  const trainer = await Trainer.load(tf.io.fromMemory(artifacts));
  await trainer.gan.save(`${SAVED}demo-live-gan`);
  process.stdout.write(
    `checkpoint ${file}; GAN ${SAVED}demo-live-gan (score it: npx tsx src/cli/main.ts evaluate --from test-output/demo-live-gan)\n`,
  );
  trainer.dispose();
} finally {
  await browser.close();
  await new Promise<void>((resolve) => server.httpServer.close(() => resolve()));
}
