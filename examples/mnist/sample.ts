/**
 * Load the GAN that examples/mnist/train.ts saved and draw new digits, in a fresh process.
 *
 *   npm run example:mnist:sample               # reads runs/example-mnist/gan, writes runs/example-mnist/new-digits.png
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { GAN } from 'ts-gan';
import { useBackend } from 'ts-gan/backends';
import { writeImageGrid } from 'ts-gan/node'; // also lets gan.save/GAN.load use plain paths

const { values } = parseArgs({
  options: {
    from: { type: 'string', default: 'runs/example-mnist/gan' },
    n: { type: 'string', default: '64' },
    out: { type: 'string', default: join('runs', 'example-mnist', 'new-digits.png') },
  },
});

await useBackend('wasm');
const gan = await GAN.load(values.from);
const digits = gan.sample(Number(values.n));
await writeImageGrid(digits, values.out, { scale: 3 });
console.log(`${digits.shape[0]} digits from ${values.from} in ${values.out}`);
digits.dispose();
gan.dispose();
