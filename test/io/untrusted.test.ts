/**
 * Checkpoints you do not trust stay in their place: every weight path a model.json names resolves
 * inside the checkpoint folder (files) or under the checkpoint URL (http), or the load is refused
 * with a CheckpointError before anything is read or fetched. A property test feeds generated
 * manifests to both loaders and checks that each is loaded or refused with a GanError, that
 * nothing outside the folder or URL is read or requested, and that no tensor is left behind.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, renameSync, rmSync, symlinkSync } from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { CheckpointError, GAN, GanError, Trainer } from 'ts-gan';
import 'ts-gan/node';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { tinyData, tinyGan } from '../../test-shared/fixtures';
import {
  caseDir,
  cleanUp,
  ELSEWHERE,
  fill,
  goodDir,
  goodManifest,
  inside,
  MODEL_FILES,
  placeDecoys,
  recordFetches,
  recordReads,
  SECRET,
  startServer,
  underCase,
  weightsManifest,
  writeCase,
  www,
} from '../support/untrusted';

let server: Awaited<ReturnType<typeof startServer>>;

beforeAll(async () => {
  // A trainer checkpoint with a moving average: weights, optimizer state and EMA all name files.
  const trainer = new Trainer(tinyGan(), { batchSize: 4, ema: { decay: 0.5 } });
  const data = tinyData();
  await trainer.fit(data, { steps: 1 });
  await trainer.save(goodDir);
  data.dispose();
  trainer.dispose();
  trainer.gan.dispose();
  placeDecoys();
  server = await startServer();
  // Warm-up: the first load creates tfjs-layers' cached scalars.
  for (const location of [goodDir, `${server.origin}/good`]) {
    const t = await Trainer.load(location);
    t.dispose();
    t.gan.dispose();
  }
});

afterAll(async () => {
  await server?.close();
  cleanUp();
});

/** The generator's manifest with its one weight path replaced. */
function generatorNaming(weightPath: string) {
  return goodManifest('generator/model.json').map((g) => ({ ...g, paths: [weightPath] }));
}

async function loadFile(loader: 'GAN' | 'Trainer'): Promise<GAN | Trainer> {
  return loader === 'GAN' ? GAN.load(caseDir) : Trainer.load(caseDir);
}

function release(loaded: GAN | Trainer | undefined): void {
  if (loaded instanceof Trainer) {
    loaded.dispose();
    loaded.gan.dispose();
  } else loaded?.dispose();
}

