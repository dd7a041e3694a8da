import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { paddingShare, tapClasses } from '../../src/backends/fixes/conv-tap-classes';
import { pixelTable } from '../../src/backends/fixes/wasm-heap';
import { type ConvCase, label } from '../support/conv';

const CASES: ConvCase[] = [
  { x: [3, 14, 14, 4], k: 4, cout: 8, strides: 2, pad: 'same' },
  { x: [2, 7, 9, 4], k: 3, cout: 8, strides: 1, pad: 'same' },
  { x: [2, 11, 10, 1], k: 5, cout: 8, strides: 2, pad: 'same' },
  { x: [2, 3, 3, 4], k: 5, cout: 8, strides: 1, pad: 'same' },
  { x: [2, 9, 9, 4], k: 3, cout: 8, strides: 2, pad: 'valid' },
];
const info = (c: ConvCase) =>
  tf.backend_util.computeConv2DInfo(
    c.x,
    [c.k, c.k, c.x[3], c.cout],
    c.strides,
    1,
    c.pad,
    undefined,
    false,
    'channelsLast',
  );

describe('tapClasses', () => {
  for (const c of CASES) {
    it(`covers every tap inside the input exactly once, by rectangles: ${label(c)}`, () => {
      const conv = info(c);
      const table = pixelTable(conv);
      const taps = c.k * c.k;
      const seen = new Int32Array(table.length);
      const pixelsSeen = new Int32Array(table.length / taps);
      for (const k of tapClasses(conv)) {
        expect([...k.taps]).toEqual(k.runs.flatMap(([t0, n]) => Array.from({ length: n }, (_, j) => t0 + j)));
        expect(new Set(k.runs.map(([, n]) => n)).size).toBeLessThanOrEqual(1);
        expect(k.table.length).toBe(k.pixels.length * k.taps.length);
        k.pixels.forEach((m, i) => {
          pixelsSeen[m] = (pixelsSeen[m] ?? 0) + 1;
          k.taps.forEach((t, j) => {
            expect(k.table[i * k.taps.length + j]).toBe(table[m * taps + t]);
            seen[m * taps + t] = (seen[m * taps + t] ?? 0) + 1;
          });
        });
      }
      expect(pixelsSeen.every((v) => v === 1)).toBe(true);
      // Each tap read by some class is inside the input; each inside tap is read once.
      table.forEach((offset, i) => {
        expect(seen[i], `entry ${i}`).toBe(offset < 0 ? 0 : 1);
      });
    });
  }

  it('finds one class with every tap where nothing reads the padding', () => {
    const classes = tapClasses(info({ x: [2, 9, 9, 4], k: 3, cout: 8, strides: 2, pad: 'valid' }));
    expect(classes.length).toBe(1);
    expect(classes[0]?.taps.length).toBe(9);
  });

  it("counts the DCGAN's 14x14 -> 7x7 layer's padding products: 1 - (26/28)^2", () => {
    const share = paddingShare(info({ x: [2, 14, 14, 4], k: 4, cout: 8, strides: 2, pad: 'same' }));
    expect(share).toBeCloseTo(1 - (26 / 28) ** 2, 12);
    expect(tapClasses(info({ x: [2, 14, 14, 4], k: 4, cout: 8, strides: 2, pad: 'same' })).length).toBe(9);
  });
});
