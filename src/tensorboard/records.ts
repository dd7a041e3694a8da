/**
 * TFRecord framing: each record is `uint64 length | uint32 masked_crc32c(length) | data |
 * uint32 masked_crc32c(data)`, little-endian, the container of TensorBoard's event files.
 *
 * @packageDocumentation
 */
import { DataError } from '../errors.js';
import { maskedCrc32c } from './crc32c.js';

/** Bytes of a record's header: the uint64 length and its masked CRC. */
const HEADER_BYTES = 12;
/** Bytes after a record's data: the data's masked CRC. */
const FOOTER_BYTES = 4;
const TWO_TO_32 = 2 ** 32;

/**
 * Frames `data` as one TFRecord: `uint64 length | uint32 masked_crc32c(length) | data |
 * uint32 masked_crc32c(data)`, all little-endian.
 *
 * @param data - the payload, e.g. {@link encodeEvent}'s bytes.
 * @returns the record's bytes, ready to append to an event file.
 * @category Logging
 */
export function tfRecord(data: Uint8Array): Uint8Array {
  const record = new Uint8Array(HEADER_BYTES + data.length + FOOTER_BYTES);
  const view = new DataView(record.buffer);
  view.setUint32(0, data.length % TWO_TO_32, true);
  view.setUint32(4, Math.floor(data.length / TWO_TO_32), true);
  view.setUint32(8, maskedCrc32c(record.subarray(0, 8)), true);
  record.set(data, HEADER_BYTES);
  view.setUint32(HEADER_BYTES + data.length, maskedCrc32c(data), true);
  return record;
}

/**
 * Splits a TFRecord file into its records' payloads, checking both CRCs of every record.
 *
 * @param bytes - the whole file.
 * @returns each record's data (views into `bytes`).
 * @throws {@link DataError} naming the record and byte offset when a CRC does not match or the file
 *   ends inside a record (as a file still being written may).
 * @category Logging
 */
export function readTfRecords(bytes: Uint8Array): Uint8Array[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const records: Uint8Array[] = [];
  let pos = 0;
  while (pos < bytes.length) {
    const at = `readTfRecords: record ${records.length} at byte ${pos}`;
    if (pos + HEADER_BYTES > bytes.length) throw new DataError(`${at}: the file ends inside the record's header.`);
    if (view.getUint32(pos + 8, true) !== maskedCrc32c(bytes.subarray(pos, pos + 8)))
      throw new DataError(`${at}: the length's CRC does not match (a corrupted or not a TFRecord file).`);
    const length = view.getUint32(pos, true) + view.getUint32(pos + 4, true) * TWO_TO_32;
    const start = pos + HEADER_BYTES;
    const end = start + length;
    if (end + FOOTER_BYTES > bytes.length)
      throw new DataError(`${at}: the file ends inside the record's ${length} bytes of data.`);
    const data = bytes.subarray(start, end);
    if (view.getUint32(end, true) !== maskedCrc32c(data)) throw new DataError(`${at}: the data's CRC does not match.`);
    records.push(data);
    pos = end + FOOTER_BYTES;
  }
  return records;
}
