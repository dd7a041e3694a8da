/**
 * Vector arithmetic on plain arrays, in float64, for the latent tools.
 *
 * @packageDocumentation
 */

/** The dot product of two vectors of one length. */
export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] as number) * (b[i] as number);
  return s;
}

/** The Euclidean length of a vector. */
export function norm(a: ArrayLike<number>): number {
  return Math.sqrt(dot(a, a));
}

/** A unit vector perpendicular to `a`: the axis where |a| is smallest, with its `a` component removed. */
export function perpendicular(a: ArrayLike<number>, normA: number): Float64Array {
  let k = 0;
  for (let i = 1; i < a.length; i++) if (Math.abs(a[i] as number) < Math.abs(a[k] as number)) k = i;
  const u = new Float64Array(a.length);
  const along = (a[k] as number) / (normA * normA);
  for (let i = 0; i < a.length; i++) u[i] = (i === k ? 1 : 0) - along * (a[i] as number);
  const len = norm(u);
  // One-dimensional vectors have no perpendicular: the path then runs through zero, as lerp's does.
  if (len === 0) return u;
  for (let i = 0; i < a.length; i++) u[i] = (u[i] as number) / len;
  return u;
}
