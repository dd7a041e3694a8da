/**
 * Rewrites a WebAssembly module so that its imported memory is declared `shared`: the GEMM modules
 * (`wat/gemm.wat`, `wat/gemm-relaxed.wat`) import a plain memory, and an engine instantiates a
 * module on a shared `WebAssembly.Memory` (the one the GEMM's worker threads all see) only when
 * the import says `shared` with a maximum. Only the import section changes: the code is the same
 * bytes, so the threaded GEMM runs exactly the instructions of the one-thread GEMM.
 *
 * @packageDocumentation
 */
/** Unsigned LEB128, as the binary format writes sizes and counts. */
function leb(n: number): number[] {
  const out: number[] = [];
  let rest = n;
  do {
    let byte = rest & 0x7f;
    rest >>>= 7;
    if (rest !== 0) byte |= 0x80;
    out.push(byte);
  } while (rest !== 0);
  return out;
}

/** Reads an unsigned LEB128 at `at`; returns the value and the offset after it. */
function readLeb(bytes: Uint8Array, at: number): [number, number] {
  let value = 0;
  let shift = 0;
  let i = at;
  for (;;) {
    const byte = bytes[i++];
    if (byte === undefined) throw new RangeError('truncated LEB128');
    value += (byte & 0x7f) * 2 ** shift;
    if ((byte & 0x80) === 0) return [value, i];
    shift += 7;
  }
}

/** The import section's body with every memory import made `shared`, maximum `maxPages`. */
function sharedImports(body: Uint8Array, maxPages: number): number[] {
  const out: number[] = [];
  let [count, i] = readLeb(body, 0);
  out.push(...leb(count));
  for (; count > 0; count--) {
    for (let name = 0; name < 2; name++) {
      const [len, next] = readLeb(body, i);
      out.push(...body.subarray(i, next + len));
      i = next + len;
    }
    const kind = body[i++];
    out.push(kind as number);
    if (kind !== 0x02) throw new RangeError(`import kind ${kind} is not handled (only memories)`);
    const flags = body[i++] as number;
    const [min, afterMin] = readLeb(body, i);
    i = afterMin;
    if (flags & 0x01) i = readLeb(body, i)[1]; // an existing maximum is replaced
    out.push(0x03, ...leb(min), ...leb(maxPages));
  }
  return out;
}

/**
 * `bytes` with its memory import declared `shared` with maximum `maxPages` (64 KiB pages).
 * Throws a RangeError for a module that imports anything but memories.
 */
export function withSharedMemoryImport(bytes: Uint8Array, maxPages: number): Uint8Array {
  const out: number[] = [...bytes.subarray(0, 8)]; // magic and version
  let i = 8;
  while (i < bytes.length) {
    const id = bytes[i] as number;
    const [size, start] = readLeb(bytes, i + 1);
    const body = bytes.subarray(start, start + size);
    if (id === 2) {
      const imports = sharedImports(body, maxPages);
      out.push(2, ...leb(imports.length), ...imports);
    } else {
      out.push(...bytes.subarray(i, start + size));
    }
    i = start + size;
  }
  return new Uint8Array(out);
}
