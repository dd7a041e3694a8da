import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useBackend } from 'ts-gan/backends';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/cli/args';
import { threadsFromEnv } from '../../src/cli/backend';
import { parseMnistFlags } from '../../src/cli/mnist';
import { cli } from '../support/cli';
import { writeShapesFolder } from '../support/images';

describe('TS_GAN_THREADS', () => {
  it('reads auto, a count, or nothing', () => {
    expect(threadsFromEnv({})).toBeUndefined();
    expect(threadsFromEnv({ TS_GAN_THREADS: '' })).toBeUndefined();
    expect(threadsFromEnv({ TS_GAN_THREADS: 'auto' })).toBe('auto');
    expect(threadsFromEnv({ TS_GAN_THREADS: '2' })).toBe(2);
  });

  it('rejects other values with a UsageError naming the variable', () => {
    for (const bad of ['0', '-1', '1.5', 'all', '257', '2x']) {
      expect(() => threadsFromEnv({ TS_GAN_THREADS: bad })).toThrow(UsageError);
    }
    expect(() => threadsFromEnv({ TS_GAN_THREADS: 'all' })).toThrow(/TS_GAN_THREADS must be 'auto'/);
  });
});

/** The `threads` option `--threads` gives (parsed as ts-gan mnist does). */
function threadsOf(argv: string[]) {
  const o = parseMnistFlags(argv);
  if (o === 'help') throw new Error('parsed as --help');
  return o.threads;
}

describe('--threads', () => {
  it('reads auto or a count, nothing when absent, and refuses other values naming the flag', () => {
    expect(threadsOf([])).toBeUndefined();
    expect(threadsOf(['--threads', 'auto'])).toBe('auto');
    expect(threadsOf(['--threads', '3'])).toBe(3);
    for (const bad of ['0', 'all', '1.5', '257']) {
      expect(() => threadsOf(['--threads', bad])).toThrow(/--threads must be 'auto' or an integer from 1 to 256/);
    }
    expect(() => threadsOf(['--threads'])).toThrow(UsageError);
  });

  it('gives the library GEMM its threads for a run, before TS_GAN_THREADS, and says so', async () => {
    const data = await mkdtemp(join(tmpdir(), 'ts-gan-threads-data-'));
    await writeShapesFolder(data, 2);
    const out = join(await mkdtemp(join(tmpdir(), 'ts-gan-threads-run-')), 'run');
    const before = process.env.TS_GAN_THREADS;
    process.env.TS_GAN_THREADS = '1';
    try {
      const argv = ['--backend', 'cpu', '--batch-size', '4', '--data', data, '--size', '28', '--channels', '1'];
      const r = await cli('train', ...argv, '--arch', 'mlp', '--steps', '1', '--threads', '2', '--out', out);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toMatch(/^backend: cpu, 2 threads \(fixes: /m);
    } finally {
      if (before === undefined) delete process.env.TS_GAN_THREADS;
      else process.env.TS_GAN_THREADS = before;
      await useBackend('cpu', { fixes: false });
    }
  }, 60_000);
});
