/**
 * Inputs that used to pass without a word or fail with someone else's message: data outside
 * [-1, 1], a batch larger than the dataset, negative flag values, an IDX file with no images, two
 * trainers on one GAN, and the optimizer tensors of a fit refused before its first step.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { DataError, idxImagesToTensor, parseIdx, ShapeError, StateError, Trainer, type TrainingWarning } from 'ts-gan';
import { loadMnist } from 'ts-gan/node';
import { describe, expect, test } from 'vitest';
import { parseMnistFlags } from '../../src/cli/mnist';
import { tinyData, tinyGan } from '../../test-shared/fixtures';
import { cli } from '../support/cli';

/** A trainer whose warnings are collected. */
function watched(options: ConstructorParameters<typeof Trainer>[1] = {}) {
  const gan = tinyGan();
  const warnings: TrainingWarning[] = [];
  const trainer = new Trainer(gan, {
    batchSize: 4,
    ...options,
    callbacks: [{ onWarning: (w) => void warnings.push(w) }],
  });
  return { gan, trainer, warnings };
}

describe('training warnings', () => {
  test('data outside [-1, 1] warns once, naming the range found; data inside does not', async () => {
    const { gan, trainer, warnings } = watched();
    const pixels = tf.tidy(() => tf.mul(tf.add(tinyData(), 1), 127.5)); // 0..255 as raw 8-bit pixels
    await trainer.fit(pixels, { steps: 1 });
    await trainer.fit(pixels, { steps: 1 });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.code).toBe('WARN_GAN_DATA_RANGE');
    expect(warnings[0]?.step).toBe(1);
    expect(warnings[0]?.message).toContain('the data lies in [25.5, 229.5], outside [-1, 1]');
    expect(warnings[0]?.message).toContain('x / 127.5 - 1');

    const quiet = watched();
    const data = tinyData();
    await quiet.trainer.fit(data, { steps: 1 });
    expect(quiet.warnings).toEqual([]);
    for (const t of [pixels, data]) t.dispose();
    for (const w of [trainer, quiet.trainer]) w.dispose();
    for (const g of [gan, quiet.gan]) g.dispose();
  });

  test('an iterable is checked on its first batch, and the warning names the step', async () => {
    const { gan, trainer, warnings } = watched();
    const data = tinyData();
    await trainer.fit(data, { steps: 2 });
    function* batches() {
      for (let i = 0; i < 3; i++) yield tf.mul(tf.slice(data, 0, 4), 3);
    }
    await trainer.fit(batches(), { steps: 3 });
    expect(warnings.map((w) => [w.code, w.step])).toEqual([['WARN_GAN_DATA_RANGE', 3]]);
    expect(warnings[0]?.message).toContain('the first batch lies in [-2.4, 2.4]');
    data.dispose();
    trainer.dispose();
    gan.dispose();
  });

  test('a batch larger than the dataset warns once', async () => {
    const { gan, trainer, warnings } = watched({ batchSize: 32 });
    const data = tinyData(10);
    await trainer.fit(data, { steps: 1 });
    await trainer.fit(data, { steps: 1 });
    expect(warnings.map((w) => w.code)).toEqual(['WARN_GAN_BATCH_LARGER_THAN_DATA']);
    expect(warnings[0]?.message).toBe(
      'Trainer.fit: batchSize 32 is larger than the dataset (10 samples), so every batch repeats samples. ' +
        'Lower batchSize to at most 10, or give more data.',
    );
    data.dispose();
    trainer.dispose();
    gan.dispose();
  });

  test('checking the data leaks nothing', async () => {
    const { gan, trainer } = watched();
    const data = tf.tidy(() => tf.mul(tinyData(), 5));
    await trainer.fit(data, { steps: 1 });
    const before = tf.memory().numTensors;
    const fresh = watched();
    await fresh.trainer.fit(data, { steps: 1 });
    fresh.trainer.dispose();
    fresh.gan.dispose();
    // The fresh GAN's weights and the trainer's state are gone again.
    expect(tf.memory().numTensors).toBe(before);
    data.dispose();
    trainer.dispose();
    gan.dispose();
  });

  test('ts-gan mnist prints warnings on stderr', async () => {
    const out = await mkdtemp(join(tmpdir(), 'ts-gan-warn-'));
    const r = await cli(
      'mnist',
      ...[
        '--arch',
        'mlp',
        '--backend',
        'cpu',
        '--limit',
        '4',
        '--batch-size',
        '8',
        '--steps',
        '1',
        '--eval-every',
        '0',
      ],
      ...['--sample-every', '0', '--out', out],
    );
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('warning: Trainer.fit: batchSize 8 is larger than the dataset (4 samples)');
  });
});

