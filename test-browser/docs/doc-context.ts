/**
 * The values a browser-only doc block takes from the text around it (`trainer`, `gan`, `images`,
 * the `File` objects a user picks ...), at small sizes: test-browser/docs/snippets.setup.ts declares
 * each one a block uses and does not declare itself. Runs in the page and in workers (no vitest here).
 */
import * as tf from '@tensorflow/tfjs-core';
// Registered on import, so that a worker's values can be made before the block picks its backend.
import '@tensorflow/tfjs-backend-cpu';
import { GAN, presets, Trainer } from 'ts-gan';
import { useBackend } from 'ts-gan/backends';

/** Where the setup writes the generated blocks and what they read, under the project root. */
export const OUT = 'test-output/doc-snippets-browser';
/** The served URL of that folder. */
const BASE = `/${OUT}`;
/** Digits in the served IDX file. */
export const DIGITS = 64;

/** The files of a trainer checkpoint folder (written on Node by the setup), by the names the docs use. */
export const CHECKPOINT_FILES: Record<string, string> = {
  generatorJson: 'generator/model.json',
  generatorBin: 'generator/weights.bin',
  discriminatorJson: 'discriminator/model.json',
  discriminatorBin: 'discriminator/weights.bin',
  checkpointJson: 'checkpoint.json',
  optimizersBin: 'optimizers.bin',
};

/** The backend a block that continues the text around it finds set up. */
export async function backend(): Promise<void> {
  await useBackend('cpu');
}

/** A small MLP GAN for MNIST-shaped data. */
export function smallGan(): GAN {
  return new GAN({
    ...presets.mlp({ generatorUnits: [16], discriminatorUnits: [16] }),
    latentDim: 100,
    dataShape: [28, 28, 1],
    seed: 1,
  });
}

export function trainer(gan: GAN): Trainer {
  return new Trainer(gan, { batchSize: 8 });
}

/** 16 images in [-1, 1]. */
export function images(): tf.Tensor4D {
  return tf.randomUniform([16, 28, 28, 1], -1, 1, 'float32', 7) as tf.Tensor4D;
}

/** A file of the Node checkpoint, as the `File` a user picks in the page. */
export async function file(name: string): Promise<File> {
  const path = CHECKPOINT_FILES[name];
  if (path === undefined) throw new Error(`no checkpoint file named ${name}`);
  const response = await fetch(`${BASE}/checkpoint/${path}`);
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
  return new File([await response.blob()], path.split('/').pop() ?? path);
}

/** The absolute URL of the GAN folder saved on Node, served as static files. */
export function servedGan(): string {
  return new URL(`${BASE}/gan`, location.href).href;
}

/** The served, gzipped IDX file of the first training digits. */
export const digitsUrl = `${BASE}/mnist/train-images-idx3-ubyte.gz`;

const drawn: object[] = [];
let seen: (logs: object) => void = () => {};
const firstDrawn = new Promise<object>((resolve) => {
  seen = resolve;
});

/** The page's chart: records what it is given. */
export function drawLosses(logs: object): void {
  drawn.push(logs);
  seen(logs);
}

/** The first logs the chart was given, or the error of `worker` that stops them from coming. */
export function progressDrawn(worker: Worker): Promise<object> {
  const failed = new Promise<never>((_, reject) => {
    worker.addEventListener('error', (e) => reject(new Error(`the worker failed: ${e.message}`)));
    worker.addEventListener('messageerror', () => reject(new Error('a message from the worker could not be read')));
  });
  return Promise.race([firstDrawn, failed]);
}

/** Saves a trainer one step into training at `url`, as an earlier visit to the page would have. */
export async function savedTrainer(url: string): Promise<void> {
  const gan = smallGan();
  const t = trainer(gan);
  const data = images();
  await t.fit(data, { steps: 1 });
  await t.save(url);
  data.dispose();
  t.dispose();
  gan.dispose();
}
