import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/cli/args';
import { threadsFromEnv } from '../../src/cli/backend';

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
