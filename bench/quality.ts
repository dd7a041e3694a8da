/**
 * Time to quality: how long the README's main command (`npm run example:mnist`) takes to write a GAN
 * whose 10,000 samples reach the seed MLP's 30,000-step level on the shipped judge (classifier score
 * >= 7.8 and Fréchet distance <= 13), divided by the time PyTorch needs for the seed's 30,000 steps on
 * the same machine, measured in the same run (the better of 1 and 2 threads).
 *
 *   npm run bench:quality                             # PyTorch's seed step, then the example, then the scores
 *   npm run bench:quality -- --twin                   # also the PyTorch twin of the fast recipe, timed the same way
 *   npm run bench:quality -- --compare-mlp 10000      # also the seed MLP through the example, for its curve
 *   npm run bench:quality -- --no-torch --steps 2000  # without PyTorch (no ratio), a shorter run
 *   npm run bench:quality -- --record                 # also copy the JSON to docs/benchmarks/ and draw the plot
 *
 * Writes bench/results/quality-latest.json (and with --record docs/benchmarks/quality-DATE.json,
 * docs/images/time-to-quality.svg, and the example's last grid as docs/images/mnist-example.png, the
 * README's picture).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { useBackend } from '../src/backends/index.js';
import { idxImagesToTensor } from '../src/data/idx.js';
import { GAN } from '../src/index.js';
import { evaluateMnist, generatorSource, tensorSource } from '../src/metrics/index.js';
import { readIdxFile } from '../src/node/index.js';
import { type CurvePoint, firstAtLevel, QUALITY_LEVEL, qualitySvg } from './quality-plot.js';
import { startTorch } from './torch-process.js';

const { values } = parseArgs({
  options: {
    recipe: { type: 'string', default: 'fast' },
    steps: { type: 'string' },
    'save-every': { type: 'string', default: '500' },
    'torch-rounds': { type: 'string', default: '5' },
    'no-torch': { type: 'boolean', default: false },
    twin: { type: 'boolean', default: false },
    'compare-mlp': { type: 'string' },
    record: { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
  },
});
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
const SEED_STEPS = 30_000;
const SAMPLES = 10_000;

/** Median of a list of numbers. */
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2
    ? (s[(s.length - 1) / 2] as number)
    : ((s[s.length / 2 - 1] as number) + (s[s.length / 2] as number)) / 2;
};

/** PyTorch's seed step (batch 32) on 1 and 2 threads, alternating rounds; medians in ms. */
async function torchSeedStep(
  rounds: number,
): Promise<{ version: string; msByThreads: Record<number, number> } | string> {
  const procs = [await startTorch(1), await startTorch(2)];
  const ready = procs.filter((p) => !('missing' in p));
  if (ready.length < procs.length) {
    for (const p of ready) if (!('missing' in p)) p.close();
    return (procs.find((p) => 'missing' in p) as { missing: string }).missing;
  }
  const [one, two] = procs as [
    Exclude<(typeof procs)[0], { missing: string }>,
    Exclude<(typeof procs)[0], { missing: string }>,
  ];
  const samples: Record<number, number[]> = { 1: [], 2: [] };
  await one.run(32, 50);
  await two.run(32, 50);
  for (let r = 0; r < rounds; r++) {
    samples[1]?.push((await one.run(32, 200)).ms / 200);
    samples[2]?.push((await two.run(32, 200)).ms / 200);
  }
  one.close();
  two.close();
  return { version: one.version, msByThreads: { 1: median(samples[1] ?? []), 2: median(samples[2] ?? []) } };
}

/** Runs a command from the repository's root; resolves with its stdout lines. */
function run(command: string, args: string[], onLine?: (line: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    createInterface({ input: child.stdout }).on('line', (line) => {
      process.stdout.write(`  ${line}\n`);
      onLine?.(line);
    });
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`${command} ${args.join(' ')} exited ${code}`)),
    );
  });
}

/** Scores 10,000 samples of a saved GAN, or of an IDX file of samples, with the shipped judge. */
async function score(from: string): Promise<{ classifierScore: number; frechetDistance: number }> {
  if (from.endsWith('.idx')) {
    const images = idxImagesToTensor(await readIdxFile(from));
    try {
      const m = await evaluateMnist(tensorSource(images));
      return { classifierScore: m.classifierScore, frechetDistance: m.frechetDistance };
    } finally {
      images.dispose();
    }
  }
  const gan = await GAN.load(from);
  try {
    const m = await evaluateMnist(generatorSource(gan, SAMPLES, { seed: 0 }));
    return { classifierScore: m.classifierScore, frechetDistance: m.frechetDistance };
  } finally {
    gan.dispose();
  }
}

/** The README's main command with snapshots; returns the curve, seconds measured from its start. */
async function exampleCurve(recipe: string, steps: string | undefined, dir: string): Promise<CurvePoint[]> {
  const args = ['run', '-s', 'example:mnist', '--', '--recipe', recipe, '--out', dir, '--snapshots'];
  // About ten snapshots for a long run, so that scoring them stays short.
  const every = Math.max(Number(values['save-every']), Math.round(Number(steps ?? 0) / 10 / 500) * 500);
  args.push('--save-every', String(every));
  if (steps !== undefined) args.push('--steps', steps);
  const started = Date.now();
  await run('npm', args);
  const saves = (await readFile(join(dir, 'metrics.jsonl'), 'utf8'))
    .split('\n')
    .filter((l) => l.includes('"saved"'))
    .map((l) => JSON.parse(l) as { step: number; time: number });
  const curve: CurvePoint[] = [];
  for (const s of saves) {
    const m = await score(join(dir, 'snapshots', `step-${String(s.step).padStart(6, '0')}`));
    curve.push({ step: s.step, seconds: (s.time - started) / 1000, ...m });
    console.log(
      `  ${recipe} step ${s.step}: ${curve.at(-1)?.seconds.toFixed(0)} s, score ${m.classifierScore.toFixed(3)}, Fréchet ${m.frechetDistance.toFixed(2)}`,
    );
  }
  return curve;
}

