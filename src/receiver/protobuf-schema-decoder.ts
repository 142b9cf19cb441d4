// Decodes protobuf bytes into the proto3 JSON mapping, driven by a small schema table.
// Fields are emitted as they appear on the wire (a zero written explicitly stays), which is
// valid OTLP JSON and keeps oneof members such as `asInt: "0"` distinguishable from absence.

import { ProtobufDecodeError, WireReader, WireType, zigzag32 } from './protobuf-wire-reader.js';

export type ScalarType =
  | 'string'
  | 'bool'
  | 'int32'
  | 'uint32'
  | 'sint32'
  | 'enum'
  | 'int64'
  | 'uint64'
  | 'fixed32'
  | 'fixed64'
  | 'sfixed64'
  | 'double'
  | 'float'
  /** bytes shown as lowercase hex: OTLP JSON uses this for trace and span ids. */
  | 'hex'
  /** bytes shown as base64: the proto3 JSON default. */
  | 'base64';

/** [json name, scalar type or message name, repeated?]. Message names start with a capital letter. */
export type FieldSpec = readonly [json: string, type: ScalarType | string, repeated?: 'repeated'];
export type MessageSpec = Readonly<Record<number, FieldSpec>>;
export type Schema = Readonly<Record<string, MessageSpec>>;

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

const MAX_DEPTH = 64;

const WIRE_TYPE_OF: Record<ScalarType, number> = {
  string: WireType.LEN,
  bool: WireType.VARINT,
  int32: WireType.VARINT,
  uint32: WireType.VARINT,
  sint32: WireType.VARINT,
  enum: WireType.VARINT,
  int64: WireType.VARINT,
  uint64: WireType.VARINT,
  fixed32: WireType.I32,
  fixed64: WireType.I64,
  sfixed64: WireType.I64,
  double: WireType.I64,
  float: WireType.I32,
  hex: WireType.LEN,
  base64: WireType.LEN,
};

const utf8 = new TextDecoder('utf-8');

function isMessageType(type: string): boolean {
  return type.charCodeAt(0) >= 65 && type.charCodeAt(0) <= 90;
}

export function decodeMessage(schema: Schema, messageName: string, bytes: Uint8Array): JsonObject {
  return readMessage(schema, messageName, new WireReader(bytes), 0);
}

function readMessage(schema: Schema, messageName: string, reader: WireReader, depth: number): JsonObject {
  if (depth > MAX_DEPTH) throw new ProtobufDecodeError(`messages nested deeper than ${MAX_DEPTH}`);
  const spec = schema[messageName];
  if (!spec) throw new Error(`schema has no message ${messageName}`);
  const out: JsonObject = {};
  while (!reader.atEnd()) {
    const { field, wireType } = reader.tag();
    const fieldSpec = spec[field];
    if (!fieldSpec) {
      reader.skip(wireType, field);
      continue;
    }
    const [json, type, repeated] = fieldSpec;
    if (isMessageType(type)) {
      expectWireType(messageName, json, wireType, WireType.LEN);
      const value = readMessage(schema, type, reader.sub(), depth + 1);
      if (repeated) appendTo(out, json, value);
      else out[json] = value;
      continue;
    }
    const scalar = type as ScalarType;
    const expected = WIRE_TYPE_OF[scalar];
    if (repeated && wireType === WireType.LEN && expected !== WireType.LEN) {
      // Packed encoding: one length-delimited run of values (proto3's default for numbers).
      const run = reader.sub();
      const list = ensureArray(out, json);
      while (!run.atEnd()) list.push(readScalar(run, scalar));
      continue;
    }
    expectWireType(messageName, json, wireType, expected);
    const value = readScalar(reader, scalar);
    if (repeated) appendTo(out, json, value);
    else out[json] = value;
  }
  return out;
}

function readScalar(reader: WireReader, type: ScalarType): JsonValue {
  switch (type) {
    case 'string':
      return utf8.decode(reader.bytes());
    case 'bool':
      return reader.varint64() !== 0n;
    case 'int32':
    case 'enum':
      return reader.varint32() | 0;
    case 'uint32':
      return reader.varint32();
    case 'sint32':
      return zigzag32(reader.varint32());
    // 64-bit integers become decimal strings, as proto3 JSON specifies, so no precision is lost.
    case 'int64':
      return BigInt.asIntN(64, reader.varint64()).toString();
    case 'uint64':
      return reader.varint64().toString();
    case 'fixed64':
      return reader.fixed64().toString();
    case 'sfixed64':
      return BigInt.asIntN(64, reader.fixed64()).toString();
    case 'fixed32':
      return reader.fixed32();
    case 'double':
      return jsonNumber(reader.double());
    case 'float':
      return jsonNumber(reader.float());
    case 'hex':
      return Buffer.from(reader.bytes()).toString('hex');
    case 'base64':
      return Buffer.from(reader.bytes()).toString('base64');
  }
}

/** JSON has no NaN or Infinity; proto3 JSON spells them as strings. */
function jsonNumber(n: number): JsonValue {
  if (Number.isFinite(n)) return n;
  if (Number.isNaN(n)) return 'NaN';
  return n > 0 ? 'Infinity' : '-Infinity';
}

function expectWireType(message: string, field: string, actual: number, expected: number): void {
  if (actual !== expected) throw new ProtobufDecodeError(`${message}.${field}: wire type ${actual}, expected ${expected}`);
}

function ensureArray(out: JsonObject, key: string): JsonValue[] {
  const existing = out[key];
  if (Array.isArray(existing)) return existing;
  const list: JsonValue[] = [];
  out[key] = list;
  return list;
}

function appendTo(out: JsonObject, key: string, value: JsonValue): void {
  ensureArray(out, key).push(value);
}
