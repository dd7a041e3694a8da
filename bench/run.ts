/**
 * `npm run bench`: the seed's MLP GAN, ms per training step, on wasm and cpu (and tfjs-node when
 * installed): the library's Trainer, the best hand-written tfjs loop, the same loop on plain tfjs
 * (no fixes), and PyTorch, in one run, alternating chunk by chunk, after a warm-up; medians.
 * `--dcgan` adds the DCGAN row (bench/dcgan-row.ts): `ts-gan mnist --arch dcgan`'s default networks
 * on wasm at batch 64 against their PyTorch twin (bench/torch_dcgan.py), one thread each;
 * `--arch dcgan` runs that row alone. With wasm among the backends, the "every core" row
 * (bench/every-core-row.ts): the Trainer with the library's GEMM on every core against PyTorch at
 * its faster thread count (`--no-every-core` skips it).
 *
 *   npm run bench -- [--backends wasm,cpu] [--batches 32,256] [--rounds 7] [--out bench/results/latest.json]
 *     [--dcgan | --arch mlp|dcgan] [--dcgan-batch 64] [--dcgan-without FIX,FIX]
 *
 * `--dcgan-without` also times the DCGAN row's Trainer with those backend fixes off, in the same
 * alternation (before and after a change, in one run).
 *
 * The machine's cores may be shared: trust ratios measured in one run over absolute times.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { type BackendName, type FixName, useBackend } from '../src/backends/index.js';
import { type DcganRow, measureDcganRow } from './dcgan-row.js';
import { type EveryCoreRow, measureEveryCoreRow, printEveryCore } from './every-core-row.js';
import { bestOptimizer, handWrittenRunner, makeData, plainAdam, type Runner, trainerRunner } from './mlp-gan.js';
import { startTorch, type TorchProcess } from './torch-process.js';

interface Args {
  backends: BackendName[];
  batches: number[];
  rounds: number;
  out: string;
  torch: boolean;
  /** The seed MLP's rows. */
  mlp: boolean;
  /** The DCGAN row, and its batch. */
  dcgan: boolean;
  dcganBatch: number;
  /** Fixes switched off for the DCGAN row's extra column. */
  dcganWithout: FixName[];
  /** The "every core" row. */
  everyCore: boolean;
}

function parseArgs(argv: string[]): Args {
  const args: Args = {
    backends: ['wasm', 'cpu'],
    batches: [32, 256],
    rounds: 7,
    out: 'bench/results/latest.json',
    torch: true,
    mlp: true,
    dcgan: false,
    dcganBatch: 64,
    dcganWithout: [],
    everyCore: true,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = argv[i + 1] ?? '';
    if (a === '--no-torch') {
      args.torch = false;
      continue;
    }
    if (a === '--no-every-core') {
      args.everyCore = false;
      continue;
    }
    if (a === '--dcgan') {
      args.dcgan = true;
      continue;
    }
    i++;
    if (a === '--arch') {
      if (v !== 'mlp' && v !== 'dcgan') throw new Error(`bench: --arch must be mlp or dcgan, got ${v}`);
      args.mlp = v === 'mlp';
      args.dcgan = v === 'dcgan';
      continue;
    }
    if (a === '--dcgan-batch') {
      args.dcganBatch = Number(v);
      continue;
    }
    if (a === '--dcgan-without') {
      args.dcganWithout = v.split(',') as FixName[];
      continue;
    }
    if (a === '--backends') args.backends = v.split(',') as BackendName[];
    else if (a === '--batches') args.batches = v.split(',').map(Number);
    else if (a === '--rounds') args.rounds = Number(v);
    else if (a === '--out') args.out = v;
    else throw new Error(`bench: unknown argument ${a}`);
  }
  return args;
}

