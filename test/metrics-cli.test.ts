/**
 * `ts-gan evaluate`: a saved GAN and the real digits, table and JSON, usage errors.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tfl from '@tensorflow/tfjs-layers';
import { GAN } from 'ts-gan';
import { describe, expect, test } from 'vitest';
import { main } from '../src/cli/main';
import { saveGan } from '../src/cli/persist';

async function cli(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, {
    stdout: { write: (s: string) => out.push(s) },
    stderr: { write: (s: string) => err.push(s), isTTY: false },
  });
  return { code, stdout: out.join(''), stderr: err.join('') };
}

/** The last line of stdout is the JSON report. */
const report = (stdout: string) => JSON.parse(stdout.trim().split('\n').at(-1) as string);

describe('ts-gan evaluate', () => {
  test('scores real test digits as "perfect" and prints a table and JSON', async () => {
    const r = await cli('evaluate', '--from', 'mnist:test', '--n', '300', '--kid-subsets', '3', '--backend', 'cpu');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/classifier score \(1\.\.10, higher is better\)\s+\d/);
    expect(r.stdout).toMatch(/Fréchet distance to test set/);
    const json = report(r.stdout);
    expect(json).toMatchObject({ source: 'mnist:test', backend: 'cpu', count: 300 });
    expect(json.classifierScore).toBeGreaterThan(8.5);
    expect(json.kid.subsets).toBe(3);
    expect(json.classHistogram).toHaveLength(10);
  });

  test('scores a saved GAN (the run folder or its gan/), repeatably for a seed; --json prints only JSON', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ts-gan-evaluate-'));
    const gan = new GAN({
      latentDim: 8,
      dataShape: [28, 28, 1],
      buildGenerator: ({ latentDim }) =>
        tfl.sequential({
          layers: [
            tfl.layers.dense({ inputShape: [latentDim], units: 784, activation: 'tanh' }),
            tfl.layers.reshape({ targetShape: [28, 28, 1] }),
          ],
        }),
      buildDiscriminator: () =>
        tfl.sequential({ layers: [tfl.layers.flatten({ inputShape: [28, 28, 1] }), tfl.layers.dense({ units: 1 })] }),
      seed: 2,
    });
    await saveGan(gan, join(dir, 'gan'));
    gan.dispose();
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

  test('usage errors exit with 2', async () => {
    expect((await cli('evaluate')).code).toBe(2);
    expect((await cli('evaluate', '--from', '/nonexistent/ts-gan-run')).code).toBe(2);
    expect((await cli('evaluate', '--from', 'mnist:test', '--n', '1')).code).toBe(2);
    const help = await cli('evaluate', '--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/--from DIR/);
  });
});
