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
