/**
 * A training step the library does not ship, written from the outside with the typed custom-step
 * API: the relativistic standard GAN (Jolicoeur-Martineau 2018, "The relativistic discriminator:
 * a key element missing from standard GAN"). The discriminator estimates how much more realistic
 * a real sample is than a generated one:
 *
 *   D loss = mean(softplus(-(D(x) - D(G(z)))))      G loss = mean(softplus(-(D(G(z)) - D(x))))
 *
 * It trains a tiny GAN on eight Gaussians on a ring and prints how far the samples are from the
 * nearest mode, and how many modes they cover, before and after.
 *
 * Run: npx tsx examples/custom-step/relativistic.ts [steps]
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { GAN, SeededRandom, Trainer } from 'ts-gan';
import { relativisticStep } from './relativistic-step';

const MODES = 8;
const RADIUS = 0.8;
const MODE_STD = 0.05;

function ring(n: number, rng: SeededRandom): tf.Tensor2D {
  const values = new Float32Array(n * 2);
  const noise = rng.normal(n * 2);
  const k = rng.integers(n, MODES);
  for (let i = 0; i < n; i++) {
    const angle = (2 * Math.PI * (k[i] as number)) / MODES;
    values[2 * i] = RADIUS * Math.cos(angle) + MODE_STD * (noise[2 * i] as number);
    values[2 * i + 1] = RADIUS * Math.sin(angle) + MODE_STD * (noise[2 * i + 1] as number);
  }
  return tf.tensor2d(values, [n, 2]);
}

/** Mean distance to the nearest mode, and how many modes hold at least 2% of the samples. */
function score(samples: Float32Array): { distance: number; modes: number } {
  const counts = new Array<number>(MODES).fill(0);
  let total = 0;
  const n = samples.length / 2;
  for (let i = 0; i < n; i++) {
    let best = Number.POSITIVE_INFINITY;
    let arg = 0;
    for (let m = 0; m < MODES; m++) {
      const angle = (2 * Math.PI * m) / MODES;
      const d = Math.hypot(
        (samples[2 * i] as number) - RADIUS * Math.cos(angle),
        (samples[2 * i + 1] as number) - RADIUS * Math.sin(angle),
      );
      if (d < best) [best, arg] = [d, m];
    }
    total += best;
    if (best < 4 * MODE_STD) counts[arg] = (counts[arg] as number) + 1;
  }
  return { distance: total / n, modes: counts.filter((c) => c >= 0.02 * n).length };
}

async function main(): Promise<void> {
  await tf.setBackend('cpu');
  const steps = Number(process.argv[2] ?? 2000);
  const mlp = (input: number, output: number, activation?: 'tanh') =>
    tfl.sequential({
      layers: [
        tfl.layers.dense({ inputShape: [input], units: 64, activation: 'relu' }),
        tfl.layers.dense({ units: 64, activation: 'relu' }),
        tfl.layers.dense({ units: output, activation }),
      ],
    });
  const gan = new GAN({
    latentDim: 4,
    dataShape: [2],
    buildGenerator: ({ latentDim }) => mlp(latentDim, 2, 'tanh'),
    buildDiscriminator: () => mlp(2, 1),
    seed: 7,
  });
  const data = ring(4096, new SeededRandom(1));
  const trainer = new Trainer(gan, {
    batchSize: 64,
    step: relativisticStep,
    generatorLearningRate: 1e-3,
    discriminatorLearningRate: 1e-3,
    logEvery: 500,
    callbacks: [
      {
        onStepEnd: (step, logs) =>
          console.log(`step ${step}: dLoss ${logs.dLoss.toFixed(3)}, gLoss ${logs.gLoss.toFixed(3)}`),
      },
    ],
  });
  const report = (label: string) => {
    const s = gan.sample(1000, { seed: 3 });
    const { distance, modes } = score(s.dataSync() as Float32Array);
    s.dispose();
    console.log(`${label}: mean distance to the nearest mode ${distance.toFixed(3)}, modes covered ${modes}/${MODES}`);
  };
  report('before');
  await trainer.fit(data, { steps });
  report(`after ${steps} steps`);
  data.dispose();
  trainer.dispose();
  gan.dispose();
}

void main();
