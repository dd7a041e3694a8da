/**
 * Child process for the two-writers test: builds a tiny trainer (seeded by `argv[2]`), prints
 * `READY`, then for every line `save <dir> <n>` on stdin saves `n` times in a row into `<dir>` and
 * prints `RESULT {"ok":..,"locked":..,"errors":[..]}`: saves that succeeded, saves refused by the
 * folder lock (code ERR_GAN_CHECKPOINT_LOCKED), and any other failure's message.
 *
 * Every file write first yields for a moment, so that a save lasts long enough for the two
 * writers' saves to overlap. Run from the repository root with
 * `node --import tsx test/support/io-two-writers.ts <seed>`.
 */
import { promises as fsp } from 'node:fs';
import * as readline from 'node:readline';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { GanError, Trainer } from 'ts-gan';
import 'ts-gan/node';
import { tinyData, tinyGan } from '../../test-shared/fixtures';

/** How long each file write waits before writing: long enough for two saves to overlap. */
const WRITE_DELAY_MS = 3;

function slowWrites(): void {
  const open = fsp.open.bind(fsp);
  fsp.open = (async (...args: Parameters<typeof fsp.open>) => {
    const handle = await open(...args);
    const writeFile = handle.writeFile.bind(handle);
    handle.writeFile = (async (data: Uint8Array | string) => {
      await new Promise((resolve) => setTimeout(resolve, WRITE_DELAY_MS));
      return writeFile(data);
    }) as typeof handle.writeFile;
    return handle;
  }) as typeof fsp.open;
}

async function main(): Promise<void> {
  await tf.setBackend('cpu');
  const trainer = new Trainer(tinyGan({ seed: Number(process.argv[2] ?? 1) }), { batchSize: 4 });
  const data = tinyData();
  await trainer.fit(data, { steps: 1 });
  slowWrites();
  process.stdout.write('READY\n');
  for await (const line of readline.createInterface({ input: process.stdin })) {
    const [command, dir, n] = line.split(' ');
    if (command !== 'save' || !dir) continue;
    const result = { ok: 0, locked: 0, errors: [] as string[] };
    for (let i = 0; i < Number(n); i++) {
      try {
        await trainer.save(dir);
        result.ok++;
      } catch (err) {
        if (err instanceof GanError && err.code === 'ERR_GAN_CHECKPOINT_LOCKED') result.locked++;
        else result.errors.push(err instanceof Error ? err.message : String(err));
      }
    }
    process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
  }
  data.dispose();
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
