/**
 * TensorBoard event files, encoded and decoded without TensorFlow: `Event` protocol buffers
 * (tensorboard/compat/proto/event.proto and summary.proto) framed as TFRecords. Browser-safe: bytes
 * in, bytes out; writing files is the `TensorBoardCallback` of `ts-gan/node`.
 *
 * Scalars are written as `simple_value` and images as `Summary.Image` with a PNG, the forms
 * PyTorch's `SummaryWriter` writes by default; TensorBoard's loaders (the Python one and the Rust
 * data server) read both.
 *
 * @packageDocumentation
 */
import { ConfigError, DataError } from '../errors.js';
import { maskedCrc32c } from './crc32c.js';
import { ProtoReader, ProtoWriter, WIRE } from './protobuf.js';

/** The `file_version` of the first event of every file: TensorBoard checks its `brain.Event:` prefix. */
export const EVENT_FILE_VERSION = 'brain.Event:2';

/**
 * An encoded image in a summary (`Summary.Image`).
 * @category Logging
 */
export interface TensorBoardImage {
  /** Height in pixels. */
  height: number;
  /** Width in pixels. */
  width: number;
  /** 1 grey, 2 grey + alpha, 3 RGB, 4 RGBA. */
  colorspace: number;
  /** The encoded image (PNG). */
  encoded: Uint8Array;
}

/**
 * One tagged value of a summary (`Summary.Value`): a scalar, an image, or (when read from another
 * writer's file) a kind this reader does not decode, with neither set.
 * @category Logging
 */
export interface TensorBoardValue {
  /** The series' name, e.g. `train/dLoss`; TensorBoard groups tags by the part before the first `/`. */
  tag: string;
  /** A scalar, stored as float32. */
  simpleValue?: number;
  /** An encoded image. */
  image?: TensorBoardImage;
}

/**
 * One record of an event file (`Event`). Exactly one of `fileVersion`, `summary`, `sessionLog` is
 * set on the events this library writes.
 * @category Logging
 */
export interface TensorBoardEvent {
  /** Seconds since the Unix epoch. */
  wallTime: number;
  /** The global step. */
  step: number;
  /** `brain.Event:2` on the first event of a file. */
  fileVersion?: string;
  /** The values of a summary. */
  summary?: TensorBoardValue[];
  /** A session marker: `start` at a step tells TensorBoard that a run restarted there (as after a resume). */
  sessionLog?: { status: SessionStatus };
}

/**
 * The states of a `SessionLog`.
 * @category Logging
 */
export type SessionStatus = 'unspecified' | 'start' | 'stop' | 'checkpoint';
const SESSION_STATUSES: readonly SessionStatus[] = ['unspecified', 'start', 'stop', 'checkpoint'];

/** The RGBA colorspace of Summary.Image (pngjs writes RGBA). */
const RGBA = 4;

/**
 * The first event of every file: its format version.
 * @param wallTime - seconds since the Unix epoch.
 * @category Logging
 */
export function fileVersionEvent(wallTime: number): TensorBoardEvent {
  return { wallTime, step: 0, fileVersion: EVENT_FILE_VERSION };
}

/**
 * An event with one scalar per entry of `scalars`, tagged with the entry's key.
 *
 * @param step - the global step.
 * @param scalars - tag to value; values are stored as float32 (NaN and infinities included).
 * @param wallTime - seconds since the Unix epoch.
 * @example
 * ```ts
 * const bytes = tfRecord(encodeEvent(scalarEvent(100, { 'train/dLoss': 0.69 }, Date.now() / 1000)));
 * ```
 * @category Logging
 */
export function scalarEvent(
  step: number,
  scalars: Readonly<Record<string, number>>,
  wallTime: number,
): TensorBoardEvent {
  return { wallTime, step, summary: Object.entries(scalars).map(([tag, simpleValue]) => ({ tag, simpleValue })) };
}