/** Steps per timed chunk: about a second of work on an idle machine. */
function chunkSteps(backend: string, batch: number): number {
  if (backend === 'cpu') return batch >= 256 ? 1 : 2;
  return batch >= 256 ? 4 : 16;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

type Column = 'trainer' | 'handWritten' | 'plainTfjs' | 'pytorch';

interface Row {
  backend: string;
  batch: number;
  stepsPerChunk: number;
  rounds: number;
  msPerStep: Partial<Record<Column, number>>;
  samples: Partial<Record<Column, number[]>>;
  ratios: {
    wasmOverPytorch?: number;
    /** Median over rounds of trainer / PyTorch within the round: robust to a host whose speed drifts. */
    wasmOverPytorchByRound?: number;
    trainerOverHandWritten?: number;
    plainOverTrainer?: number;
  };
  tensorBytes: Partial<Record<Column, number>>;
}

async function measureRow(
  backend: BackendName,
  batch: number,
  rounds: number,
  torch: TorchProcess | undefined,
): Promise<Row> {
  await useBackend(backend);
  const data = makeData();
  const steps = chunkSteps(backend, batch);
  const columns: { name: Column; fixes: boolean; make?: () => Runner }[] = [
    { name: 'trainer', fixes: true, make: () => trainerRunner(batch, data) },
    { name: 'handWritten', fixes: true, make: () => handWrittenRunner(batch, data, bestOptimizer) },
    { name: 'plainTfjs', fixes: false, make: () => handWrittenRunner(batch, data, plainAdam) },
  ];
  if (torch) columns.push({ name: 'pytorch', fixes: true });
  const runners = new Map<Column, Runner>();
  const samples: Partial<Record<Column, number[]>> = {};
  const tensorBytes: Partial<Record<Column, number>> = {};
  const timeChunk = async (c: (typeof columns)[number]): Promise<number> => {
    if (c.name === 'pytorch') return (await (torch as TorchProcess).run(batch, steps)).ms / steps;
    await useBackend(backend, { fixes: c.fixes });
    let runner = runners.get(c.name);
    if (!runner) {
      const before = tf.memory().numBytes;
      runner = (c.make as () => Runner)();
      runners.set(c.name, runner);
      await runner.run(1); // creates the optimizer slots
      tensorBytes[c.name] = tf.memory().numBytes - before;
    }
    const t0 = performance.now();
    await runner.run(steps);
    return (performance.now() - t0) / steps;
  };
  for (const c of columns) await timeChunk(c); // warm-up
  for (let r = 0; r < rounds; r++) {
    // Rotate the order each round, so no column always follows the same one.
    for (let k = 0; k < columns.length; k++) {
      const c = columns[(k + r) % columns.length] as (typeof columns)[number];
      const ms = await timeChunk(c);
      samples[c.name] = [...(samples[c.name] ?? []), ms];
    }
    process.stderr.write('.');
  }
  for (const runner of runners.values()) runner.dispose();
  data.dispose();
  await useBackend(backend);
  const ms: Partial<Record<Column, number>> = {};
  for (const [k, v] of Object.entries(samples)) ms[k as Column] = median(v);
  const ratios: Row['ratios'] = {};
  if (ms.trainer && ms.pytorch) ratios.wasmOverPytorch = ms.trainer / ms.pytorch;
  const t = samples.trainer;
  const p = samples.pytorch;
  if (t && p) ratios.wasmOverPytorchByRound = median(t.map((x, i) => x / (p[i] as number)));
  if (ms.trainer && ms.handWritten) ratios.trainerOverHandWritten = ms.trainer / ms.handWritten;
  if (ms.trainer && ms.plainTfjs) ratios.plainOverTrainer = ms.plainTfjs / ms.trainer;
  return { backend, batch, stepsPerChunk: steps, rounds, msPerStep: ms, samples, ratios, tensorBytes };
}

function fmt(x: number | undefined, digits = 1): string {
  return x === undefined ? '-' : x.toFixed(digits);
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  let torch: TorchProcess | undefined;
  let torchNote = 'not requested (--no-torch)';
  if (args.torch && args.mlp) {
    const t = await startTorch();
    if ('missing' in t) {
      torchNote = `skipped: ${t.missing}`;
      console.log(`PyTorch column ${torchNote}`);
    } else {
      torch = t;
      torchNote = `PyTorch ${t.version}`;
    }
  }
  const backends = args.mlp ? [...args.backends] : [];
  if (args.mlp && !backends.includes('tensorflow')) {
    // tfjs-node joins the table when it is installed.
    try {
      await useBackend('tensorflow');
      backends.unshift('tensorflow');
    } catch {
      console.log('tfjs-node is not installed: no "tensorflow" rows.');
    }
  }
  const rows: Row[] = [];
  for (const backend of backends) {
    for (const batch of args.batches) {
      process.stderr.write(`${backend} batch ${batch} `);
      rows.push(await measureRow(backend, batch, args.rounds, torch));
      process.stderr.write('\n');
    }
  }
  torch?.close();
  const everyCore: EveryCoreRow[] = [];
  if (args.mlp && args.everyCore && backends.includes('wasm')) {
    for (const batch of args.batches) {
      process.stderr.write(`every core, wasm batch ${batch} `);
      everyCore.push(await measureEveryCoreRow(batch, args.rounds, chunkSteps('wasm', batch)));
      process.stderr.write('\n');
    }
  }
  let dcgan: DcganRow | undefined;
  if (args.dcgan) {
    process.stderr.write(`dcgan wasm batch ${args.dcganBatch} `);
    dcgan = await measureDcganRow(
      'wasm',
      args.dcganBatch,
      args.rounds,
      DCGAN_CHUNK_STEPS,
      args.torch,
      args.dcganWithout,
    );
    process.stderr.write('\n');
  }
  const rssMb = process.resourceUsage().maxRSS / 1024;
  if (args.mlp) printMlp(args, rows, torchNote);
  printEveryCore(everyCore);
  if (dcgan) printDcgan(dcgan);
  console.log(`peak RSS of the tfjs process: ${rssMb.toFixed(0)} MiB`);
  const result = {
    date: new Date().toISOString(),
    machine: {
      node: process.version,
      cpus: (await import('node:os')).cpus().length,
      cpu: (await import('node:os')).cpus()[0]?.model,
      loadavg: (await import('node:os')).loadavg(),
    },
    tfjs: tf.version_core,
    pytorch: torchNote,
    peakRssMiB: rssMb,
    rows,
    ...(everyCore.length > 0 ? { everyCore } : {}),
    ...(dcgan ? { dcgan } : {}),
  };
  mkdirSync(dirname(args.out), { recursive: true });
  writeFileSync(args.out, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`written ${args.out}`);
}

/** Steps per timed chunk of the DCGAN row: about a second of work on an idle machine, each side. */
const DCGAN_CHUNK_STEPS = 3;

function printDcgan(r: DcganRow): void {
  const p = r.params;
  console.log(
    `\nts-gan mnist --arch dcgan (defaults), ${r.backend}, batch ${r.batch}, ms per step (median of ${r.rounds} alternating chunks of ${r.stepsPerChunk} steps); ${r.pytorch}`,
  );
  console.log(
    `  parameters: trainer G ${p.trainer.generator}, D ${p.trainer.discriminator}; pytorch G ${p.pytorch?.generator ?? '-'}, D ${p.pytorch?.discriminator ?? '-'}`,
  );
  console.log(
    `  trainer ${fmt(r.msPerStep.trainer)}  pytorch ${fmt(r.msPerStep.pytorch)}  trainer/pytorch ${fmt(r.ratios.trainerOverPytorch, 2)} (round by round ${fmt(r.ratios.trainerOverPytorchByRound, 2)})`,
  );
  console.log(
    `  CPU time: trainer ${fmt(r.cpuMsPerStep.trainer)}  pytorch ${fmt(r.cpuMsPerStep.pytorch)}  trainer/pytorch ${fmt(r.ratios.cpuTrainerOverPytorch, 2)}`,
  );
  if (r.without) {
    console.log(
      `  without ${r.without.join(', ')}: trainer ${fmt(r.msPerStep.without)}  /pytorch ${fmt(r.ratios.withoutOverPytorch, 2)}  /trainer ${fmt(r.ratios.withoutOverTrainer, 2)}; ` +
        `CPU time ${fmt(r.cpuMsPerStep.without)}  /pytorch ${fmt(r.ratios.cpuWithoutOverPytorch, 2)}  /trainer ${fmt(r.ratios.cpuWithoutOverTrainer, 2)}`,
    );
  }
}

function printMlp(args: Args, rows: Row[], torchNote: string): void {
  console.log(`\nSeed MLP GAN, ms per step (median of ${args.rounds} alternating chunks after warm-up); ${torchNote}`);
  console.log(
    'backend     batch  trainer  hand-written  plain-tfjs  pytorch  trainer/pytorch  trainer/hand  plain/trainer',
  );
  for (const r of rows) {
    const m = r.msPerStep;
    console.log(
      `${r.backend.padEnd(10)} ${String(r.batch).padStart(6)} ${fmt(m.trainer).padStart(8)} ${fmt(m.handWritten).padStart(13)} ` +
        `${fmt(m.plainTfjs).padStart(11)} ${fmt(m.pytorch).padStart(8)} ${fmt(r.ratios.wasmOverPytorch, 2).padStart(16)} ` +
        `${fmt(r.ratios.trainerOverHandWritten, 3).padStart(13)} ${fmt(r.ratios.plainOverTrainer, 2).padStart(14)}`,
    );
  }
  for (const r of rows) {
    if (r.ratios.wasmOverPytorchByRound === undefined) continue;
    console.log(
      `  ${r.backend} batch ${r.batch}: trainer/pytorch round by round (median of each round's pair): ${fmt(r.ratios.wasmOverPytorchByRound, 2)}`,
    );
  }
  for (const r of rows) {
    const b = r.tensorBytes;
    console.log(
      `  ${r.backend} batch ${r.batch}: tensor bytes held by a trainer ${fmt((b.trainer ?? 0) / 2 ** 20)} MiB, hand-written ${fmt((b.handWritten ?? 0) / 2 ** 20)} MiB`,
    );
  }
}

await main();
