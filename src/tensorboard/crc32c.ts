/**
 * CRC-32C (Castagnoli), the checksum of TFRecord files, and TensorFlow's masked form of it.
 *
 * @packageDocumentation
 */

/** The Castagnoli polynomial 0x1EDC6F41, bit-reversed for the right-shifting (LSB-first) form. */
const CASTAGNOLI_REVERSED = 0x82f63b78;
/** TensorFlow's mask constant: a masked CRC never equals the CRC of bytes that contain a CRC. */
const MASK_DELTA = 0xa282ead8;

/** One entry per byte value: the CRC register after shifting that byte through it. */
const TABLE: Uint32Array = /* @__PURE__ */ (() => {
  const table = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ CASTAGNOLI_REVERSED : c >>> 1;
    table[i] = c >>> 0;
  }
  return table;
})();

/**
 * CRC-32C (Castagnoli) of `bytes`, as an unsigned 32-bit integer.
 *
 * @param bytes - the data.
 * @returns the checksum; `crc32c(new TextEncoder().encode('123456789'))` is `0xe3069283`.
 * @example
 * ```ts
 * crc32c(new TextEncoder().encode('123456789')).toString(16); // 'e3069283'
 * ```
 * @category Logging
 */
export function crc32c(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) {
    crc = (TABLE[(crc ^ (bytes[i] as number)) & 0xff] as number) ^ (crc >>> 8);
  }
  return (crc ^ 0xffffffff) >>> 0;
}

/**
 * TensorFlow's masked CRC-32C, as stored in TFRecord files: the CRC rotated right by 15 bits plus
 * 0xa282ead8, modulo 2^32.
 *
 * @param bytes - the data.
 * @returns the masked checksum, an unsigned 32-bit integer.
 * @category Logging
 */
export function maskedCrc32c(bytes: Uint8Array): number {
  const crc = crc32c(bytes);
  return ((((crc >>> 15) | (crc << 17)) >>> 0) + MASK_DELTA) >>> 0;
}
