/**
 * The screenshot of the live demo in docs/browser.md: builds examples/browser, trains it in headless
 * Chromium on wasm for STEPS steps (default 400), and saves docs/images/demo-live.png.
 *
 * Run: `npx tsx scripts/demo-screenshot.ts [steps]` (needs /usr/bin/chromium, or CHROMIUM_PATH).
 */
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { build, preview } from 'vite';

const CONFIG = fileURLToPath(new URL('../examples/browser/vite.config.ts', import.meta.url));
const OUT = fileURLToPath(new URL('../docs/images/demo-live.png', import.meta.url));
const steps = Number(process.argv[2] ?? 400);
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--no-first-run',
];

await build({ configFile: CONFIG, logLevel: 'warn' });
const server = await preview({ configFile: CONFIG, preview: { port: 0, strictPort: false, open: false } });
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: CHROMIUM_ARGS,
  headless: true,
});
try {
  const page = await browser.newPage({ viewport: { width: 1040, height: 900 } });
  await page.goto(`${server.resolvedUrls?.local[0]}?backend=wasm&steps=${steps}&autostart=1`);
  await page.waitForFunction(() => document.title === 'done' || document.title.startsWith('error'), undefined, {
    timeout: 0,
    polling: 1000,
  });
  const title = await page.title();
  if (title !== 'done') throw new Error(`the demo reported: ${title}`);
  // Let the last frame draw the charts.
  await page.waitForTimeout(500);
  await page.screenshot({ path: OUT, fullPage: true });
  const judge = await page.evaluate(() => (window as unknown as { tsGanDemo: { judge: unknown } }).tsGanDemo.judge);
  process.stdout.write(`${OUT}\n${JSON.stringify(judge)}\n`);
} finally {
  await browser.close();
  await new Promise<void>((resolve) => server.httpServer.close(() => resolve()));
}
