// OTLP/HTTP answers: success is an empty Export*ServiceResponse, failure a google.rpc.Status,
// each in the encoding the client used (https://opentelemetry.io/docs/specs/otlp/#otlphttp-response).

import type { ServerResponse } from 'node:http';

export type BodyEncoding = 'json' | 'protobuf';

const CONTENT_TYPE: Record<BodyEncoding, string> = {
  json: 'application/json',
  protobuf: 'application/x-protobuf',
};

// google.rpc.Code values, matching the HTTP status the way the OTLP spec suggests.
const RPC_CODE: Record<number, number> = { 400: 3, 403: 7, 404: 5, 405: 12, 408: 4, 413: 8, 415: 3, 429: 8, 500: 13, 502: 14, 503: 14, 504: 4 };

export function encodingOf(contentType: string | undefined): BodyEncoding | undefined {
  const mediaType = (contentType ?? '').split(';')[0].trim().toLowerCase();
  if (mediaType === 'application/json') return 'json';
  if (mediaType === 'application/x-protobuf' || mediaType === 'application/protobuf') return 'protobuf';
  return undefined;
}

export type ExtraHeaders = Record<string, string | number>;

export function sendSuccess(res: ServerResponse, encoding: BodyEncoding, status = 200, headers: ExtraHeaders = {}): void {
  // An empty message: `{}` in JSON, zero bytes in protobuf.
  send(res, status, encoding, encoding === 'json' ? Buffer.from('{}') : Buffer.alloc(0), headers);
}

export function sendError(res: ServerResponse, status: number, message: string, encoding: BodyEncoding | undefined, headers: ExtraHeaders = {}): void {
  const code = RPC_CODE[status] ?? 2;
  if (encoding === 'json') send(res, status, 'json', Buffer.from(JSON.stringify({ code, message })), headers);
  else if (encoding === 'protobuf') send(res, status, 'protobuf', encodeRpcStatus(code, message), headers);
  else {
    const body = Buffer.from(`${message}\n`, 'utf8');
    res.writeHead(status, { ...headers, 'content-type': 'text/plain; charset=utf-8', 'content-length': body.length });
    res.end(body);
  }
}

function send(res: ServerResponse, status: number, encoding: BodyEncoding, body: Buffer, headers: ExtraHeaders): void {
  res.writeHead(status, { ...headers, 'content-type': CONTENT_TYPE[encoding], 'content-length': body.length });
  res.end(body);
}

/** google.rpc.Status { int32 code = 1; string message = 2; } */
export function encodeRpcStatus(code: number, message: string): Buffer {
  const text = Buffer.from(message, 'utf8');
  return Buffer.concat([Buffer.from([0x08]), varint(code), Buffer.from([0x12]), varint(text.length), text]);
}

function varint(n: number): Buffer {
  const bytes: number[] = [];
  let v = n >>> 0;
  while (v >= 0x80) {
    bytes.push((v & 0x7f) | 0x80);
    v >>>= 7;
  }
  bytes.push(v);
  return Buffer.from(bytes);
}
