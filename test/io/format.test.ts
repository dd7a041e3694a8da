/**
 * The checkpoint format and where it can go: the tfjs Layers format for the networks (loadable by
 * tf.loadLayersModel), the same bytes through tfjs's in-memory handler, one IOHandler (bundle),
 * any tfjs URL scheme (key per part), and the manifest's fields.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import {
  CHECKPOINT_FORMAT_VERSION,
  CheckpointError,
  type CheckpointHandlers,
  checkpointPartURL,
  GAN,
  LIBRARY_VERSION,
  readCheckpointManifest,
  Trainer,
} from 'ts-gan';
import { fileCheckpointStore, fileHandler } from 'ts-gan/node';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { tinyData, tinyGan } from '../../test-shared/fixtures';
import { toyGan } from '../support/family';
import { fingerprint } from '../support/io-scenarios';

const root = mkdtempSync(path.join(tmpdir(), 'ts-gan-format-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A trainer after 3 steps, saved at `saved`. */
let saved: string;
beforeAll(async () => {
  saved = path.join(root, 'saved');
  const trainer = new Trainer(tinyGan(), { batchSize: 4, labelSmoothing: 0.1 });
  const data = tinyData();
  await trainer.fit(data, { steps: 3 });
  await trainer.save(`file://${saved}`);
  data.dispose();
  trainer.dispose();
  trainer.gan.dispose();
});

async function loadAndFingerprint(source: Parameters<typeof Trainer.load>[0]) {
  const t = await Trainer.load(source);
  try {
    return fingerprint(t);
  } finally {
    t.dispose();
    t.gan.dispose();
  }
}

/** Artifacts of one model.json-format file and its weights, read as plain bytes. */
function artifactsFromFiles(jsonPath: string): tf.io.ModelArtifacts {
  const json = JSON.parse(readFileSync(jsonPath, 'utf8'));
  const group = json.weightsManifest[0] ?? { paths: [], weights: [] };
  const bytes = group.paths.map((p: string) => readFileSync(path.join(path.dirname(jsonPath), p)));
  const weightData = Buffer.concat(bytes);
  return {
    modelTopology: json.modelTopology,
    format: json.format,
    weightSpecs: group.weights,
    weightData: weightData.buffer.slice(weightData.byteOffset, weightData.byteOffset + weightData.byteLength),
  };
}

describe('layout and manifest', () => {
  test('the folder holds the manifest, the optimizers and two tfjs Layers models', async () => {
    expect(readdirSync(saved).sort()).toEqual(['checkpoint.json', 'discriminator', 'generator', 'optimizers.bin']);
    expect(readdirSync(path.join(saved, 'generator')).sort()).toEqual(['model.json', 'weights.bin']);
    const manifest = await readCheckpointManifest(saved);
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
    expect(LIBRARY_VERSION).toBe(pkg.version);
    expect(manifest).toMatchObject({
      format: 'ts-gan-checkpoint',
      formatVersion: CHECKPOINT_FORMAT_VERSION,
      kind: 'trainer',
      library: { name: 'ts-gan', version: pkg.version },
      tfjs: { core: tf.version_core, layers: tfl.version_layers, backend: 'cpu' },
      gan: { latentDim: 4, dataShape: [2, 2, 1], loss: 'non-saturating', seed: 1 },
      trainer: {
        step: 3,
        options: { batchSize: 4, discriminatorSteps: 1, labelSmoothing: 0.1, warmupSteps: 0, logEvery: 1 },
        optimizers: { generator: { className: 'Adam', iterations: 3, slots: { m: 6, v: 6 } } },
      },
    });
  });

  test('checkpoints are deterministic: a save from onStepEnd at step 3 has the bytes of a save after fit(3)', async () => {
    const viaCallback = path.join(root, 'via-callback');
    const trainer = new Trainer(tinyGan(), {
      batchSize: 4,
      labelSmoothing: 0.1,
      callbacks: [
        {
          onStepEnd: async (step) => {
            if (step === 3) await trainer.save(viaCallback);
          },
        },
      ],
    });
    const data = tinyData();
    await trainer.fit(data, { steps: 5 });
    data.dispose();
    trainer.dispose();
    trainer.gan.dispose();
    for (const rel of [
      'checkpoint.json',
      'optimizers.bin',
      'generator/model.json',
      'generator/weights.bin',
      'discriminator/weights.bin',
    ]) {
      const a = readFileSync(path.join(saved, rel));
      const b = readFileSync(path.join(viaCallback, rel));
      // Topologies hold per-process layer names; everything else must match byte for byte.
      if (rel.endsWith('model.json')) continue;
      expect(b.equals(a), rel).toBe(true);
    }
  });
});

