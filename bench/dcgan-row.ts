/**
 * The DCGAN row of `npm run bench`: `ts-gan mnist --arch dcgan`'s default networks (presets.dcgan's
 * defaults with BatchNorm in the discriminator, `frozenNetworkMode: 'training'`) in the library's
 * Trainer after `useBackend(backend)`, against bench/torch_dcgan.py (PyTorch twins of the same
 * layers and parameter counts), one thread each, chunk by chunk in alternation after a warm-up.
 * With `without` (`npm run bench -- --arch dcgan --dcgan-without NAME,NAME`), each round also times
 * the Trainer with those fixes off, so that a change and its ratio to PyTorch compare in one run.
 */
import { applyFixes, type FixName, useBackend } from '../src/backends/index.js';
import { dcganRunner } from './dcgan.js';
import { startTorch } from './torch-process.js';

/** presets.dcgan's default width, as `ts-gan mnist --arch dcgan` uses it. */
const FILTERS = 64;

export interface DcganRow {
  backend: string;
  batch: number;
  stepsPerChunk: number;
  rounds: number;
  pytorch: string;
  /** Parameters of the two networks, the library's and the twin's (they must agree). */
  params: {
    trainer: { generator: number; discriminator: number };
    pytorch?: { generator: number; discriminator: number };
  };
  /** The fixes switched off for the `without` column, if any. */
  without?: FixName[];
  msPerStep: { trainer: number; pytorch?: number; without?: number };
  /**
   * CPU ms per step of each side's process (medians): on a machine whose cores other jobs share,
   * scheduling inflates wall time far more than CPU time, so this ratio varies much less.
   */
  cpuMsPerStep: { trainer: number; pytorch?: number; without?: number };
  samples: { trainer: number[]; pytorch?: number[]; without?: number[] };
  /** Median of the two medians, and median over rounds of each round's pair. */
  ratios: {
    trainerOverPytorch?: number;
    trainerOverPytorchByRound?: number;
    withoutOverPytorch?: number;
    withoutOverTrainer?: number;
    /** The same ratios in CPU time. */
    cpuTrainerOverPytorch?: number;
    cpuWithoutOverPytorch?: number;
    cpuWithoutOverTrainer?: number;
  };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

/** Times the row; `torch: false` leaves PyTorch out. */
export async function measureDcganRow(
  backend: 'wasm' | 'cpu',
  batch: number,
  rounds: number,
  steps: number,
  torch: boolean,
  without: FixName[] = [],
): Promise<DcganRow> {
  await useBackend(backend);
  const t = torch ? await startTorch(1, 'dcgan') : { missing: 'not requested (--no-torch)' };
  const py = 'missing' in t ? undefined : t;
  const runner = dcganRunner(batch, { filters: FILTERS });
  const trainer: number[] = [];
  const pytorch: number[] = [];
  const withoutMs: number[] = [];
  const cpu = { trainer: [] as number[], pytorch: [] as number[], without: [] as number[] };
  const fixesOff = Object.fromEntries(without.map((n) => [n, false])) as Record<FixName, boolean>;
  const timeTrainer = async (cpuMs: number[]) => {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await runner.run(steps);
    const c = process.cpuUsage(c0);
    cpuMs.push((c.user + c.system) / 1000 / steps);
    return (performance.now() - t0) / steps;
  };
  const timeTorch = async (p: NonNullable<typeof py>) => {
    const r = await p.run(batch, steps);
    if (r.cpuMs !== undefined) cpu.pytorch.push(r.cpuMs / steps);
    return r.ms / steps;
  };
  await runner.run(2); // warm-up: optimizer slots, kernels, pixel tables
  if (without.length > 0) {
    applyFixes({ fixes: fixesOff });
    await runner.run(1);
    applyFixes();
  }
  if (py) await py.run(batch, 2);
  for (let r = 0; r < rounds; r++) {
    // Alternate which side goes first, so neither always follows the other.
    if (py && r % 2 === 1) pytorch.push(await timeTorch(py));
    trainer.push(await timeTrainer(cpu.trainer));
    if (without.length > 0) {
      applyFixes({ fixes: fixesOff });
      withoutMs.push(await timeTrainer(cpu.without));
      applyFixes();
    }
    if (py && r % 2 === 0) pytorch.push(await timeTorch(py));
    process.stderr.write('.');
  }
  const params = runner.params();
  runner.dispose();
  py?.close();
  const row: DcganRow = {
    backend,
    batch,
    stepsPerChunk: steps,
    rounds,
    pytorch: py ? `PyTorch ${py.version}` : (t as { missing: string }).missing,
    params: { trainer: params, ...(py?.params ? { pytorch: py.params } : {}) },
    msPerStep: { trainer: median(trainer) },
    cpuMsPerStep: { trainer: median(cpu.trainer) },
    samples: { trainer },
    ratios: {},
  };
  if (without.length > 0) {
    row.without = without;
    row.msPerStep.without = median(withoutMs);
    row.samples.without = withoutMs;
    row.ratios.withoutOverTrainer = median(withoutMs) / row.msPerStep.trainer;
    row.cpuMsPerStep.without = median(cpu.without);
    row.ratios.cpuWithoutOverTrainer = median(cpu.without) / median(cpu.trainer);
    if (py) row.ratios.withoutOverPytorch = median(withoutMs) / median(pytorch);
    if (cpu.pytorch.length > 0) row.ratios.cpuWithoutOverPytorch = median(cpu.without) / median(cpu.pytorch);
  }
  if (cpu.pytorch.length > 0) {
    row.cpuMsPerStep.pytorch = median(cpu.pytorch);
    row.ratios.cpuTrainerOverPytorch = median(cpu.trainer) / median(cpu.pytorch);
  }
  if (py) {
    row.msPerStep.pytorch = median(pytorch);
    row.samples.pytorch = pytorch;
    row.ratios.trainerOverPytorch = row.msPerStep.trainer / row.msPerStep.pytorch;
    row.ratios.trainerOverPytorchByRound = median(trainer.map((x, i) => x / (pytorch[i] as number)));
  }
  return row;
}
