/**
 * The decoder of the library's WebAssembly modules. Every module is WebAssembly text
 * (`wat/*.wat`: the GEMM, the convolution loops, the Adam update, LeakyReLU, the SIMD probes),
 * assembled by `npm run build:wasm` into a `wat/<name>.bytes.ts` that carries its bytes as base64.
 *
 * @packageDocumentation
 */

/** The bytes of a base64 string (the assembled WebAssembly text modules carry their bytes so). */
export function fromBase64(base64: string): Uint8Array {
  return Uint8Array.from(atob(base64), (ch) => ch.charCodeAt(0));
}

/**
 * A WebAssembly module that imports one memory (`env.memory`), instantiated on demand: the function
 * returned gives its exports on `memory`, built once per memory, from `shared` where the memory is
 * shared (tfjs-wasm's threaded build, whose heap only a shared import accepts) and from `plain`
 * otherwise; null where the engine rejects the module (no WebAssembly SIMD) or there is no variant
 * for that kind of memory.
 */
export function instanceOnMemory(
  plain: string,
  shared?: string,
): (memory: WebAssembly.Memory) => WebAssembly.Exports | null {
  const modules = new Map<string, WebAssembly.Module | null>();
  const instances = new WeakMap<WebAssembly.Memory, WebAssembly.Exports | null>();
  const compile = (base64: string): WebAssembly.Module | null => {
    if (!modules.has(base64)) {
      try {
        modules.set(base64, new WebAssembly.Module(fromBase64(base64) as BufferSource));
      } catch {
        modules.set(base64, null);
      }
    }
    return modules.get(base64) ?? null;
  };
  return (memory) => {
    const known = instances.get(memory);
    if (known !== undefined) return known;
    let exports: WebAssembly.Exports | null = null;
    try {
      const isShared = typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
      const source = isShared ? shared : plain;
      const module = source === undefined ? null : compile(source);
      exports = module ? new WebAssembly.Instance(module, { env: { memory } }).exports : null;
    } catch {
      exports = null;
    }
    instances.set(memory, exports);
    return exports;
  };
}