describe('file checkpoints', () => {
  test('the issue: a generator naming ../../elsewhere/file.bin is refused and the file is not read', async () => {
    writeCase('generator/model.json', generatorNaming('../../elsewhere/file.bin'));
    const { error, reads, result } = await recordReads(() => GAN.load(caseDir));
    release(result);
    expect(error).toBeInstanceOf(CheckpointError);
    expect((error as Error).message).toContain(path.join(caseDir, 'generator', 'model.json'));
    expect((error as Error).message).toContain('"../../elsewhere/file.bin"');
    expect((error as Error).message).toMatch(/outside the checkpoint folder/);
    expect(reads.filter((r) => !inside(caseDir, r))).toEqual([]);
    expect(reads).not.toContain(ELSEWHERE);
  });

  test('an absolute path is refused, naming it, and nothing is read there', async () => {
    writeCase('checkpoint.json', [{ paths: [SECRET], weights: goodManifest('checkpoint.json')[0]?.weights }]);
    const { error, reads, result } = await recordReads(() => Trainer.load(caseDir));
    release(result);
    expect(error).toBeInstanceOf(CheckpointError);
    expect((error as Error).message).toContain(JSON.stringify(SECRET));
    expect((error as Error).message).toMatch(/absolute/);
    expect(reads.filter((r) => !inside(caseDir, r))).toEqual([]);
  });

  test('a symlink inside the folder that leads out of it is refused before it is read', async () => {
    writeCase('generator/model.json', goodManifest('generator/model.json'));
    const weights = path.join(caseDir, 'generator', 'weights.bin');
    renameSync(weights, `${weights}.moved`);
    symlinkSync(ELSEWHERE, weights);
    const { error, reads } = await recordReads(() => GAN.load(caseDir));
    expect(error).toBeInstanceOf(CheckpointError);
    expect((error as Error).message).toMatch(/symbolic link that does not lead to a file inside the checkpoint folder/);
    expect(reads.filter((r) => !inside(caseDir, r))).toEqual([]);
    // A link to nothing gets the same message: the error does not tell whether a path outside exists.
    rmSync(weights);
    symlinkSync(path.join(www, 'no-such-file.bin'), weights);
    const dangling = await recordReads(() => GAN.load(caseDir));
    expect((dangling.error as Error).message).toMatch(
      /symbolic link that does not lead to a file inside the checkpoint folder/,
    );
    // A model.json that is a link out of the folder is not read either.
    writeCase('generator/model.json', goodManifest('generator/model.json'));
    const json = path.join(caseDir, 'generator', 'model.json');
    copyFileSync(json, path.join(www, 'outside.json'));
    rmSync(json);
    symlinkSync(path.join(www, 'outside.json'), json);
    const viaJson = await recordReads(() => GAN.load(caseDir));
    expect(viaJson.error).toBeInstanceOf(CheckpointError);
    expect((viaJson.error as Error).message).toMatch(
      /symbolic link that does not lead to a file inside the checkpoint folder/,
    );
    expect(viaJson.reads.filter((r) => !inside(caseDir, r))).toEqual([]);
    // A link that stays inside is followed.
    writeCase('generator/model.json', generatorNaming('./linked.bin'));
    symlinkSync('weights.bin', path.join(caseDir, 'generator', 'linked.bin'));
    const gan = await GAN.load(caseDir);
    gan.dispose();
  });

  test('a weight "file" that is a FIFO is refused, not waited on', async () => {
    writeCase('generator/model.json', goodManifest('generator/model.json'));
    const weights = path.join(caseDir, 'generator', 'weights.bin');
    rmSync(weights);
    execFileSync('mkfifo', [weights]);
    const { error } = await recordReads(() => GAN.load(caseDir));
    expect(error).toBeInstanceOf(CheckpointError);
    expect((error as Error).message).toMatch(/weights\.bin.* is not a regular file/);
  });

  test('a string weight, whose size tfjs would walk element by element, is refused at once', async () => {
    const [group] = goodManifest('generator/model.json');
    const specs = [...(group?.weights ?? []), { name: 'extra', shape: [1e7], dtype: 'string' }];
    writeCase('generator/model.json', [{ ...group, weights: specs }]);
    const { error } = await recordReads(() => GAN.load(caseDir));
    expect(error).toBeInstanceOf(CheckpointError);
    expect((error as Error).message).toMatch(/weight \d+ \("extra"\) has the dtype "string"/);
  });

  test('an optimizer scalar saved with another shape is refused, not assigned', async () => {
    const [group] = goodManifest('checkpoint.json');
    const specs = (group?.weights ?? []).map((w) =>
      w.name === 'discriminatorOptimizer/accBeta1' ? { ...w, shape: [1] } : w,
    );
    writeCase('checkpoint.json', [{ ...group, weights: specs }]);
    const tensors = tf.memory().numTensors;
    const { error, result } = await recordReads(() => Trainer.load(caseDir));
    release(result);
    expect(error).toBeInstanceOf(CheckpointError);
    expect((error as Error).message).toMatch(/discriminatorOptimizer\/accBeta1 has shape \[1\]/);
    expect(tf.memory().numTensors).toBe(tensors);
  });

  test('property: any weights manifest is loaded or refused with a GanError, nothing outside is read, no leak', async () => {
    const property = fc.asyncProperty(
      fc.constantFrom(...MODEL_FILES).chain((file) => fc.tuple(fc.constant(file), weightsManifest(file))),
      fc.constantFrom('GAN' as const, 'Trainer' as const),
      async ([file, manifest], loader) => {
        writeCase(file, fill(manifest, 'http://127.0.0.1:9'));
        const tensors = tf.memory().numTensors;
        const variables = Object.keys(tf.engine().registeredVariables).length;
        const { error, reads, result } = await recordReads(() => loadFile(loader));
        release(result);
        if (error !== undefined) expect(error).toBeInstanceOf(GanError);
        expect(reads.filter((r) => !inside(caseDir, r))).toEqual([]);
        expect(tf.memory().numTensors).toBe(tensors);
        expect(Object.keys(tf.engine().registeredVariables).length).toBe(variables);
      },
    );
    await fc.assert(property, { numRuns: 120 });
  });
});

