// A consumer in CommonJS: the same program through require().
const tf = require('@tensorflow/tfjs-core');
require('@tensorflow/tfjs-backend-cpu');
const tfl = require('@tensorflow/tfjs-layers');
const { GAN, Trainer, ConfigError } = require('ts-gan');

(async () => {
  await tf.setBackend('cpu');
  const start = tf.memory().numTensors;
  const gan = new GAN({
    latentDim: 3,
    dataShape: [4],
    buildGenerator: ({ latentDim }) =>
      tfl.sequential({ layers: [tfl.layers.dense({ units: 4, inputShape: [latentDim], activation: 'tanh' })] }),
    buildDiscriminator: ({ dataShape }) =>
      tfl.sequential({ layers: [tfl.layers.dense({ units: 1, inputShape: dataShape })] }),
  });
  let refused = false;
  try {
    new Trainer(gan, { batchSize: 0 });
  } catch (err) {
    refused = err instanceof ConfigError;
  }
  if (!refused) throw new Error('batchSize 0 was not refused with a ConfigError');
  const trainer = new Trainer(gan, { batchSize: 4 });
  const data = tf.randomUniform([8, 4], -1, 1, 'float32', 2);
  await trainer.fit(data, { steps: 2 });
  gan.sample(2).dispose();
  data.dispose();
  trainer.dispose();
  gan.dispose();
  if (tf.memory().numTensors !== start) throw new Error('leaked tensors');
  console.log('cjs consumer ok');
})().catch((err) => {
  console.error(err);
  process.exit(1);
});
