// A generic reader for the protobuf wire format (https://protobuf.dev/programming-guides/encoding/).
// It knows nothing about OTLP: otlp-proto-schema.ts says what each field means.
// Every read is bounds-checked so a hostile body ends in ProtobufDecodeError, never a crash.

export const WireType = {
  VARINT: 0,
  I64: 1,
  LEN: 2,
  START_GROUP: 3,
  END_GROUP: 4,
  I32: 5,
} as const;

export class ProtobufDecodeError extends Error {
  override name = 'ProtobufDecodeError';
}

export interface Tag {
  readonly field: number;
  readonly wireType: number;
}

export class WireReader {
  private pos: number;
  private readonly view: DataView;

  constructor(
    private readonly buf: Uint8Array,
    start = 0,
    private readonly end = buf.length,
  ) {
    this.pos = start;
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  atEnd(): boolean {
    return this.pos >= this.end;
  }

  tag(): Tag {
    const raw = this.varint32();
    const field = raw >>> 3;
    if (field === 0) throw new ProtobufDecodeError(`field number 0 at byte ${this.pos}`);
    return { field, wireType: raw & 7 };
  }

  /** The low 32 bits of a varint of up to 10 bytes, as an unsigned number (int32 callers apply `| 0`). */
  varint32(): number {
    let result = 0;
    for (let i = 0; i < 10; i++) {
      const b = this.byte();
      // Bits past 32 are dropped: that is how protobuf truncates int64 varints read as 32-bit.
      if (i < 5) result += (b & 0x7f) * 2 ** (7 * i);
      if (b < 0x80) return result % 2 ** 32;
    }
    throw new ProtobufDecodeError('varint longer than 10 bytes');
  }

  /** A full 64-bit varint as an unsigned bigint. */
  varint64(): bigint {
    let result = 0n;
    for (let i = 0; i < 10; i++) {
      const b = this.byte();
      result |= BigInt(b & 0x7f) << BigInt(7 * i);
      if (b < 0x80) return BigInt.asUintN(64, result);
    }
    throw new ProtobufDecodeError('varint longer than 10 bytes');
  }

  fixed32(): number {
    this.need(4);
    const v = this.view.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }

  fixed64(): bigint {
    this.need(8);
    const v = this.view.getBigUint64(this.pos, true);
    this.pos += 8;
    return v;
  }

  double(): number {
    this.need(8);
    const v = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return v;
  }

  float(): number {
    this.need(4);
    const v = this.view.getFloat32(this.pos, true);
    this.pos += 4;
    return v;
  }

  /** A length-delimited payload (string, bytes, embedded message or packed run), without copying. */
  bytes(): Uint8Array {
    const len = this.varint32();
    this.need(len);
    const out = this.buf.subarray(this.pos, this.pos + len);
    this.pos += len;
    return out;
  }

  /** A reader over the next length-delimited payload; this reader moves past it. */
  sub(): WireReader {
    const len = this.varint32();
    this.need(len);
    const reader = new WireReader(this.buf, this.pos, this.pos + len);
    this.pos += len;
    return reader;
  }

  skip(wireType: number, field = 0): void {
    switch (wireType) {
      case WireType.VARINT:
        this.varint64();
        return;
      case WireType.I64:
        this.need(8);
        this.pos += 8;
        return;
      case WireType.LEN:
        this.bytes();
        return;
      case WireType.I32:
        this.need(4);
        this.pos += 4;
        return;
      case WireType.START_GROUP:
        // Groups are obsolete but legal; skip to the matching END_GROUP.
        for (;;) {
          const t = this.tag();
          if (t.wireType === WireType.END_GROUP) {
            if (t.field !== field) throw new ProtobufDecodeError(`unbalanced group ${field}`);
            return;
          }
          this.skip(t.wireType, t.field);
        }
      default:
        throw new ProtobufDecodeError(`invalid wire type ${wireType} at byte ${this.pos}`);
    }
  }

  private byte(): number {
    if (this.pos >= this.end) throw new ProtobufDecodeError('truncated message');
    return this.buf[this.pos++];
  }

  private need(n: number): void {
    if (n > this.end - this.pos) throw new ProtobufDecodeError(`truncated message: need ${n} bytes at ${this.pos}, have ${this.end - this.pos}`);
  }
}

export function zigzag32(n: number): number {
  return (n >>> 1) ^ -(n & 1);
}
