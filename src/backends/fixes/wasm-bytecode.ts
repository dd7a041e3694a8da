/**
 * The few WebAssembly binary-format pieces the library's hand-assembled SIMD functions (the Adam
 * update, LeakyReLU, the SIMD probe) are written with: LEB128 numbers, sections, names, local
 * access and the SIMD opcode prefix; and the decoder of the modules assembled from WebAssembly
 * text (`wat/*.wat`, the GEMM and the convolution loops), which carry their bytes as base64.
 *
 * @packageDocumentation
 */

/** Unsigned LEB128. */
export function leb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

/** Signed LEB128, for i32.const immediates. */
export function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

/** A section: id, byte length, body. */
export function section(id: number, body: number[]): number[] {
  return [id, ...leb(body.length), ...body];
}

/** A name: length, then its (ASCII) bytes. */
export function str(s: string): number[] {
  return [...leb(s.length), ...Array.from(s, (c) => c.charCodeAt(0))];
}

/** Magic number and version 1. */
export const HEADER = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
/** Value types. */
export const I32 = 0x7f;
export const F32 = 0x7d;
export const V128 = 0x7b;
/** local.get / local.set of local `i`. */
export const get = (i: number) => [0x20, ...leb(i)];
export const set = (i: number) => [0x21, ...leb(i)];
/** A SIMD instruction (0xfd prefix). */
export const simd = (op: number) => [0xfd, ...leb(op)];
export const SPLAT = simd(0x13);
export const ADD = simd(0xe4);
export const MUL = simd(0xe6);
export const I32_ADD = 0x6a;

/** The bytes of a base64 string (the assembled WebAssembly text modules carry their bytes so). */
export function fromBase64(base64: string): Uint8Array {
  return Uint8Array.from(atob(base64), (ch) => ch.charCodeAt(0));
}
