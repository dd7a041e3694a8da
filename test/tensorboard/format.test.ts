/**
 * TensorBoard's file format: the CRC-32C, the TFRecords and the Event protocol buffers, checked
 * against the standard CRC check value, the header every TensorFlow event file starts with, and an
 * independent protocol buffer implementation (protobufjs).
 */
import {
  ConfigError,
  crc32c,
  DataError,
  decodeEvent,
  encodeEvent,
  fileVersionEvent,
  imageEvent,
  maskedCrc32c,
  parseEventFile,
  readTfRecords,
  scalarEvent,
  sessionStartEvent,
  type TensorBoardEvent,
  tfRecord,
} from 'ts-gan';
import { describe, expect, test } from 'vitest';
import { decodeIndependently, Event } from '../support/tensorboard-proto';

const utf8 = (s: string) => new TextEncoder().encode(s);

describe('CRC-32C and TFRecords', () => {
  test('crc32c("123456789") is the standard check value 0xE3069283; the empty string is 0', () => {
    expect(crc32c(utf8('123456789'))).toBe(0xe3069283);
    expect(crc32c(new Uint8Array(0))).toBe(0);
  });

  test('the first record starts with the 12 bytes every TensorFlow event file starts with', () => {
    // A file_version event is 24 bytes; TensorFlow's files begin 18 00 00 00 00 00 00 00 a3 7f 4b 22.
    const first = tfRecord(encodeEvent(fileVersionEvent(1_700_000_000.25)));
    expect(Buffer.from(first.subarray(0, 12)).toString('hex')).toBe('1800000000000000a37f4b22');
    expect(first.length).toBe(12 + 24 + 4);
    // The data's masked CRC, from crc32c and the mask written out here.
    const crc = crc32c(first.subarray(12, 36));
    const masked = ((((crc >>> 15) | (crc << 17)) >>> 0) + 0xa282ead8) >>> 0;
    expect(Buffer.from(first.subarray(36)).readUInt32LE(0)).toBe(masked);
    expect(maskedCrc32c(first.subarray(12, 36))).toBe(masked);
  });

  test('records split back into their payloads; a changed byte anywhere or a cut file is a DataError', () => {
    const payloads = [utf8('first'), new Uint8Array(0), utf8('a longer third payload')];
    const file = Buffer.concat(payloads.map(tfRecord));
    expect(readTfRecords(file).map((r) => Buffer.from(r).toString())).toEqual(['first', '', 'a longer third payload']);
    for (let i = 0; i < file.length; i++) {
      const bad = Buffer.from(file);
      bad[i] = (bad[i] as number) ^ 0x04;
      expect(() => readTfRecords(bad), `byte ${i}`).toThrow(DataError);
    }
    expect(() => readTfRecords(file.subarray(0, file.length - 1))).toThrow(
      /record 2 at byte \d+: the file ends inside/,
    );
  });
});

describe('Event protocol buffers', () => {
  const image = { width: 3, height: 2, encoded: new Uint8Array([137, 80, 78, 71, 0, 255]) };
  const events: TensorBoardEvent[] = [
    fileVersionEvent(1_700_000_000.125),
    scalarEvent(7, { 'train/dLoss': 0.6934, 'train/gLoss': -2.5e-8, nan: Number.NaN, big: 3e38 }, 1_700_000_001.5),
    imageEvent(2 ** 40, 'samples/fixed-noise', image, 1_700_000_002),
    sessionStartEvent(1000, 1_700_000_003.75),
    scalarEvent(-3, { 'ünïcode/τ': 1 }, 0.5),
  ];

  test('protobufjs reads what encodeEvent writes, and decodeEvent agrees with it (float32 values)', () => {
    for (const event of events) {
      const bytes = encodeEvent(event);
      const independent = decodeIndependently(bytes);
      const ours = decodeEvent(bytes);
      expect(ours).toEqual(independent);
      expect(ours.step).toBe(event.step);
      expect(ours.wallTime).toBe(event.wallTime);
      for (const [i, v] of (event.summary ?? []).entries()) {
        const got = ours.summary?.[i];
        expect(got?.tag).toBe(v.tag);
        if (v.simpleValue !== undefined) expect(got?.simpleValue).toBe(Math.fround(v.simpleValue));
      }
    }
    expect(decodeIndependently(encodeEvent(events[2] as TensorBoardEvent)).summary?.[0]?.image).toEqual({
      ...image,
      colorspace: 4,
    });
    expect(decodeIndependently(encodeEvent(events[3] as TensorBoardEvent)).sessionLog).toEqual({ status: 'start' });
  });

  test('decodeEvent reads what protobufjs writes, skipping a tensor value it does not decode', () => {
    const message = Event.fromObject({
      wallTime: 12.5,
      step: 123_456_789_012,
      summary: {
        value: [
          { tag: 'a', simpleValue: 0.25 },
          { tag: 'skipped', tensor: { dtype: 1, floatVal: [1, 2] } },
          { tag: 'img', image: { height: 1, width: 2, colorspace: 1, encodedImageString: new Uint8Array([9, 8]) } },
        ],
      },
    });
    const event = decodeEvent(Event.encode(message).finish());
    expect(event).toEqual({
      wallTime: 12.5,
      step: 123_456_789_012,
      summary: [
        { tag: 'a', simpleValue: 0.25 },
        { tag: 'skipped' },
        { tag: 'img', image: { height: 1, width: 2, colorspace: 1, encoded: new Uint8Array([9, 8]) } },
      ],
    });
    expect(decodeEvent(Event.encode(Event.fromObject({ step: -2 })).finish()).step).toBe(-2);
  });

  test('bad events are refused: ConfigError to encode, DataError to decode', () => {
    expect(() => encodeEvent({ wallTime: 1, step: 1.5 })).toThrow(ConfigError);
    expect(() => encodeEvent({ wallTime: Number.NaN, step: 1 })).toThrow(/wallTime must be a finite/);
    expect(() => encodeEvent(scalarEvent(1, { '': 1 }, 1))).toThrow(/tag must be a non-empty string/);
    expect(() => encodeEvent({ wallTime: 1, step: 1, summary: [{ tag: 'x' }] })).toThrow(/neither a simpleValue/);
    const bytes = encodeEvent(scalarEvent(1, { x: 1 }, 1));
    expect(() => decodeEvent(bytes.subarray(0, bytes.length - 2))).toThrow(DataError);
  });
});

test('parseEventFile names the record of a malformed event', () => {
  const file = Buffer.concat([tfRecord(encodeEvent(fileVersionEvent(1))), tfRecord(new Uint8Array([0x0a, 0x05]))]);
  expect(() => parseEventFile(file)).toThrow(/parseEventFile: record 1: .*truncated/);
});
