/**
 * CRC-32 (IEEE 802.3, the zlib/PNG polynomial): the checksum a checkpoint's manifest keeps for each
 * block of weights, so that a torn or damaged write is detected instead of loaded.
 *
 * @packageDocumentation
 */

let table: Uint32Array | undefined;

function crcTable(): Uint32Array {
  if (table) return table;
  table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
}

/**
 * @param bytes - the data.
 * @returns its CRC-32 as 8 lower-case hex digits (`crc32("123456789")` is `cbf43926`).
 */
export function crc32(bytes: Uint8Array): string {
  const t = crcTable();
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = (t[(c ^ (bytes[i] as number)) & 0xff] as number) ^ (c >>> 8);
  return ((c ^ 0xffffffff) >>> 0).toString(16).padStart(8, '0');
}