/**
 * An event with one encoded image.
 *
 * @param step - the global step.
 * @param tag - the image series' name.
 * @param image - width, height and the PNG's bytes; colorspace defaults to 4 (RGBA).
 * @param wallTime - seconds since the Unix epoch.
 * @category Logging
 */
export function imageEvent(
  step: number,
  tag: string,
  image: { width: number; height: number; encoded: Uint8Array; colorspace?: number },
  wallTime: number,
): TensorBoardEvent {
  const { width, height, encoded } = image;
  return {
    wallTime,
    step,
    summary: [{ tag, image: { width, height, colorspace: image.colorspace ?? RGBA, encoded } }],
  };
}

/**
 * The `session_log { status: START }` event that marks a restart at `step`: TensorBoard's Python
 * loader then drops the events of earlier files at or after that step, as it does for TensorFlow's
 * own resumed runs.
 * @category Logging
 */
export function sessionStartEvent(step: number, wallTime: number): TensorBoardEvent {
  return { wallTime, step, sessionLog: { status: 'start' } };
}

/**
 * Encodes an event as an `Event` protocol buffer.
 *
 * @param event - the event.
 * @returns the message's bytes (frame them with {@link tfRecord} for a file).
 * @throws {@link ConfigError} for a step that is not a safe integer, a wall time that is not finite,
 *   an empty tag, or a value that is neither a scalar nor an image.
 * @category Logging
 */
export function encodeEvent(event: TensorBoardEvent): Uint8Array {
  if (!Number.isSafeInteger(event.step))
    throw new ConfigError(`encodeEvent: step must be an integer, got ${event.step}.`);
  if (!Number.isFinite(event.wallTime))
    throw new ConfigError(`encodeEvent: wallTime must be a finite number of seconds, got ${event.wallTime}.`);
  // Canonical proto3: fields at their default (0) are left out, as TensorFlow's writer does, so the
  // first record is the 24-byte file_version event that every event file starts with.
  const w = new ProtoWriter();
  if (event.wallTime !== 0) w.double(1, event.wallTime);
  if (event.step !== 0) w.varint(2, event.step);
  if (event.fileVersion !== undefined) w.string(3, event.fileVersion);
  if (event.summary !== undefined) {
    const summary = new ProtoWriter();
    for (const value of event.summary) summary.bytes(1, encodeValue(value));
    w.bytes(5, summary.finish());
  }
  if (event.sessionLog !== undefined) {
    const status = SESSION_STATUSES.indexOf(event.sessionLog.status);
    if (status < 0) throw new ConfigError(`encodeEvent: unknown session status ${String(event.sessionLog.status)}.`);
    w.bytes(7, new ProtoWriter().varint(1, status).finish());
  }
  return w.finish();
}

function encodeValue(value: TensorBoardValue): Uint8Array {
  if (typeof value.tag !== 'string' || value.tag === '')
    throw new ConfigError(`encodeEvent: a tag must be a non-empty string, got ${JSON.stringify(value.tag)}.`);
  const w = new ProtoWriter().string(1, value.tag);
  if (typeof value.simpleValue === 'number') return w.float(2, value.simpleValue).finish();
  if (value.image !== undefined) {
    const { height, width, colorspace, encoded } = value.image;
    const image = new ProtoWriter().varint(1, height).varint(2, width).varint(3, colorspace).bytes(4, encoded);
    return w.bytes(4, image.finish()).finish();
  }
  throw new ConfigError(`encodeEvent: the value of tag "${value.tag}" has neither a simpleValue nor an image.`);
}

/**
 * Decodes an `Event` protocol buffer. Fields this library does not write (graphs, tensors,
 * histograms) are skipped; their values come back with only a tag.
 *
 * @param bytes - one event's bytes (a record's payload).
 * @returns the event.
 * @throws {@link DataError} for bytes that are not a well-formed message.
 * @category Logging
 */
