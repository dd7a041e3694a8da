import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { Matrix, SingularValueDecomposition } from 'ml-matrix';
import { ConfigError } from 'ts-gan';
import { describe, expect, test } from 'vitest';
import { SpectralNormalization, spectralNormalization } from '../../src/layers/spectral-norm';

function largestSingularValue(values: Float32Array | number[], rows: number, cols: number): number {
  const m = new Matrix(rows, cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) m.set(i, j, values[i * cols + j] as number);
  return new SingularValueDecomposition(m).diagonal[0] as number;
}

describe('spectral normalization', () => {
  test('a Dense layer computes with W / sigma(W): the effective kernel has spectral norm 1', () => {
    const sn = spectralNormalization({ layer: tfl.layers.dense({ units: 3, useBias: false }), powerIterations: 1 });
    const model = tfl.sequential({ layers: [tfl.layers.inputLayer({ inputShape: [4] }), sn] });
    // A fixed kernel, so that the test does not depend on the initializer's draw.
    sn.layer.setWeights([
      tf.tensor2d([
        [3, 0, 0.5],
        [0, 1, 0],
        [0.2, 0, 0.5],
        [1, 1, 1],
      ]),
    ]);
    const kernel = sn.layer.getWeights()[0] as tf.Tensor;
    const sigma = largestSingularValue(kernel.dataSync() as Float32Array, 4, 3);
    expect(sigma).toBeGreaterThan(1.2); // an initialized kernel is not normalized already
    // Twenty training calls let the persistent power iteration converge.
    for (let i = 0; i < 20; i++) tf.dispose(model.apply(tf.ones([1, 4]), { training: true }) as tf.Tensor);
    // With identity inputs the outputs are the rows of the effective kernel.
    const effective = tf.tidy(() => model.apply(tf.eye(4), { training: false }) as tf.Tensor);
    expect(Math.abs(largestSingularValue(effective.dataSync() as Float32Array, 4, 3) - 1)).toBeLessThan(1e-3);
    effective.dispose();
    // The stored kernel is untouched: normalization happens in the forward pass.
    expect(Array.from(sn.layer.getWeights()[0]!.dataSync())).toEqual(Array.from(kernel.dataSync()));
    model.dispose();
  });

  test('u advances only in training mode, and the wrapped kernel is what trains', () => {
    const sn = spectralNormalization({ layer: tfl.layers.dense({ units: 2 }), inputShape: [3] });
    const model = tfl.sequential({ layers: [sn] });
    expect(sn.trainableWeights.map((w) => w.name.split('/').pop())).toEqual(['kernel', 'bias']);
    const u0 = sn.nonTrainableWeights.at(-1)!.read().dataSync().slice();
    tf.dispose(model.apply(tf.ones([2, 3]), { training: false }) as tf.Tensor);
    expect(sn.nonTrainableWeights.at(-1)!.read().dataSync()).toEqual(u0);
    const vars = sn.trainableWeights.map((w) => w.read() as tf.Variable);
    const { grads, value } = tf.variableGrads(
      () => tf.sum(model.apply(tf.ones([2, 3]), { training: true }) as tf.Tensor) as tf.Scalar,
      vars,
    );
    expect(Object.keys(grads)).toHaveLength(2);
    expect(Array.from(grads[vars[0]!.name]!.dataSync()).some((g) => g !== 0)).toBe(true);
    expect(sn.nonTrainableWeights.at(-1)!.read().dataSync()).not.toEqual(u0);
    tf.dispose([value, ...Object.values(grads)]);
    model.dispose();
  });

  test('wraps a conv layer, and a model that uses it saves and loads with the same outputs', async () => {
    const model = tfl.sequential({
      layers: [
        spectralNormalization({
          layer: tfl.layers.conv2d({ filters: 2, kernelSize: 3, strides: 2, padding: 'same' }),
          inputShape: [4, 4, 1],
        }),
        tfl.layers.flatten(),
        spectralNormalization({ layer: tfl.layers.dense({ units: 1 }), powerIterations: 2 }),
      ],
    });
    const x = tf.randomNormal([2, 4, 4, 1], 0, 1, 'float32', 1);
    tf.dispose(model.apply(x, { training: true }) as tf.Tensor);
    const before = model.predict(x) as tf.Tensor;
    let saved: tf.io.ModelArtifacts | undefined;
    await model.save(
      tf.io.withSaveHandler(async (artifacts) => {
        saved = artifacts;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
    expect(JSON.stringify(saved?.modelTopology)).toContain('TsGanSpectralNormalization');
    const loaded = await tfl.loadLayersModel(tf.io.fromMemory(saved!));
    const after = loaded.predict(x) as tf.Tensor;
    expect(Array.from(after.dataSync())).toEqual(Array.from(before.dataSync()));
    const wrapper = loaded.layers[2] as SpectralNormalization;
    expect(wrapper).toBeInstanceOf(SpectralNormalization);
    expect(wrapper.powerIterations).toBe(2);
    tf.dispose([x, before, after]);
    model.dispose();
    loaded.dispose();
  });

  test('refuses what it cannot normalize', () => {
    expect(() => spectralNormalization({ layer: 3 as never })).toThrow(ConfigError);
    expect(() => spectralNormalization({ layer: tfl.layers.dense({ units: 1 }), powerIterations: 0 })).toThrow(
      /powerIterations must be a positive integer/,
    );
    expect(() =>
      tfl.sequential({ layers: [spectralNormalization({ layer: tfl.layers.flatten(), inputShape: [2, 2] })] }),
    ).toThrow(/has no kernel to normalize/);
  });
});
