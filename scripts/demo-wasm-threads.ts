/**
 * Steps per second of the live demo's fast recipe on wasm in headless Chromium, with the page
 * cross-origin isolated (tfjs's threaded build: its default pool, and `threads=N`) and not (the
 * servers' isolation headers off), alternating configurations so that a busy machine weighs on each
 * alike. The figures in docs/browser.md come from it.
 *
 * Run: `npx tsx scripts/demo-wasm-threads.ts [steps] [rounds]` (default 150 steps, 2 rounds; needs
 * /usr/bin/chromium, or CHROMIUM_PATH).
 */
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium } from 'playwright-core';
import { build, type PreviewServer, preview } from 'vite';

const CONFIG = fileURLToPath(new URL('../examples/browser/vite.config.ts', import.meta.url));
const steps = Number(process.argv[2] ?? 150);
const rounds = Number(process.argv[3] ?? 2);
/** Steps left out of the timing: the first ones compile kernels and warm the caches. */
const WARMUP = 10;
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--no-first-run',
];

interface Run {
  name: string;
  server: PreviewServer;
  threads: string;
}

async function serve(isolated: boolean): Promise<PreviewServer> {
  process.env.TS_GAN_DEMO_ISOLATION = isolated ? 'on' : 'off';
  return preview({ configFile: CONFIG, preview: { port: 0, strictPort: false, open: false } });
}

/** Trains WARMUP + steps steps and returns the steps per second after the warm-up, and what the page got. */
async function measure(browser: Browser, run: Run) {
  const page = await browser.newPage();
  try {
    const url = `${run.server.resolvedUrls?.local[0]}?backend=wasm&recipe=fast&steps=${WARMUP + steps}&threads=${run.threads}&autostart=1`;
    await page.goto(url);
    await page.waitForFunction(
      (w) => (window as never as { tsGanDemo: { step: number } }).tsGanDemo.step >= w,
      WARMUP,
      {
        timeout: 0,
        polling: 20,
      },
    );
    const started = performance.now();
    await page.waitForFunction(() => document.title === 'done' || document.title.startsWith('error'), undefined, {
      timeout: 0,
      polling: 20,
    });
    const seconds = (performance.now() - started) / 1000;
    const title = await page.title();
    if (title !== 'done') throw new Error(`${run.name}: the demo reported: ${title}`);
    const state = await page.evaluate(
      () =>
        (window as never as { tsGanDemo: { step: number; wasmThreads: number; crossOriginIsolated: boolean } })
          .tsGanDemo,
    );
    return {
      stepsPerSecond: (state.step - WARMUP) / seconds,
      threads: state.wasmThreads,
      isolated: state.crossOriginIsolated,
    };
  } finally {
    await page.close();
  }
}

await build({ configFile: CONFIG, logLevel: 'warn' });
const isolated = await serve(true);
const plain = await serve(false);
const runs: Run[] = [
  { name: 'isolated, threaded build, tfjs default pool', server: isolated, threads: 'auto' },
  { name: 'isolated, threaded build, 2 threads', server: isolated, threads: '2' },
  { name: 'isolated, single-threaded build (threads=off)', server: isolated, threads: 'off' },
  { name: 'not isolated (headers off)', server: plain, threads: 'auto' },
];
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: CHROMIUM_ARGS,
  headless: true,
});
const results = new Map<string, number[]>();
try {
  process.stdout.write(
    `${cpus()[0]?.model}, ${cpus().length} cores; load average before: ${loadavg()
      .map((v) => v.toFixed(2))
      .join(' ')}\n`,
  );
  for (let round = 0; round < rounds; round++) {
    for (const run of runs) {
      const r = await measure(browser, run);
      results.set(run.name, [...(results.get(run.name) ?? []), r.stepsPerSecond]);
      process.stdout.write(
        `round ${round + 1}: ${run.name}: ${r.stepsPerSecond.toFixed(2)} steps/s (isolated ${r.isolated}, wasm threads ${r.threads})\n`,
      );
    }
  }
  process.stdout.write(
    `load average after: ${loadavg()
      .map((v) => v.toFixed(2))
      .join(' ')}\n`,
  );
  for (const [name, values] of results) {
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    process.stdout.write(`${name}: mean ${mean.toFixed(2)} steps/s over ${values.length} runs\n`);
  }
} finally {
  await browser.close();
  for (const server of [isolated, plain])
    await new Promise<void>((resolve) => server.httpServer.close(() => resolve()));
}