describe('portability', () => {
  test('the generator loads with tf.loadLayersModel, from the file and from its bytes in memory', async () => {
    const gan = await GAN.load(saved);
    const z = tf.randomNormal([3, 4], 0, 1, 'float32', 5);
    const expected = gan.generate(z);
    const fromFile = await tfl.loadLayersModel(`file://${path.join(saved, 'generator', 'model.json')}`);
    const fromMemory = await tfl.loadLayersModel(
      tf.io.fromMemory(artifactsFromFiles(path.join(saved, 'generator', 'model.json'))),
    );
    for (const model of [fromFile, fromMemory]) {
      const out = model.predict(z) as tf.Tensor;
      expect(Array.from(out.dataSync())).toEqual(Array.from(expected.dataSync()));
      out.dispose();
      model.dispose();
    }
    tf.dispose([z, expected]);
    gan.dispose();
  });

  test('a Node checkpoint loads through tf.io.fromMemory with the same bytes (as from browser storage)', async () => {
    const handlers: CheckpointHandlers = {
      generator: tf.io.fromMemory(artifactsFromFiles(path.join(saved, 'generator', 'model.json'))),
      discriminator: tf.io.fromMemory(artifactsFromFiles(path.join(saved, 'discriminator', 'model.json'))),
      checkpoint: tf.io.fromMemory(artifactsFromFiles(path.join(saved, 'checkpoint.json'))),
    };
    expect(await loadAndFingerprint(handlers)).toEqual(await loadAndFingerprint(saved));
  });

  test('one IOHandler holds a whole checkpoint (bundle)', async () => {
    const t = await Trainer.load(saved);
    let captured: tf.io.ModelArtifacts | undefined;
    await t.save(
      tf.io.withSaveHandler(async (artifacts) => {
        captured = artifacts;
        return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
      }),
    );
    const original = fingerprint(t);
    t.dispose();
    t.gan.dispose();
    expect(captured?.format).toBe('ts-gan-checkpoint-bundle');
    expect(await loadAndFingerprint(tf.io.fromMemory(captured as tf.io.ModelArtifacts))).toEqual(original);
  });

  test('a tfjs URL scheme stores one key per part, the manifest last (as indexeddb:// does)', async () => {
    const store = new Map<string, tf.io.ModelArtifacts>();
    const order: string[] = [];
    const router = (url: string | string[]) => {
      if (typeof url !== 'string' || !url.startsWith('mem://')) return null;
      return {
        save: async (a: tf.io.ModelArtifacts) => {
          store.set(url, a);
          order.push(url);
          return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(a) };
        },
        load: async () => {
          const a = store.get(url);
          if (!a) throw new Error(`no ${url}`);
          return a;
        },
      } as tf.io.IOHandler;
    };
    tf.io.registerSaveRouter(router as never);
    tf.io.registerLoadRouter(router as never);
    const t = await Trainer.load(saved);
    await t.save('mem://run');
    expect(order).toEqual(['mem://run/generator', 'mem://run/discriminator', 'mem://run/checkpoint']);
    const original = fingerprint(t);
    t.dispose();
    t.gan.dispose();
    expect(await loadAndFingerprint('mem://run')).toEqual(original);
    // A generator stored this way is a plain Layers model for tf.loadLayersModel.
    const g = await tfl.loadLayersModel('mem://run/generator');
    expect(g.outputs[0]?.shape).toEqual([null, 2, 2, 1]);
    g.dispose();
  });

  test('a checkpoint folder served as static files loads over http:// (as a browser page would)', async () => {
    const server = createServer((req, res) => {
      const file = path.join(root, decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
      try {
        const body = readFileSync(file);
        res.writeHead(200, {
          'content-type': file.endsWith('.json') ? 'application/json' : 'application/octet-stream',
        });
        res.end(body);
      } catch {
        res.writeHead(404).end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const url = `http://127.0.0.1:${port}/${path.basename(saved)}`;
      expect(await loadAndFingerprint(url)).toEqual(await loadAndFingerprint(saved));
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  test('part URLs: http(s) matches a folder served as static files; downloads:// uses file-name suffixes', () => {
    expect(checkpointPartURL('https://example.org/runs/a/', 'generator')).toBe(
      'https://example.org/runs/a/generator/model.json',
    );
    expect(checkpointPartURL('https://example.org/runs/a', 'checkpoint')).toBe(
      'https://example.org/runs/a/checkpoint.json',
    );
    expect(checkpointPartURL('indexeddb://a', 'discriminator')).toBe('indexeddb://a/discriminator');
    expect(checkpointPartURL('downloads://a', 'generator')).toBe('downloads://a-generator');
  });

  test('a URL nothing can handle is a CheckpointError', async () => {
    const gan = tinyGan();
    await expect(gan.save('nosuchscheme://x')).rejects.toThrow(CheckpointError);
    await expect(gan.save('nosuchscheme://x')).rejects.toThrow(
      /No tfjs IO handler can save "nosuchscheme:\/\/x\/generator"/,
    );
    gan.dispose();
  });
});

describe('GAN checkpoints and the file handler', () => {
  test('gan.save / GAN.load round trip: config, weights and samples; no leaks', async () => {
    const dir = path.join(root, 'gan');
    const gan = tinyGan({ loss: 'least-squares', seed: 9 });
    await gan.save(dir);
    await (await GAN.load(dir)).dispose(); // warm-up
    const before = tf.memory().numTensors;
    const loaded = await GAN.load(`file://${dir}`);
    expect(loaded.latentDim).toBe(4);
    expect(loaded.dataShape).toEqual([2, 2, 1]);
    expect(loaded.loss.name).toBe('least-squares');
    expect(loaded.seed).toBe(9);
    const a = gan.sample(4, { seed: 2 });
    const b = loaded.sample(4, { seed: 2 });
    expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
    tf.dispose([a, b]);
    loaded.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect((await readCheckpointManifest(dir)).kind).toBe('gan');
    // A trainer checkpoint is also a GAN checkpoint.
    const fromTrainer = await GAN.load(saved);
    expect(fromTrainer.latentDim).toBe(4);
    fromTrainer.dispose();
    gan.dispose();
  });

  test('fileHandler and the file:// router serve tfjs model.save and tf.loadLayersModel', async () => {
    const dir = path.join(root, 'plain-model');
    const model = tfl.sequential({ layers: [tfl.layers.dense({ units: 2, inputShape: [3] })] });
    await model.save(`file://${dir}`);
    await model.save(fileHandler(dir)); // replaces it atomically
    expect(readdirSync(dir).sort()).toEqual(['model.json', 'weights.bin']);
    const again = await tfl.loadLayersModel(dir); // a plain path: the folder's model.json
    expect(again.getWeights().map((w) => Array.from(w.dataSync()))).toEqual(
      model.getWeights().map((w) => Array.from(w.dataSync())),
    );
    model.dispose();
    again.dispose();
  });

  test('conditional GANs keep their conditioning (cGAN, InfoGAN)', async () => {
    for (const extra of [{ numClasses: 4 }, { infoCodes: { categorical: 3, continuous: 2, weight: 0.5 } }] as const) {
      const gan = toyGan(extra);
      const dir = path.join(root, `conditional-${Object.keys(extra)[0]}`);
      await gan.save(dir);
      const loaded = await GAN.load(dir);
      expect({ ...loaded.conditioning }).toEqual({ ...gan.conditioning });
      const a = gan.sample(3, { seed: 4 });
      const b = loaded.sample(3, { seed: 4 });
      expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
      tf.dispose([a, b]);
      loaded.dispose();
      gan.dispose();
    }
  });

  test('the moving average can be deployed: gan.save captures its weights synchronously inside withAveragedWeights', async () => {
    const trainer = new Trainer(tinyGan(), { batchSize: 4, ema: { decay: 0.5 } });
    const data = tinyData();
    await trainer.fit(data, { steps: 3 });
    const dir = path.join(root, 'ema-generator');
    const ema = trainer.ema as NonNullable<typeof trainer.ema>;
    await ema.withAveragedWeights(() => trainer.gan.save(dir));
    const loaded = await GAN.load(dir);
    const averaged = ema.variables.map((v) => Array.from(v.dataSync()));
    expect(loaded.generator.trainableWeights.map((w) => Array.from(w.read().dataSync()))).toEqual(averaged);
    // ...and the trainer's own weights are back.
    expect(trainer.gan.generator.trainableWeights.map((w) => Array.from(w.read().dataSync()))).not.toEqual(averaged);
    loaded.dispose();
    data.dispose();
    trainer.dispose();
    trainer.gan.dispose();
  });

  test('an optimizer class from outside tfjs round-trips through its getWeights/setWeights', async () => {
    class MyMomentum extends tf.MomentumOptimizer {
      static override get className() {
        return 'MyMomentum';
      }
    }
    tf.serialization.registerClass(MyMomentum);
    const make = () =>
      new Trainer(tinyGan(), {
        batchSize: 4,
        generatorOptimizer: new MyMomentum(0.01, 0.9),
        discriminatorOptimizer: new MyMomentum(0.02, 0.5),
      });
    const data = tinyData();
    const full = make();
    await full.fit(data, { steps: 4 });
    const half = make();
    await half.fit(data, { steps: 2 });
    const dir = path.join(root, 'custom-optimizer');
    const manifest = await half.save(dir);
    expect(manifest.trainer?.optimizers.generator).toMatchObject({ className: 'MyMomentum', encoding: 'weights' });
    const resumed = await Trainer.load(dir);
    expect(resumed.generatorOptimizer).toBeInstanceOf(MyMomentum);
    await resumed.fit(data, { steps: 2 });
    expect(fingerprint(resumed)).toEqual(fingerprint(full));
    for (const t of [full, half, resumed]) {
      t.dispose();
      t.gan.dispose();
    }
    data.dispose();
  });

  test('fileCheckpointStore is a location too', async () => {
    expect(await loadAndFingerprint(fileCheckpointStore(saved))).toEqual(await loadAndFingerprint(saved));
  });
});
