/**
 * Child process for the crash test: trains a small GAN and saves a trainer checkpoint to
 * `argv[2]` after every step, printing `SAVED <step>` after each save. When a checkpoint is
 * already there it resumes from it (as `ts-gan mnist --resume` does).
 *
 * To make the test's SIGKILL land at an exact moment, the file system calls of the save can be
 * frozen: with `PAUSE_AT_WRITE=n` the n-th file write of this process writes half its bytes and
 * then hangs; with `PAUSE_AFTER_RENAME=n` the process hangs right after its n-th rename. It then
 * prints `PAUSED` and waits to be killed. Run from the repository root with
 * `node --import tsx test/support/io-save-loop.ts <dir>`.
 */
import { existsSync, promises as fsp } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { GAN, Trainer } from 'ts-gan';
import 'ts-gan/node';
import { tinyData } from '../../test-shared/fixtures';

const pauseAtWrite = Number(process.env.PAUSE_AT_WRITE ?? 0);
const pauseAfterRename = Number(process.env.PAUSE_AFTER_RENAME ?? 0);

function hang(): Promise<never> {
  process.stdout.write('PAUSED\n');
  return new Promise<never>(() => setInterval(() => undefined, 1000));
}

/** Freezes the save at the requested file system call (the file store looks these up per call). */
function freezeFileSystem(): void {
  let writes = 0;
  let renames = 0;
  const open = fsp.open.bind(fsp);
  fsp.open = (async (...args: Parameters<typeof fsp.open>) => {
    const handle = await open(...args);
    const writeFile = handle.writeFile.bind(handle);
    handle.writeFile = (async (data: Uint8Array | string) => {
      if (++writes !== pauseAtWrite) return writeFile(data);
      const bytes = typeof data === 'string' ? Buffer.from(data) : data;
      await handle.write(bytes.subarray(0, Math.floor(bytes.length / 2)));
      return hang();
    }) as typeof handle.writeFile;
    return handle;
  }) as typeof fsp.open;
  const rename = fsp.rename.bind(fsp);
  fsp.rename = (async (from: string, to: string) => {
    await rename(from, to);
    if (++renames === pauseAfterRename) await hang();
  }) as typeof fsp.rename;
}

function build(): GAN {
  return new GAN({
    latentDim: 4,
    dataShape: [2, 2, 1],
    buildGenerator: ({ latentDim }) =>
      tfl.sequential({
        layers: [
          tfl.layers.dense({ units: 32, inputShape: [latentDim], activation: 'relu' }),
          tfl.layers.dense({ units: 4, activation: 'tanh' }),
          tfl.layers.reshape({ targetShape: [2, 2, 1] }),
        ],
      }),
    buildDiscriminator: () =>
      tfl.sequential({
        layers: [
          tfl.layers.flatten({ inputShape: [2, 2, 1] }),
          tfl.layers.dense({ units: 32, activation: 'relu' }),
          tfl.layers.dense({ units: 1 }),
        ],
      }),
    seed: 3,
  });
}

async function main(): Promise<void> {
  await tf.setBackend('cpu');
  const dir = process.argv[2] as string;
  const trainer = existsSync(dir) ? await Trainer.load(dir) : new Trainer(build(), { batchSize: 4 });
  process.stdout.write(`START ${trainer.step}\n`);
  freezeFileSystem();
  const data = tinyData();
  for (;;) {
    await trainer.fit(data, { steps: 1 });
    await trainer.save(dir);
    process.stdout.write(`SAVED ${trainer.step}\n`);
  }
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
