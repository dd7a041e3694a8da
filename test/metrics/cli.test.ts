/**
 * `ts-gan evaluate`: a saved GAN and the real digits, table and JSON, usage errors.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findMnistFiles, loadMnist, mnistDataDir } from 'ts-gan/node';
import { describe, expect, test } from 'vitest';
import { cli } from '../support/cli';
import { savedDigitGan } from '../support/saved-gan';

/** The last line of stdout is the JSON report. */
const report = (stdout: string) => JSON.parse(stdout.trim().split('\n').at(-1) as string);

describe('ts-gan evaluate', () => {
  test('scores real test digits as "perfect" and prints a table and JSON', async () => {
    const r = await cli('evaluate', '--from', 'mnist:test', '--n', '300', '--kid-subsets', '3', '--backend', 'cpu');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/classifier score \(1\.\.10, higher is better\)\s+\d/);
    expect(r.stdout).toMatch(/Fréchet distance to test set/);
    // KID in the judge's units, as the JSON and docs/evaluation.md give it (no x1000).
    const json0 = report(r.stdout);
    expect(r.stdout).toContain(`KID (lower is better)`);
    expect(r.stdout).toContain(`${json0.kid.mean.toFixed(2)} ± ${json0.kid.standardError.toFixed(2)}`);
    const json = report(r.stdout);
    expect(json).toMatchObject({ source: 'mnist:test', backend: 'cpu', count: 300 });
    expect(json.classifierScore).toBeGreaterThan(8.5);
    expect(json.kid.subsets).toBe(3);
    expect(json.classHistogram).toHaveLength(10);
  });

  test('scores a saved GAN (the run folder or its gan/), repeatably for a seed; --json prints only JSON', async () => {
    const dir = await savedDigitGan('evaluate', 8, 2);
    const a = await cli('evaluate', '--from', dir, '--n', '40', '--kid-subsets', '2', '--backend', 'cpu', '--json');
    expect(a.code).toBe(0);
    expect(a.stdout.trim().split('\n')).toHaveLength(1);
    const b = await cli(
      'evaluate',
      '--from',
      join(dir, 'gan'),
      '--n',
      '40',
      '--kid-subsets',
      '2',
      '--backend',
      'cpu',
      '--json',
    );
    const [ja, jb] = [report(a.stdout), report(b.stdout)];
    expect(ja.count).toBe(40);
    expect(ja.seed).toBe(0);
    expect(ja.frechetDistance).toBe(jb.frechetDistance);
    // An untrained generator is far from the real digits.
    expect(ja.frechetDistance).toBeGreaterThan(5);
  });

  test('scores an IDX file of images, uint8 or float32, exactly as the same digits from mnist:test', async () => {
    const args = ['--n', '300', '--kid-subsets', '3', '--backend', 'cpu', '--json'];
    const reference = report((await cli('evaluate', '--from', 'mnist:test', ...args)).stdout);
    // The test split's own IDX file (uint8), read as a file of images.
    const uint8 = await cli('evaluate', '--from', findMnistFiles(mnistDataDir() as string, 'test').images, ...args);
    expect(uint8.code).toBe(0);
    // The same digits as float32 in [-1, 1]: what the PyTorch twin's --dump-samples writes.
    const { images } = await loadMnist({ split: 'test', limit: 300 });
    const values = await images.data();
    images.dispose();
    const bytes = new Uint8Array(16 + 4 * values.length);
    const view = new DataView(bytes.buffer);
    [0x00000d03, 300, 28, 28].forEach((v, i) => {
      view.setUint32(4 * i, v, false);
    });
    values.forEach((v, i) => {
      view.setFloat32(16 + 4 * i, v, false);
    });
    const file = join(await mkdtemp(join(tmpdir(), 'ts-gan-evaluate-idx-')), 'samples.idx');
    await writeFile(file, bytes);
    const float32 = await cli('evaluate', '--from', file, ...args);
    expect(float32.code).toBe(0);
    expect(float32.stderr).toMatch(/scoring 300 images from .*samples\.idx/);
    for (const r of [report(uint8.stdout), report(float32.stdout)]) {
      expect(r.count).toBe(300);
      expect(r.seed).toBeUndefined();
      expect(r.classifierScore).toBeCloseTo(reference.classifierScore, 6);
      expect(r.frechetDistance).toBeCloseTo(reference.frechetDistance, 4);
      expect(r.classHistogram).toEqual(reference.classHistogram);
    }
  });

  test('usage errors exit with 2', async () => {
    expect((await cli('evaluate')).code).toBe(2);
    expect((await cli('evaluate', '--from', '/nonexistent/ts-gan-run')).code).toBe(2);
    expect((await cli('evaluate', '--from', 'mnist:test', '--n', '1')).code).toBe(2);
    const help = await cli('evaluate', '--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/--from DIR/);
  });
});
