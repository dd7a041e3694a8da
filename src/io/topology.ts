/**
 * Compares network architectures across processes. tfjs-layers names layers with per-process
 * counters (`dense_Dense3` here is `dense_Dense1` in a fresh process), so names are replaced by
 * their order of appearance before two topologies are compared.
 *
 * @packageDocumentation
 */

type JSONValue = null | boolean | number | string | JSONValue[] | { [key: string]: JSONValue };

/** Keys that describe the writer, not the architecture. */
const IGNORED_KEYS = new Set(['keras_version', 'backend']);

/**
 * @param topology - a Layers topology (`model.toJSON(null, false)` or a model.json's `modelTopology`).
 * @returns the same structure with every `name` value replaced by `#<order of first appearance>`.
 */
export function normalizeTopology(topology: unknown): JSONValue {
  const names = new Map<string, string>();
  const collect = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(collect);
    else if (v !== null && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        if (k === 'name' && typeof x === 'string' && !names.has(x)) names.set(x, `#${names.size}`);
        collect(x);
      }
    }
  };
  collect(topology);
  const rewrite = (v: unknown): JSONValue => {
    if (typeof v === 'string') return names.get(v) ?? v;
    if (Array.isArray(v)) return v.map(rewrite);
    if (v !== null && typeof v === 'object') {
      const out: { [key: string]: JSONValue } = {};
      for (const [k, x] of Object.entries(v)) if (!IGNORED_KEYS.has(k) && x !== undefined) out[k] = rewrite(x);
      return out;
    }
    return (v ?? null) as JSONValue;
  };
  return rewrite(topology);
}

/** The first difference between two JSON values: its path and both sides. */
export interface JSONDifference {
  path: string;
  left: unknown;
  right: unknown;
}

/** @returns the first difference between `a` and `b` in document order, or undefined when equal. */
export function firstDifference(a: JSONValue, b: JSONValue, path = ''): JSONDifference | undefined {
  if (a === b) return undefined;
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.min(a.length, b.length); i++) {
      const d = firstDifference(a[i] as JSONValue, b[i] as JSONValue, `${path}[${i}]`);
      if (d) return d;
    }
    return a.length === b.length ? undefined : { path: `${path}.length`, left: a.length, right: b.length };
  }
  if (isObject(a) && isObject(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
    for (const k of keys) {
      const d = firstDifference(a[k] ?? null, b[k] ?? null, path ? `${path}.${k}` : k);
      if (d) return d;
    }
    return undefined;
  }
  return { path: path || '(root)', left: a, right: b };
}

function isObject(v: JSONValue): v is { [key: string]: JSONValue } {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Formats a value of a difference for a message, short. */
export function showValue(v: unknown): string {
  const text = JSON.stringify(v) ?? String(v);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
