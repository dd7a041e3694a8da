/**
 * Latent-space tools: interpolation between noise vectors (linear and spherical), a path through
 * several keyframes, the truncation trick, and the class sweep of a conditional GAN. Pure functions
 * on plain arrays, with no tensor and no backend, so they run anywhere; {@link GAN.interpolate},
 * {@link GAN.walk}, {@link GAN.sampleTruncated} and {@link GAN.classSweep} turn their results into
 * images.
 *
 * @packageDocumentation
 */
import { ConfigError } from './errors.js';
import type { SeededRandom } from './random.js';
import { positiveInteger, positiveNumber, show } from './util/validate.js';
import { dot, norm, perpendicular } from './util/vectors.js';

/**
 * How to move between two latent vectors: `'linear'` along the straight segment, `'slerp'` along the
 * great circle through both (White 2016, "Sampling Generative Networks").
 * @category Sampling
 */
export type InterpolationMethod = 'linear' | 'slerp';

/** The methods, for validation and help texts. */
export const INTERPOLATION_METHODS: readonly InterpolationMethod[] = ['linear', 'slerp'];

/**
 * Below this sine of the angle between two vectors, the great circle through them is ill-defined:
 * nearly parallel vectors fall back to the straight line (their arc and chord coincide to ~1e-14),
 * antipodal ones take a fixed perpendicular detour (see {@link slerp}).
 */
const PARALLEL_SINE = 1e-7;

/**
 * The point `(1 - t) a + t b` on the straight line through `a` and `b`.
 *
 * @param a - the start, any length.
 * @param b - the end, the same length.
 * @param t - where: 0 gives `a`, 1 gives `b` (exactly); values outside [0, 1] extrapolate.
 * @returns a new array.
 * @throws {@link ConfigError} when the lengths differ or `t` is not finite.
 * @example
 * ```ts
 * lerp([0, 0], [2, 4], 0.5); // Float32Array [1, 2]
 * ```
 * @category Sampling
 */
export function lerp(a: ArrayLike<number>, b: ArrayLike<number>, t: number): Float32Array {
  checkPair('lerp', a, b, t);
  if (t === 0) return Float32Array.from(a);
  if (t === 1) return Float32Array.from(b);
  const out = new Float32Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = (1 - t) * (a[i] as number) + t * (b[i] as number);
  return out;
}

/**
 * Spherical interpolation: `sin((1 - t) w) / sin w * a + sin(t w) / sin w * b`, where `w` is the angle
 * between `a` and `b` (Shoemake 1985; for GAN latents, White 2016). Gaussian noise in many dimensions
 * lies near a sphere, and the straight line between two such vectors cuts inside it, through noise the
 * generator rarely saw in training; the arc stays on it. For endpoints of equal norm every point keeps
 * that norm; for unequal norms the formula is the same (the path leaves the circle of either norm).
 *
 * Edge cases: nearly parallel vectors (sine of the angle below 1e-7) and a zero vector fall back to
 * {@link lerp}. Antipodal vectors (`b = -c a`, c > 0) have no unique great circle: the path then turns
 * through the direction perpendicular to `a` obtained from the coordinate axis where `a` is smallest
 * (first such axis), with its norm moving linearly from `|a|` to `|b|`, so the result is still
 * deterministic and passes through no zero.
 *
 * @param a - the start.
 * @param b - the end, the same length.
 * @param t - where: 0 gives `a`, 1 gives `b` (exactly).
 * @returns a new array.
 * @throws {@link ConfigError} when the lengths differ or `t` is not finite.
 * @example
 * ```ts
 * slerp([1, 0], [0, 1], 0.5); // [0.7071, 0.7071]: on the unit circle, where lerp gives [0.5, 0.5]
 * ```
 * @category Sampling
 */
export function slerp(a: ArrayLike<number>, b: ArrayLike<number>, t: number): Float32Array {
  checkPair('slerp', a, b, t);
  if (t === 0) return Float32Array.from(a);
  if (t === 1) return Float32Array.from(b);
  const normA = norm(a);
  const normB = norm(b);
  if (normA === 0 || normB === 0) return lerp(a, b, t);
  const cos = Math.min(1, Math.max(-1, dot(a, b) / (normA * normB)));
  const omega = Math.acos(cos);
  const sin = Math.sin(omega);
  const out = new Float32Array(a.length);
  if (sin < PARALLEL_SINE) {
    if (cos > 0) return lerp(a, b, t);
    // Antipodal: half a turn through a fixed perpendicular direction u, radius from |a| to |b|.
    const u = perpendicular(a, normA);
    const radius = (1 - t) * normA + t * normB;
    const c = Math.cos(Math.PI * t);
    const s = Math.sin(Math.PI * t);
    for (let i = 0; i < a.length; i++) out[i] = radius * (c * ((a[i] as number) / normA) + s * (u[i] as number));
    return out;
  }
  const wa = Math.sin((1 - t) * omega) / sin;
  const wb = Math.sin(t * omega) / sin;
  for (let i = 0; i < a.length; i++) out[i] = wa * (a[i] as number) + wb * (b[i] as number);
  return out;
}

