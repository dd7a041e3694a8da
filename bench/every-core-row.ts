/**
 * The "every core" row of `npm run bench`: the seed MLP GAN's Trainer on wasm with the library's
 * GEMM on every core (`useBackend('wasm', { threads })`, the `wasm-threaded-gemm` fix) and on one
 * thread (the fix off, the same pool idle), against PyTorch on 1 thread and on every core, the
 * faster of the two taken ("PyTorch at its best thread count"); alternating chunk by chunk in one
 * run, medians.
 */
import { availableParallelism, loadavg } from 'node:os';
import { applyFixes, useBackend } from '../src/backends/index.js';
import { makeData, type Runner, trainerRunner } from './mlp-gan.js';
import { startTorch, type TorchProcess } from './torch-process.js';

export interface EveryCoreRow {
  batch: number;
  threads: number;
  stepsPerChunk: number;
  rounds: number;
  /** Median ms per step: the Trainer on every core and on one, PyTorch on one and on every core. */
  msPerStep: { trainerAll?: number; trainerOne?: number; pytorchOne?: number; pytorchAll?: number };
  samples: Record<string, number[]>;
  /** PyTorch's faster thread count, and the Trainer on every core over that PyTorch. */
  pytorchBestThreads?: number;
  trainerAllOverPytorchBest?: number;
  /** Above 1: every core is faster than one thread for the Trainer. */
  trainerOneOverAll?: number;
  loadavg: number[];
}

const median = (a: number[]) => {
  const s = [...a].sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

export async function measureEveryCoreRow(batch: number, rounds: number, steps: number): Promise<EveryCoreRow> {
  const threads = availableParallelism();
  const torches: Record<string, TorchProcess> = {};
  for (const [name, n] of [
    ['pytorchOne', 1],
    ['pytorchAll', threads],
  ] as const) {
    const t = await startTorch(n);
    if (!('missing' in t)) torches[name] = t;
  }
  const report = await useBackend('wasm', { threads });
  const data = makeData();
  const runner: Runner = trainerRunner(batch, data);
  await runner.run(1);
  const columns = ['trainerAll', 'trainerOne', ...Object.keys(torches)];
  const samples: Record<string, number[]> = Object.fromEntries(columns.map((c) => [c, []]));
  const time = async (c: string): Promise<number> => {
    const torch = torches[c];
    if (torch) return (await torch.run(batch, steps)).ms / steps;
    applyFixes({ fixes: { 'wasm-threaded-gemm': c === 'trainerAll' && report.threads > 1 } });
    const t0 = performance.now();
    await runner.run(steps);
    return (performance.now() - t0) / steps;
  };
  for (const c of columns) await time(c); // warm-up
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < columns.length; k++) {
      const c = columns[(k + r) % columns.length] as string;
      samples[c]?.push(await time(c));
    }
    process.stderr.write('.');
  }
  runner.dispose();
  data.dispose();
  for (const t of Object.values(torches)) t.close();
  await useBackend('wasm', { threads: 1 });
  const ms: EveryCoreRow['msPerStep'] = {};
  for (const c of columns) ms[c as keyof EveryCoreRow['msPerStep']] = median(samples[c] ?? []);
  const row: EveryCoreRow = {
    batch,
    threads: report.threads,
    stepsPerChunk: steps,
    rounds,
    msPerStep: ms,
    samples,
    loadavg: loadavg(),
  };
  const best = [ms.pytorchOne, ms.pytorchAll].filter((x): x is number => x !== undefined);
  if (best.length > 0 && ms.trainerAll) {
    const min = Math.min(...best);
    row.pytorchBestThreads = min === ms.pytorchOne ? 1 : threads;
    row.trainerAllOverPytorchBest = ms.trainerAll / min;
  }
  if (ms.trainerAll && ms.trainerOne) row.trainerOneOverAll = ms.trainerOne / ms.trainerAll;
  return row;
}

export function printEveryCore(rows: EveryCoreRow[]): void {
  if (rows.length === 0) return;
  const f = (x: number | undefined, d = 1) => (x === undefined ? '-' : x.toFixed(d));
  console.log(
    `\nEvery core (${rows[0]?.threads} threads for the library's GEMM, wasm-threaded-gemm), seed MLP GAN on wasm, ms per step (medians of alternating chunks)`,
  );
  console.log(
    'batch  trainer-all  trainer-1  pytorch-1  pytorch-all  best-pytorch  trainer-all/best  trainer-1/all  load',
  );
  for (const r of rows) {
    const m = r.msPerStep;
    console.log(
      `${String(r.batch).padStart(5)} ${f(m.trainerAll).padStart(12)} ${f(m.trainerOne).padStart(10)} ${f(m.pytorchOne).padStart(10)} ` +
        `${f(m.pytorchAll).padStart(12)} ${(r.pytorchBestThreads ? `${r.pytorchBestThreads} thr` : '-').padStart(13)} ` +
        `${f(r.trainerAllOverPytorchBest, 2).padStart(17)} ${f(r.trainerOneOverAll, 2).padStart(14)}  ${r.loadavg.map((x) => x.toFixed(2)).join(' ')}`,
    );
  }
}
