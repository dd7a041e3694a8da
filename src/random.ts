/**
 * A small seeded random source whose whole state is four 32-bit integers, so that a training run
 * can be repeated bit for bit and its state saved in a checkpoint.
 *
 * Why not tfjs's own seeded ops: they keep no state a caller can read back (tfjs #7104), and the
 * unseeded ones draw from `Math.random`. Why not a package: the core library depends on tfjs only.
 *
 * @packageDocumentation
 */

const TWO_POW_32 = 4294967296;

/*
 * One seed, several streams. A GAN's seed derives each of the library's streams by an offset, so
 * that one number fixes a whole run and drawing from one stream never shifts another (sampling
 * during training leaves the training noise as it was). The values are part of the checkpoint
 * format: a saved seed must give the same streams in every version.
 */

/**
 * Weight initialization: both network factories run with `Math.random` drawing from the GAN's seed
 * itself, one stream for both, so that each seed gives one set of initial weights.
 */
export const INIT_STREAM_OFFSET = 0;

/**
 * `GAN.sample` and the other samplers when no `seed` is given: the GAN's own sampling stream.
 * 0x5eed spells "seed"; like every offset here, fixed by the checkpoints made with it.
 */
export const SAMPLE_STREAM_OFFSET = 0x5eed;

/**
 * The trainer's stream when `TrainerOptions.seed` is not given: the noise, the choice of batches,
 * dropout masks and instance noise of every step, in one order that a checkpoint saves and resumes.
 * Any value apart from the others would do; this one is fixed by the checkpoints made with it.
 */
export const TRAIN_STREAM_OFFSET = 0x7a11;

/** splitmix32's increment: 2^32 divided by the golden ratio, odd, so that the counter visits every value. */
const SPLITMIX_GAMMA = 0x9e3779b9;
/** splitmix32's finalizer multipliers (MurmurHash3's fmix32), which spread every input bit over the output. */
const FMIX_MULTIPLIER_1 = 0x85ebca6b;
const FMIX_MULTIPLIER_2 = 0xc2b2ae35;

/** splitmix32: spreads a user seed over the 128-bit state so that nearby seeds give unrelated streams. */
function splitmix32(state: number): [number, number] {
  const next = (state + SPLITMIX_GAMMA) | 0;
  let z = next;
  z = Math.imul(z ^ (z >>> 16), FMIX_MULTIPLIER_1);
  z = Math.imul(z ^ (z >>> 13), FMIX_MULTIPLIER_2);
  z ^= z >>> 16;
  return [next, z >>> 0];
}

/**
 * The serializable state of a {@link SeededRandom}: four unsigned 32-bit integers.
 * @category Training
 */
export type RandomState = readonly [number, number, number, number];

/**
 * xoshiro128** (Blackman and Vigna, 2018): a fast generator with a 2^128 - 1 period, seeded
 * through splitmix32. Normals come from the Box-Muller transform, two at a time.
 *
 * @example
 * ```ts
 * const rng = new SeededRandom(42);
 * const z = rng.normal(32 * 100); // Float32Array of standard normals
 * const saved = rng.getState();
 * ```
 * @category Training
 */
export class SeededRandom {
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;

  /**
   * @param seed - any finite number; its 32 low bits of the integer part seed the stream.
   */
  constructor(seed: number) {
    let sm = (Math.trunc(seed) | 0) >>> 0;
    const words: number[] = [];
    for (let i = 0; i < 4; i++) {
      const [next, out] = splitmix32(sm);
      sm = next;
      words.push(out);
    }
    this.setState(words as unknown as RandomState);
  }

  /**
   * A generator restored from a state returned by {@link SeededRandom.getState}.
   * @param state - four unsigned 32-bit integers, not all zero.
   * @returns a generator that continues exactly where the saved one was.
   */
  static fromState(state: RandomState): SeededRandom {
    const rng = new SeededRandom(0);
    rng.setState(state);
    return rng;
  }

  /** @returns a copy of the current state. */
  getState(): RandomState {
    return [this.s0 >>> 0, this.s1 >>> 0, this.s2 >>> 0, this.s3 >>> 0];
  }

  /** @param state - replaces the current state; must hold four 32-bit integers, not all zero. */
  setState(state: RandomState): void {
    if (
      state.length !== 4 ||
      !state.every((w) => Number.isInteger(w) && w >= 0 && w < TWO_POW_32) ||
      state.every((w) => w === 0)
    ) {
      throw new RangeError(
        `SeededRandom: state must be four unsigned 32-bit integers, not all zero, got ${JSON.stringify(state)}.`,
      );
    }
    [this.s0, this.s1, this.s2, this.s3] = state.map((w) => w | 0) as [number, number, number, number];
  }