/**
 * `steps` evenly spaced points from `a` to `b`, both included.
 *
 * @param a - the start.
 * @param b - the end, the same length.
 * @param steps - how many points, at least 2.
 * @param method - `'slerp'` (default) or `'linear'`.
 * @returns `steps` new arrays; the first equals `a`, the last equals `b`.
 * @throws {@link ConfigError} for a bad `steps` or `method`, or lengths that differ.
 * @example
 * ```ts
 * const rng = new SeededRandom(1);
 * const path = interpolateLatents(rng.normal(100), rng.normal(100), 8); // 8 latent vectors
 * ```
 * @category Sampling
 */
export function interpolateLatents(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  steps: number,
  method: InterpolationMethod = 'slerp',
): Float32Array[] {
  checkSteps('interpolateLatents', steps, 2);
  const f = pick('interpolateLatents', method);
  return Array.from({ length: steps }, (_, i) => f(a, b, i / (steps - 1)));
}

/**
 * Options of {@link latentPath}.
 * @category Sampling
 */
export interface LatentPathOptions {
  /** `'slerp'` (default) or `'linear'`, for every segment. */
  method?: InterpolationMethod;
  /** Return to the first keyframe at the end (a loop, for an animation that repeats). Default false. */
  loop?: boolean;
}

/**
 * A path through keyframes: `stepsPerSegment` points from each keyframe towards the next, then the
 * last keyframe (or, with `loop`, back to the first, which is not repeated). Every keyframe appears
 * on the path exactly, at index `k * stepsPerSegment`.
 *
 * @param keyframes - at least 2 vectors of one length.
 * @param stepsPerSegment - points per segment, a positive integer.
 * @param options - see {@link LatentPathOptions}.
 * @returns `(k - 1) * stepsPerSegment + 1` arrays, or `k * stepsPerSegment` with `loop`.
 * @throws {@link ConfigError} for fewer than 2 keyframes, unequal lengths or a bad option.
 * @example
 * ```ts
 * const rng = new SeededRandom(3);
 * const frames = latentPath([rng.normal(100), rng.normal(100), rng.normal(100)], 30, { loop: true });
 * ```
 * @category Sampling
 */
export function latentPath(
  keyframes: readonly ArrayLike<number>[],
  stepsPerSegment: number,
  options: LatentPathOptions = {},
): Float32Array[] {
  if (!Array.isArray(keyframes) || keyframes.length < 2) {
    throw new ConfigError(`latentPath: keyframes must be an array of at least 2 vectors, got ${show(keyframes)}.`);
  }
  checkSteps('latentPath', stepsPerSegment, 1);
  const f = pick('latentPath', options.method ?? 'slerp');
  const stops = options.loop ? [...keyframes, keyframes[0] as ArrayLike<number>] : keyframes;
  const out: Float32Array[] = [];
  for (let k = 0; k + 1 < stops.length; k++) {
    const a = stops[k] as ArrayLike<number>;
    const b = stops[k + 1] as ArrayLike<number>;
    for (let i = 0; i < stepsPerSegment; i++) out.push(f(a, b, i / stepsPerSegment));
  }
  if (!options.loop) out.push(Float32Array.from(keyframes[keyframes.length - 1] as ArrayLike<number>));
  return out;
}

/** Standard normals drawn per refill of the resampling pool: enough for most thresholds in one draw. */
const RESAMPLE_POOL = 256;

