// A consumer in strict TypeScript: the published declarations must type this program fully.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { type Callback, GAN, type GANConfig, type GanLoss, getLoss, type StepLogs, Trainer } from 'ts-gan';

const config: GANConfig = {
  latentDim: 2,
  dataShape: [3],
  buildGenerator: ({ latentDim }) =>
    tfl.sequential({ layers: [tfl.layers.dense({ units: 3, inputShape: [latentDim] })] }),
  buildDiscriminator: ({ dataShape }) =>
    tfl.sequential({ layers: [tfl.layers.dense({ units: 1, inputShape: [...dataShape] })] }),
  loss: 'hinge',
};
const losses: StepLogs[] = [];
const logger: Callback = { onStepEnd: (_step: number, logs: StepLogs) => void losses.push(logs) };
const custom: GanLoss = getLoss('least-squares');

export async function main(): Promise<number> {
  await tf.setBackend('cpu');
  const gan = new GAN({ ...config, loss: custom });
  const trainer = new Trainer(gan, { batchSize: 2, callbacks: [logger] });
  const data: tf.Tensor2D = tf.ones([4, 3]);
  await trainer.fit(data, { steps: 2 });
  const sample: tf.Tensor = gan.sample(1);
  const dLoss: number = losses[0]?.dLoss ?? Number.NaN;
  // @ts-expect-error: steps is required.
  void (() => trainer.fit(data, {}));
  sample.dispose();
  data.dispose();
  trainer.dispose();
  gan.dispose();
  return dLoss;
}