/** The PyTorch twin of the fast recipe, timed by its own training clock (dumps excluded). */
async function twinCurve(steps: string, dir: string): Promise<CurvePoint[]> {
  const marks: { step: number; seconds: number; file?: string }[] = [];
  const script = join(ROOT, 'examples', 'mnist', 'pytorch_reference.py');
  const args = [script, '--arch', 'fast', '--steps', steps, '--dump-every', values['save-every'] as string];
  args.push('--sample-every', '1000', '--out', dir);
  await run(PYTHON, args, (line) => {
    if (line.startsWith('{')) marks.push(JSON.parse(line));
  });
  const curve: CurvePoint[] = [];
  for (const m of marks) {
    const file = join(dir, m.file ?? `samples-${String(m.step).padStart(6, '0')}.idx`);
    const s = await score(file);
    curve.push({ step: m.step, seconds: m.seconds, ...s });
    console.log(
      `  twin step ${m.step}: ${m.seconds.toFixed(0)} s, score ${s.classifierScore.toFixed(3)}, Fréchet ${s.frechetDistance.toFixed(2)}`,
    );
  }
  return curve;
}

const date = new Date().toISOString().slice(0, 10);
const machine = {
  cpu: cpus()[0]?.model ?? 'unknown',
  cores: cpus().length,
  node: process.version,
  loadavgAtStart: loadavg(),
};
console.log(`machine: ${machine.cpu}, ${machine.cores} cores, Node ${machine.node}`);

let torch: Awaited<ReturnType<typeof torchSeedStep>> | undefined;
if (!values['no-torch']) {
  console.log(
    `PyTorch's seed step (batch 32), 1 and 2 threads, ${values['torch-rounds']} alternating rounds of 200 steps...`,
  );
  torch = await torchSeedStep(Number(values['torch-rounds']));
  if (typeof torch === 'string') console.log(`  no PyTorch: ${torch}`);
  else
    console.log(
      `  ${torch.version}: ${torch.msByThreads[1]?.toFixed(2)} ms (1 thread), ${torch.msByThreads[2]?.toFixed(2)} ms (2 threads)`,
    );
}
const seedMs = torch && typeof torch !== 'string' ? Math.min(...Object.values(torch.msByThreads)) : undefined;
const budgetSeconds = seedMs === undefined ? undefined : (seedMs * SEED_STEPS) / 1000;

await useBackend('wasm'); // the judge's backend for scoring (the example picks its own)
const work = await mkdtemp(join(tmpdir(), 'ts-gan-quality-'));
console.log(`npm run example:mnist -- --recipe ${values.recipe} (runs in ${work})...`);
const curve = await exampleCurve(values.recipe as string, values.steps, join(work, 'example'));
const reached = firstAtLevel(curve);
const twin = values.twin ? await twinCurve(values.steps ?? '3000', join(work, 'twin')) : undefined;
const twinReached = twin ? firstAtLevel(twin) : undefined;
const mlp = values['compare-mlp'] ? await exampleCurve('mlp', values['compare-mlp'], join(work, 'mlp')) : undefined;

const ratio = reached && budgetSeconds ? reached.seconds / budgetSeconds : undefined;
const result = {
  date,
  machine,
  level: QUALITY_LEVEL,
  command: `npm run example:mnist -- --recipe ${values.recipe}`,
  pytorchSeed: torch && typeof torch !== 'string' ? { ...torch, bestMs: seedMs, seconds30k: budgetSeconds } : undefined,
  curve,
  reached,
  timeToQualityRatio: ratio,
  twin: twin ? { curve: twin, reached: twinReached } : undefined,
  mlp,
  loadavgAtEnd: loadavg(),
};
console.log('');
console.log(
  `level: classifier score >= ${QUALITY_LEVEL.classifierScore}, Fréchet distance <= ${QUALITY_LEVEL.frechetDistance} (10,000 samples)`,
);
if (budgetSeconds)
  console.log(`PyTorch, the seed's 30,000 steps: ${budgetSeconds.toFixed(0)} s (${seedMs?.toFixed(2)} ms/step)`);
console.log(
  reached
    ? `the example reaches it at ${reached.seconds.toFixed(0)} s (step ${reached.step})`
    : 'the example does not reach it',
);
if (twinReached)
  console.log(`the PyTorch twin reaches it at ${twinReached.seconds.toFixed(0)} s (step ${twinReached.step})`);
console.log(ratio === undefined ? 'time-to-quality ratio: not measured' : `time-to-quality ratio: ${ratio.toFixed(2)}`);

await mkdir(join(ROOT, 'bench', 'results'), { recursive: true });
const json = `${JSON.stringify(result, null, 2)}\n`;
await writeFile(join(ROOT, 'bench', 'results', 'quality-latest.json'), json);
if (values.record) {
  await writeFile(join(ROOT, 'docs', 'benchmarks', `quality-${date}.json`), json);
  await writeFile(join(ROOT, 'docs', 'images', 'time-to-quality.svg'), qualitySvg(result));
  // The README's main picture: the last grid the README's main command drew in this run.
  await copyFile(join(work, 'example', 'samples', 'latest.png'), join(ROOT, 'docs', 'images', 'mnist-example.png'));
}
if (!values.keep) await rm(work, { recursive: true, force: true });
