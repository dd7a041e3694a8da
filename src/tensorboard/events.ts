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
import { ProtoReader, ProtoWriter, WIRE } from './protobuf.js';
import { readTfRecords } from './records.js';

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