export function decodeEvent(bytes: Uint8Array): TensorBoardEvent {
  const r = new ProtoReader(bytes, 'decodeEvent');
  const event: TensorBoardEvent = { wallTime: 0, step: 0 };
  while (!r.done) {
    const { field, wire } = r.key();
    if (field === 1 && wire === WIRE.fixed64) event.wallTime = r.double();
    else if (field === 2 && wire === WIRE.varint) event.step = r.int64();
    else if (field === 3 && wire === WIRE.lengthDelimited) event.fileVersion = r.string();
    else if (field === 5 && wire === WIRE.lengthDelimited)
      event.summary = [...(event.summary ?? []), ...decodeSummary(r.bytes())];
    else if (field === 7 && wire === WIRE.lengthDelimited) event.sessionLog = decodeSessionLog(r.bytes());
    else r.skip(wire);
  }
  return event;
}

function decodeSummary(bytes: Uint8Array): TensorBoardValue[] {
  const r = new ProtoReader(bytes, 'decodeEvent: Summary');
  const values: TensorBoardValue[] = [];
  while (!r.done) {
    const { field, wire } = r.key();
    if (field === 1 && wire === WIRE.lengthDelimited) values.push(decodeValue(r.bytes()));
    else r.skip(wire);
  }
  return values;
}

function decodeValue(bytes: Uint8Array): TensorBoardValue {
  const r = new ProtoReader(bytes, 'decodeEvent: Summary.Value');
  const value: TensorBoardValue = { tag: '' };
  while (!r.done) {
    const { field, wire } = r.key();
    if (field === 1 && wire === WIRE.lengthDelimited) value.tag = r.string();
    else if (field === 2 && wire === WIRE.fixed32) value.simpleValue = r.float();
    else if (field === 4 && wire === WIRE.lengthDelimited) value.image = decodeImage(r.bytes());
    else r.skip(wire);
  }
  return value;
}

function decodeImage(bytes: Uint8Array): TensorBoardImage {
  const r = new ProtoReader(bytes, 'decodeEvent: Summary.Image');
  const image: TensorBoardImage = { height: 0, width: 0, colorspace: 0, encoded: new Uint8Array(0) };
  while (!r.done) {
    const { field, wire } = r.key();
    if (field === 1 && wire === WIRE.varint) image.height = r.int64();
    else if (field === 2 && wire === WIRE.varint) image.width = r.int64();
    else if (field === 3 && wire === WIRE.varint) image.colorspace = r.int64();
    else if (field === 4 && wire === WIRE.lengthDelimited)
      image.encoded = new Uint8Array(r.bytes()); // a copy, and a plain Uint8Array even from a Buffer
    else r.skip(wire);
  }
  return image;
}

function decodeSessionLog(bytes: Uint8Array): { status: SessionStatus } {
  const r = new ProtoReader(bytes, 'decodeEvent: SessionLog');
  let status: SessionStatus = 'unspecified';
  while (!r.done) {
    const { field, wire } = r.key();
    if (field === 1 && wire === WIRE.varint) status = SESSION_STATUSES[r.int64()] ?? 'unspecified';
    else r.skip(wire);
  }
  return { status };
}

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

/**
 * Decodes a whole event file: {@link readTfRecords} then {@link decodeEvent} on each record.
 *
 * @param bytes - the file's bytes.
 * @returns its events, in file order.
 * @throws {@link DataError} for a corrupted, truncated or malformed file.
 * @example
 * ```ts
 * const events = parseEventFile(new Uint8Array(await file.arrayBuffer()));
 * const dLoss = events.flatMap((e) => (e.summary ?? []).filter((v) => v.tag === 'train/dLoss'));
 * ```
 * @category Logging
 */
export function parseEventFile(bytes: Uint8Array): TensorBoardEvent[] {
  return readTfRecords(bytes).map((record, i) => {
    try {
      return decodeEvent(record);
    } catch (err) {
      if (err instanceof DataError) throw new DataError(`parseEventFile: record ${i}: ${err.message}`, { cause: err });
      throw err;
    }
  });
}