describe('http(s) checkpoints', () => {
  const weightRequests = (fetched: string[]) => fetched.filter((u) => !/(model|checkpoint)\.json$/.test(u));

  test('a manifest naming another host is refused before any weight is fetched', async () => {
    writeCase('generator/model.json', generatorNaming('http://evil.example/x.bin'));
    const { error, fetched, result } = await recordFetches(server.origin, () => GAN.load(`${server.origin}/case`));
    release(result);
    expect(error).toBeInstanceOf(CheckpointError);
    expect((error as Error).message).toContain(`${server.origin}/case/generator/model.json`);
    expect((error as Error).message).toContain('"http://evil.example/x.bin"');
    expect(weightRequests(fetched)).toEqual([]);
  });

  test('a path that climbs out of the checkpoint URL is refused and never requested', async () => {
    writeCase('generator/model.json', generatorNaming('../../secret.bin'));
    server.requests.length = 0;
    const { error, fetched, result } = await recordFetches(server.origin, () => GAN.load(`${server.origin}/case`));
    release(result);
    expect(error).toBeInstanceOf(CheckpointError);
    expect((error as Error).message).toMatch(/outside the checkpoint/);
    expect(fetched.filter((u) => !underCase(server.origin, u))).toEqual([]);
    expect(server.requests.filter((u) => !underCase(server.origin, u))).toEqual([]);
  });

  test('a good checkpoint still loads over http, fetching only its own files', async () => {
    writeCase('checkpoint.json', goodManifest('checkpoint.json'));
    const { error, fetched, result } = await recordFetches(server.origin, () => Trainer.load(`${server.origin}/case`));
    release(result);
    expect(error).toBeUndefined();
    expect(fetched.map((u) => u.slice(server.origin.length)).sort()).toEqual([
      '/case/checkpoint.json',
      '/case/discriminator/model.json',
      '/case/discriminator/weights.bin',
      '/case/generator/model.json',
      '/case/generator/weights.bin',
      '/case/optimizers.bin',
    ]);
  });

  test('property: any weights manifest is loaded or refused with a GanError, nothing outside is requested, no leak', async () => {
    const property = fc.asyncProperty(
      fc.constantFrom(...MODEL_FILES).chain((file) => fc.tuple(fc.constant(file), weightsManifest(file))),
      fc.constantFrom('GAN' as const, 'Trainer' as const),
      async ([file, manifest], loader) => {
        writeCase(file, fill(manifest, server.origin));
        server.requests.length = 0;
        const url = `${server.origin}/case`;
        const tensors = tf.memory().numTensors;
        const variables = Object.keys(tf.engine().registeredVariables).length;
        const { error, fetched, result } = await recordFetches(
          server.origin,
          (): Promise<GAN | Trainer> => (loader === 'GAN' ? GAN.load(url) : Trainer.load(url)),
        );
        release(result);
        if (error !== undefined) expect(error).toBeInstanceOf(GanError);
        expect(fetched.filter((u) => !underCase(server.origin, u))).toEqual([]);
        expect(server.requests.filter((u) => !underCase(server.origin, u))).toEqual([]);
        expect(tf.memory().numTensors).toBe(tensors);
        expect(Object.keys(tf.engine().registeredVariables).length).toBe(variables);
      },
    );
    await fc.assert(property, { numRuns: 120 });
  });
});