describe('two trainers, one GAN', () => {
  test('a second Trainer fitting the same GAN at once is refused; it may fit once the first is done', async () => {
    const gan = tinyGan();
    const data = tinyData();
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let started: () => void = () => {};
    const running = new Promise<void>((resolve) => {
      started = resolve;
    });
    const first = new Trainer(gan, {
      batchSize: 4,
      callbacks: [
        {
          onStepBegin: () => {
            started();
            return held;
          },
        },
      ],
    });
    const second = new Trainer(gan, { batchSize: 4 });
    const firstFit = first.fit(data, { steps: 1 });
    await running;
    await expect(second.fit(data, { steps: 1 })).rejects.toThrowError(StateError);
    await expect(second.fit(data, { steps: 1 })).rejects.toThrowError(
      /Trainer.fit: another Trainer is fitting this GAN; two fits at once would interleave/,
    );
    release();
    await firstFit;
    await second.fit(data, { steps: 1 });
    expect(second.step).toBe(1);
    // A fit that throws releases the GAN too.
    await expect(
      first.fit(data, {
        steps: 1,
        callbacks: [
          {
            onStepEnd: () => {
              throw new Error('boom');
            },
          },
        ],
      }),
    ).rejects.toThrow('boom');
    await second.fit(data, { steps: 1 });
    for (const t of [first, second]) t.dispose();
    data.dispose();
    gan.dispose();
  });
});

describe('a fit refused before its first step', () => {
  test('leaves no optimizer tensors behind, without dispose', async () => {
    const gan = tinyGan();
    const wrong = tf.zeros([8, 3, 3, 1]);
    const before = tf.memory().numTensors;
    const trainer = new Trainer(gan, { batchSize: 4 });
    await expect(trainer.fit(wrong, { steps: 1 })).rejects.toThrowError(ShapeError);
    expect(tf.memory().numTensors).toBe(before);
    // The optimizers exist from the first step on, and dispose frees them.
    const data = tinyData();
    await trainer.fit(data, { steps: 1 });
    expect(trainer.generatorOptimizer.getConfig().learningRate).toBe(2e-4);
    trainer.dispose();
    expect(() => trainer.generatorOptimizer).not.toThrow();
    expect(tf.memory().numTensors).toBe(before + 1); // data
    for (const t of [wrong, data]) t.dispose();
    gan.dispose();
  });
});

describe('negative flag values reach the flag check', () => {
  test.each([[['--steps', '-5']], [['--steps=-5']]])(
    'ts-gan mnist %j says --steps must be a positive integer (exit 2)',
    async (argv) => {
      const r = await cli('mnist', ...argv);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('ts-gan mnist: --steps must be a positive integer, got "-5".');
      expect(r.stderr).not.toContain('ambiguous');
    },
  );

  test('a negative value where one is allowed is taken', () => {
    const o = parseMnistFlags(['--seed', '-3', '--steps', '7']);
    expect(o === 'help' ? undefined : [o.seed, o.steps]).toEqual([-3, 7]);
  });
});

describe('an IDX file with no images', () => {
  const header = (dims: number[], type = 0x08) => {
    const bytes = new Uint8Array(4 + 4 * dims.length);
    bytes[2] = type;
    bytes[3] = dims.length;
    const view = new DataView(bytes.buffer);
    for (const [i, d] of dims.entries()) view.setUint32(4 + 4 * i, d, false);
    return bytes;
  };

  test('idxImagesToTensor says the file holds no images', () => {
    expect(() => idxImagesToTensor(parseIdx(header([0, 28, 28])), { source: 'empty.idx' })).toThrowError(
      'idxImagesToTensor: empty.idx holds no images (shape [0, 28, 28]); give a file with at least one image.',
    );
  });

  test('loadMnist names the file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ts-gan-empty-idx-'));
    await writeFile(join(dir, 'train-images-idx3-ubyte'), header([0, 28, 28]));
    await writeFile(join(dir, 'train-labels-idx1-ubyte'), header([0]));
    const err = await loadMnist({ dir }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    expect((err as Error).message).toContain(`${join(dir, 'train-images-idx3-ubyte')} holds no images`);
  });
});
