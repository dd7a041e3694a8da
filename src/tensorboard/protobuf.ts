/**
 * The few pieces of the protocol buffer wire format that TensorBoard's event files need: varints,
 * 32- and 64-bit little-endian fields, and length-delimited fields (strings, bytes, messages).
 *
 * @packageDocumentation
 */
import { DataError } from '../errors.js';

/** Wire types of the protocol buffer encoding. */
export const WIRE = { varint: 0, fixed64: 1, lengthDelimited: 2, fixed32: 5 } as const;

const TWO_TO_64 = 1n << 64n;
const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8', { fatal: true });

/** Builds one message's bytes field by field. Nested messages are encoded first, then added as bytes. */
export class ProtoWriter {
  private buffer = new Uint8Array(64);
  private length = 0;

  /** A varint field (int32, int64, enum, bool): `value` must be a safe integer. */
  varint(field: number, value: number): this {
    this.key(field, WIRE.varint);
    this.rawVarint(value < 0 ? BigInt.asUintN(64, BigInt(value)) : value);
    return this;
  }

  /** A `double` field. */
  double(field: number, value: number): this {
    this.key(field, WIRE.fixed64);
    new DataView(this.reserve(8).buffer).setFloat64(this.length - 8, value, true);
    return this;
  }

  /** A `float` field: `value` is rounded to float32. */
  float(field: number, value: number): this {
    this.key(field, WIRE.fixed32);
    new DataView(this.reserve(4).buffer).setFloat32(this.length - 4, value, true);
    return this;
  }

  /** A `bytes` field, or an embedded message's encoding. */
  bytes(field: number, value: Uint8Array): this {
    this.key(field, WIRE.lengthDelimited);
    this.rawVarint(value.length);
    this.reserve(value.length).set(value, this.length - value.length);
    return this;
  }

  /** A `string` field, UTF-8 encoded. */
  string(field: number, value: string): this {
    return this.bytes(field, utf8Encoder.encode(value));
  }

  /** The bytes written so far (a copy). */
  finish(): Uint8Array {
    return this.buffer.slice(0, this.length);
  }

  private key(field: number, wire: number): void {
    this.rawVarint(field * 8 + wire);
  }

  private rawVarint(value: number | bigint): void {
    if (typeof value === 'bigint') {
      let v = value;
      while (v >= 0x80n) {
        this.byte(Number(v & 0x7fn) | 0x80);
        v >>= 7n;
      }
      this.byte(Number(v));
      return;
    }
    let v = value;
    while (v >= 0x80) {
      this.byte((v % 0x80) | 0x80);
      v = Math.floor(v / 0x80);
    }
    this.byte(v);
  }

  private byte(b: number): void {
    this.reserve(1)[this.length - 1] = b;
  }

  /** Grows the buffer for `n` more bytes, advances the length, and returns the buffer. */
  private reserve(n: number): Uint8Array {
    if (this.length + n > this.buffer.length) {
      const grown = new Uint8Array(Math.max(this.buffer.length * 2, this.length + n));
      grown.set(this.buffer.subarray(0, this.length));
      this.buffer = grown;
    }
    this.length += n;
    return this.buffer;
  }
}

/** Reads one message's fields in order. Every read checks the bounds and throws DataError past them. */
export class ProtoReader {
  private pos = 0;
  private readonly view: DataView;

  /** @param data - one message's encoding. @param what - names the message in errors. */
  constructor(
    private readonly data: Uint8Array,
    private readonly what: string,
  ) {
    this.view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  }

  /** Whether every byte has been read. */
  get done(): boolean {
    return this.pos >= this.data.length;
  }

  /** The next field's number and wire type. */
  key(): { field: number; wire: number } {
    const key = this.uvarint();
    return { field: Math.floor(key / 8), wire: key % 8 };
  }

  /** A varint read as a signed 64-bit integer (int64, int32, enum), as a number. */
  int64(): number {
    return Number(BigInt.asIntN(64, this.bigVarint()));
  }

  /** A varint read as an unsigned integer (lengths, keys). */
  uvarint(): number {
    return Number(this.bigVarint());
  }

  /** A 64-bit little-endian `double`. */
  double(): number {
    this.need(8);
    const value = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return value;
  }

  /** A 32-bit little-endian `float`. */
  float(): number {
    this.need(4);
    const value = this.view.getFloat32(this.pos, true);
    this.pos += 4;
    return value;
  }

  /** A length-delimited field's bytes (a view into the message, not a copy). */
  bytes(): Uint8Array {
    const n = this.uvarint();
    this.need(n);
    const value = this.data.subarray(this.pos, this.pos + n);
    this.pos += n;
    return value;
  }

  /** A length-delimited field read as UTF-8. */
  string(): string {
    try {
      return utf8Decoder.decode(this.bytes());
    } catch (err) {
      if (err instanceof DataError) throw err;
      throw new DataError(`${this.what}: a string field is not valid UTF-8.`, { cause: err });
    }
  }

  /** Skips a field of an unknown number. */
  skip(wire: number): void {
    if (wire === WIRE.varint) this.bigVarint();
    else if (wire === WIRE.fixed64) this.advance(8);
    else if (wire === WIRE.lengthDelimited) this.bytes();
    else if (wire === WIRE.fixed32) this.advance(4);
    else throw new DataError(`${this.what}: unknown wire type ${wire} at byte ${this.pos}.`);
  }

  private bigVarint(): bigint {
    let value = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      this.need(1);
      const b = this.data[this.pos++] as number;
      value |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) return value % TWO_TO_64;
    }
    throw new DataError(`${this.what}: a varint is longer than 10 bytes at byte ${this.pos}.`);
  }

  private advance(n: number): void {
    this.need(n);
    this.pos += n;
  }

  private need(n: number): void {
    if (this.pos + n > this.data.length) {
      throw new DataError(
        `${this.what}: truncated, a field needs ${n} bytes at byte ${this.pos} of ${this.data.length}.`,
      );
    }
  }
}
