/** A small unconditional 28x28 GAN (one Dense layer each way) saved as `ts-gan` commands read it. */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tfl from '@tensorflow/tfjs-layers';
import { GAN } from 'ts-gan';
import { saveGan } from '../../src/cli/persist';

/**
 * Saves the GAN into `<fresh folder>/gan`.
 * @returns the fresh folder (a run folder, as `--from` takes it).
 */
export async function savedDigitGan(prefix: string, latentDim: number, seed: number): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `ts-gan-${prefix}-`));
  const gan = new GAN({
    latentDim,
    dataShape: [28, 28, 1],
    buildGenerator: () =>
      tfl.sequential({
        layers: [
          tfl.layers.dense({ units: 784, activation: 'tanh', inputShape: [latentDim] }),
          tfl.layers.reshape({ targetShape: [28, 28, 1] }),
        ],
      }),
    buildDiscriminator: () =>
      tfl.sequential({ layers: [tfl.layers.flatten({ inputShape: [28, 28, 1] }), tfl.layers.dense({ units: 1 })] }),
    seed,
  });
  await saveGan(gan, join(dir, 'gan'));
  gan.dispose();
  return dir;
}
