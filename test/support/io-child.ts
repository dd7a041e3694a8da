/**
 * Child process of the checkpoint tests: runs jobs in a fresh Node process (fresh tfjs, fresh
 * layer-name counters) and prints one result line. Run with
 * `node --import tsx test/support/io-child.ts '<json>'` from the repository root, where the JSON
 * is `{ backend: 'cpu' | 'wasm', jobs: Job[] }`.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { Trainer } from 'ts-gan';
import 'ts-gan/node';
import { buildScenario, fingerprint, type Scenario, scenarioData, type TrainerFingerprint } from './io-scenarios';

/** resume: load `dir`, train `steps` on the scenario's data. train: build `scenario`, train `steps`, save to `dir` if given. */
type Job =
  | { mode: 'resume'; scenario: Scenario; dir: string; steps: number }
  | { mode: 'train'; scenario: Scenario; steps: number; dir?: string };

export const RESULT_PREFIX = 'IO_CHILD_RESULT ';

async function main(): Promise<void> {
  const { backend, jobs } = JSON.parse(process.argv[2] as string) as { backend: string; jobs: Job[] };
  if (backend === 'wasm') await import('@tensorflow/tfjs-backend-wasm');
  if (!(await tf.setBackend(backend)) || tf.getBackend() !== backend) throw new Error(`backend ${backend} unavailable`);
  await tf.ready();
  const results: TrainerFingerprint[] = [];
  for (const job of jobs) {
    const trainer = job.mode === 'resume' ? await Trainer.load(job.dir) : buildScenario(job.scenario);
    const { data, dispose } = scenarioData(job.scenario);
    await trainer.fit(data, { steps: job.steps });
    dispose();
    if (job.mode === 'train' && job.dir) await trainer.save(job.dir);
    results.push(fingerprint(trainer));
    trainer.dispose();
    trainer.gan.dispose();
  }
  process.stdout.write(`${RESULT_PREFIX}${JSON.stringify({ backend: tf.getBackend(), results })}\n`);
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