  /** @returns the next unsigned 32-bit integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9);
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result >>> 0;
  }

  /** @returns a uniform number in [0, 1) with 32 bits of resolution. */
  nextFloat(): number {
    return this.nextUint32() / TWO_POW_32;
  }

  /**
   * Fills a new array with uniform numbers in [low, high).
   * @param n - how many.
   * @param low - inclusive lower bound.
   * @param high - exclusive upper bound.
   */
  uniform(n: number, low = 0, high = 1): Float32Array {
    const out = new Float32Array(n);
    const span = high - low;
    for (let i = 0; i < n; i++) out[i] = low + span * this.nextFloat();
    return out;
  }

  /**
   * Fills a new array with standard normal numbers (Box-Muller, two per pair of uniforms; an odd
   * count discards the last one so that the state depends only on how many were asked for).
   * @param n - how many.
   */
  normal(n: number): Float32Array {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i += 2) {
      // 1 - u lies in (0, 1], so the logarithm is finite.
      const u1 = 1 - this.nextFloat();
      const u2 = this.nextFloat();
      const r = Math.sqrt(-2 * Math.log(u1));
      const theta = 2 * Math.PI * u2;
      out[i] = r * Math.cos(theta);
      if (i + 1 < n) out[i + 1] = r * Math.sin(theta);
    }
    return out;
  }

  /**
   * Advances the stream as `count` calls of {@link SeededRandom.nextUint32} would, without keeping
   * the numbers: `normal(k)` consumes `2 * ceil(k / 2)` of them, `uniform(k)` and `integers(k)` `k`.
   * @param count - how many 32-bit draws to pass over, a non-negative integer.
   */
  skip(count: number): void {
    for (let i = 0; i < count; i++) this.nextUint32();
  }

  /**
   * Draws integers uniformly from [0, max), with replacement.
   * @param n - how many.
   * @param max - exclusive upper bound, at most 2^32.
   */
  integers(n: number, max: number): Int32Array {
    const out = new Int32Array(n);
    // floor(u * max) has a bias of at most max / 2^32: below 1e-5 for any dataset that fits in memory.
    for (let i = 0; i < n; i++) out[i] = Math.floor(this.nextFloat() * max);
    return out;
  }
}

/**
 * Standard normals drawn piece by piece: the pieces, joined, are exactly what one
 * {@link SeededRandom.normal} call for their total would return, whatever their sizes, and the
 * stream ends in the same state once {@link NormalStream.finish} has run. Sampling uses it to draw
 * noise in chunks of bounded size.
 */
export class NormalStream {
  private readonly rng: SeededRandom;
  /** The sine half of the last Box-Muller pair, when a piece ended between the two halves. */
  private pending: number | undefined;

  /** @param rng - the stream to draw from; advanced as the pieces are taken. */
  constructor(rng: SeededRandom) {
    this.rng = rng;
  }

  /**
   * @param n - how many normals.
   * @returns the next `n` normals of the stream.
   */
  take(n: number): Float32Array {
    const out = new Float32Array(n);
    let i = 0;
    if (n > 0 && this.pending !== undefined) {
      out[i++] = this.pending;
      this.pending = undefined;
    }
    const whole = n - ((n - i) % 2);
    if (whole > i) out.set(this.rng.normal(whole - i), i);
    if (whole < n) {
      // An odd remainder: draw one more pair through normal(2) and keep its second half.
      const pair = this.rng.normal(2);
      out[n - 1] = pair[0] as number;
      this.pending = pair[1] as number;
    }
    return out;
  }

  /** Drops a pending half pair, as one `normal` call with an odd count does. */
  finish(): void {
    this.pending = undefined;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/**
 * Runs `fn` with `Math.random` replaced by a seeded stream, and restores it afterwards.
 *
 * tfjs-layers initializers and dropout draw their seeds from `Math.random` when none is given, so
 * this makes weight initialization and dropout masks repeatable. `fn` must be synchronous: the
 * replacement is visible to all code that runs before it returns.
 *
 * @param rng - the stream to draw from.
 * @param fn - synchronous work.
 * @returns what `fn` returns.
 * @category Training
 */
export function withSeededMathRandom<T>(rng: SeededRandom, fn: () => T): T {
  const original = Math.random;
  Math.random = () => rng.nextFloat();
  try {
    return fn();
  } finally {
    Math.random = original;
  }
}