/**
 * The truncation trick (Brock et al. 2018, "Large Scale GAN Training for High Fidelity Natural Image
 * Synthesis", BigGAN): standard normal noise whose components beyond `threshold` in absolute value
 * are **resampled** (not clamped) until they fall inside, so that every component follows a normal
 * distribution truncated to [-threshold, threshold]. Smaller thresholds trade variety for typical,
 * cleaner samples.
 *
 * Deterministic: the values depend only on the stream's state, `n` and `threshold`. The replacements
 * come from the same stream, after the first `n` draws.
 *
 * @param n - how many numbers.
 * @param threshold - a positive number; 2 keeps about 95% of the first draws, 0.5 about 38%.
 * @param rng - the random source (advanced).
 * @returns a new array whose every element lies in [-threshold, threshold].
 * @throws {@link ConfigError} for a bad `n` or `threshold`.
 * @example
 * ```ts
 * const z = truncatedNormal(16 * 100, 0.7, new SeededRandom(42)); // 16 latent vectors of 100
 * ```
 * @category Sampling
 */
export function truncatedNormal(n: number, threshold: number, rng: SeededRandom): Float32Array {
  positiveInteger('truncatedNormal', 'n', n);
  positiveNumber('truncatedNormal', 'threshold', threshold);
  const out = rng.normal(n);
  let pool: Float32Array = new Float32Array(0);
  let next = 0;
  for (let i = 0; i < n; i++) {
    // The comparison reads the stored float32 value, so the bound holds for what the caller gets.
    while (Math.abs(out[i] as number) > threshold) {
      if (next === pool.length) {
        pool = rng.normal(RESAMPLE_POOL);
        next = 0;
      }
      out[i] = pool[next++] as number;
    }
  }
  return out;
}

/**
 * The latents and labels of a class sweep: the same noise vectors drawn once for every class, so
 * that a grid shows one style (a column) across all classes (the rows).
 * @category Sampling
 */
export interface ClassSweep {
  /** `classes.length * noise.length` vectors: row `r` (class `classes[r]`) repeats the noise in order. */
  latents: Float32Array[];
  /** The class of each vector. */
  labels: Int32Array;
}

/**
 * Pairs every class with every noise vector, class by class (row-major: one row per class).
 *
 * @param noise - the noise vectors shared by all classes (the columns).
 * @param classes - the class of each row: non-negative integers.
 * @returns see {@link ClassSweep}.
 * @throws {@link ConfigError} for no noise, no class or a class that is not a non-negative integer.
 * @example
 * ```ts
 * const rng = new SeededRandom(0);
 * const { latents, labels } = classSweepLatents([rng.normal(100), rng.normal(100)], [0, 1, 2]); // 6 pairs
 * ```
 * @category Sampling
 */
export function classSweepLatents(noise: readonly ArrayLike<number>[], classes: readonly number[]): ClassSweep {
  if (!Array.isArray(noise) || noise.length === 0) {
    throw new ConfigError(`classSweepLatents: noise must be a non-empty array of vectors, got ${show(noise)}.`);
  }
  if (!Array.isArray(classes) || classes.length === 0 || !classes.every((c) => Number.isInteger(c) && c >= 0)) {
    throw new ConfigError(
      `classSweepLatents: classes must be a non-empty array of class indices, got ${show(classes)}.`,
    );
  }
  const latents: Float32Array[] = [];
  const labels = new Int32Array(classes.length * noise.length);
  classes.forEach((c, r) => {
    noise.forEach((z, k) => {
      latents.push(Float32Array.from(z));
      labels[r * noise.length + k] = c;
    });
  });
  return { latents, labels };
}

/** @throws ConfigError unless `method` is an interpolation method; returns its function. */
function pick(where: string, method: unknown): (a: ArrayLike<number>, b: ArrayLike<number>, t: number) => Float32Array {
  if (method === 'slerp') return slerp;
  if (method === 'linear') return lerp;
  throw new ConfigError(`${where}: method must be "slerp" or "linear", got ${show(method)}.`);
}

function checkSteps(where: string, steps: unknown, min: number): void {
  if (typeof steps !== 'number' || !Number.isInteger(steps) || steps < min) {
    throw new ConfigError(`${where}: steps must be an integer of at least ${min}, got ${show(steps)}.`);
  }
}

function checkPair(where: string, a: ArrayLike<number>, b: ArrayLike<number>, t: number): void {
  if (a?.length === undefined || b?.length === undefined || a.length !== b.length || a.length === 0) {
    throw new ConfigError(
      `${where}: a and b must be vectors of one non-zero length, got lengths ${a?.length} and ${b?.length}.`,
    );
  }
  if (typeof t !== 'number' || !Number.isFinite(t))
    throw new ConfigError(`${where}: t must be a finite number, got ${show(t)}.`);
}
