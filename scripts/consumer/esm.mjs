// A consumer in plain ESM: its own factories, fit, sample, dispose, nothing left behind.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { GAN, Trainer } from 'ts-gan';

await tf.setBackend('cpu');
const start = tf.memory().numTensors;
const gan = new GAN({
  latentDim: 3,
  dataShape: [2, 2, 1],
  buildGenerator: ({ latentDim, dataShape }) =>
    tfl.sequential({
      layers: [
        tfl.layers.dense({ units: 4, inputShape: [latentDim], activation: 'tanh' }),
        tfl.layers.reshape({ targetShape: dataShape }),
      ],
    }),
  buildDiscriminator: ({ dataShape }) =>
    tfl.sequential({ layers: [tfl.layers.flatten({ inputShape: dataShape }), tfl.layers.dense({ units: 1 })] }),
  seed: 1,
});
const trainer = new Trainer(gan, { batchSize: 4 });
const images = tf.randomUniform([16, 2, 2, 1], -1, 1, 'float32', 1);
const history = await trainer.fit(images, { steps: 3 });
const digits = gan.sample(5);
if (digits.shape.join() !== '5,2,2,1') throw new Error(`bad sample shape ${digits.shape}`);
if (history.steps.length !== 3) throw new Error('bad history');
digits.dispose();
images.dispose();
trainer.dispose();
gan.dispose();
if (tf.memory().numTensors !== start) throw new Error(`leaked ${tf.memory().numTensors - start} tensors`);
console.log('esm consumer ok');
