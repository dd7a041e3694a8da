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
