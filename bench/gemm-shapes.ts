import type { GemmMemory } from '../src/backends/fixes/wasm-simd-gemm.js';

/**
 * The product shapes the GEMM benchmarks (`bench/gemm-threads.ts`, `bench/gemm-variants.ts`) time,
 * [M, K, N]: the seed MLP GAN's forward and gradient products at batch 32 and 256, the DCGAN's
 * Dense products at batch 64, conv-gradient-like products, and small ones near the threading
 * threshold.
 */
export const GEMM_SHAPES: readonly (readonly [number, number, number])[] = [
  // The MLP GAN at batch 32: Dense forward products.
  [32, 64, 64],
  [32, 100, 256],
  [32, 256, 512],
  [32, 512, 1024],
  [32, 1024, 784],
  // The MLP GAN at batch 256: forward products.
  [256, 1024, 784],
  [256, 784, 512],
  [256, 512, 1024],
  // Gradient products at batch 32 (the batch as K or N).
  [1024, 32, 784],
  [512, 256, 32],
  [784, 32, 1024],
  // The DCGAN's Dense at batch 64, and conv-gradient-like products.
  [64, 100, 6272],
  [64, 512, 256],
  [512, 1024, 64],
  [1568, 64, 520],
];

/**
 * Lays out random operands of `[m,k]·[k,n]` in `g`'s memory as the GEMM takes them and returns a
 * function that runs the product `reps` times and gives ms per product; `reps` makes a sample of
 * about 20 ms.
 */
export function gemmTimer(g: GemmMemory, m: number, k: number, n: number): () => number {
  const mp = Math.ceil(m / 4) * 4;
  const np = Math.ceil(n / 8) * 8;
  const bAt = mp * k;
  const cAt = bAt + k * np;
  g.reserve((cAt + mp * np) * 4);
  const f = g.floats();
  for (let j = 0; j < cAt; j++) f[j] = Math.random() * 2 - 1;
  const reps = Math.max(1, Math.round(2e7 / (m * k * n)));
  return () => {
    const t0 = performance.now();
    for (let r = 0; r < reps; r++) g.gemm(0, bAt * 4, cAt * 4, mp, k, np);
    return (performance.now() - t0) / reps;
  };
}
