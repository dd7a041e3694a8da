import { Trainer } from 'ts-gan';
import { ProgressBar } from 'ts-gan/node';
import { describe, expect, test } from 'vitest';
import { tinyData, tinyGan } from '../../test-shared/fixtures';

/** A writable that records what is written; a terminal when `isTTY`. */
function sink(isTTY: boolean) {
  const chunks: string[] = [];
  return { chunks, text: () => chunks.join(''), stream: { isTTY, columns: 200, write: (s: string) => chunks.push(s) } };
}

const LOGS = { dLoss: 1.23456, gLoss: 0.98765, dReal: 0.61, dFake: 0.42, stepsPerSecond: 12.5 };
const begin = (steps: number, initialStep = 0) => ({ gan: {} as never, steps, initialStep, stop: () => {} });

describe('ProgressBar', () => {
  test('on a terminal: step, rate, ETA, both losses, D(x) and D(G(z))', () => {
    const out = sink(true);
    let clock = 0;
    const bar = new ProgressBar({ stream: out.stream, now: () => clock });
    bar.onTrainBegin(begin(100));
    clock = 4_000; // 40 steps in 4 s: 10 steps/s on average, 60 steps left
    bar.onStepEnd(40, LOGS);
    bar.onTrainEnd({ ...begin(100), finalStep: 100, reason: 'completed' });
    const text = out.text();
    expect(text).toContain('step 40/100');
    expect(text).toContain('12.5 steps/s');
    expect(text).toContain('ETA 6s');
    expect(text).toContain('D 1.235 G 0.988');
    expect(text).toContain('D(x) 0.61 D(G(z)) 0.42');
    expect(text).toMatch(/trained 100 steps \(to step 100\) in 4s/);
  });

  test('not on a terminal: nothing while training, then the last status and a summary', () => {
    const out = sink(false);
    let clock = 0;
    const bar = new ProgressBar({ stream: out.stream, now: () => clock });
    bar.onTrainBegin(begin(50, 100));
    for (let step = 110; step <= 150; step += 10) {
      clock += 1_000;
      bar.onStepEnd(step, LOGS);
    }
    expect(out.chunks).toEqual([]);
    bar.onTrainEnd({ ...begin(50, 100), finalStep: 150, reason: 'completed' });
    expect(out.chunks).toHaveLength(1);
    expect(out.text()).toMatch(
      /^step 150\/150 \| 12\.5 steps\/s \| ETA 0s \| D 1\.235 G 0\.988 \| D\(x\) 0\.61 D\(G\(z\)\) 0\.42\n/,
    );
    expect(out.text()).toMatch(/trained 50 steps \(to step 150\) in 5s, 10\.0 steps\/s\n$/);
  });

  test('plainInterval writes a plain line at most that often', () => {
    const out = sink(false);
    let clock = 0;
    const bar = new ProgressBar({ stream: out.stream, now: () => clock, plainInterval: 2_500 });
    bar.onTrainBegin(begin(10));
    for (let step = 1; step <= 10; step++) {
      clock += 1_000;
      bar.onStepEnd(step, LOGS);
    }
    expect(out.chunks.map((l) => l.split(' ')[1])).toEqual(['3/10', '6/10', '9/10']);
    bar.onTrainEnd({ ...begin(10), finalStep: 4, reason: 'stopped' });
    expect(out.chunks.at(-1)).toMatch(/stopped after 4 steps/);
  });

  test('rejects a bad plainInterval', () => {
    expect(() => new ProgressBar({ plainInterval: -1 })).toThrow(/plainInterval must be a non-negative integer/);
  });

  test('as a Trainer callback, on a terminal', async () => {
    const out = sink(true);
    const gan = tinyGan();
    const trainer = new Trainer(gan, { batchSize: 4, callbacks: [new ProgressBar({ stream: out.stream })] });
    const data = tinyData();
    await trainer.fit(data, { steps: 5 });
    expect(out.text()).toContain('step 5/5');
    expect(out.text()).toMatch(/trained 5 steps \(to step 5\)/);
    data.dispose();
    trainer.dispose();
    gan.dispose();
  });
});
