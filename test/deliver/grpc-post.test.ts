import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { post } from '../../src/deliver/http-post.js';

// The gRPC framing and status mapping, seen from a bare node:http2 server (the e2e tests use a
// real @grpc/grpc-js server; this one shows the bytes).
interface Seen { headers: http2.IncomingHttpHeaders; frame: Buffer }
let server: http2.Http2Server;
let url: string;
const seen: Seen[] = [];
let answer = 0;

beforeAll(async () => {
  server = http2.createServer();
  server.on('stream', (stream, headers) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => {
      seen.push({ headers, frame: Buffer.concat(chunks) });
      stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
      stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': String(answer) }));
      stream.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://u:p%40ss@127.0.0.1:${(server.address() as AddressInfo).port}/opentelemetry.proto.collector.trace.v1.TraceService/Export`;
});
afterAll(async () => { await new Promise((r) => server.close(r)); });

const message = new Uint8Array(Buffer.from('protobuf-bytes'.repeat(20)));
const send = (compression: 'gzip' | 'none') => post(url, message, { headers: { 'X-Team': 'ml' }, contentType: 'application/grpc', timeoutMs: 5000, grpc: true, compression });

describe('OTLP/gRPC request', () => {
  it('frames the message (flag, big-endian length), sends metadata, user agent, timeout and Basic auth from the URL', async () => {
    answer = 0;
    expect(await send('none')).toEqual({ status: 200 });
    const s = seen.at(-1)!;
    expect(s.headers[':path']).toBe('/opentelemetry.proto.collector.trace.v1.TraceService/Export');
    expect(s.headers['content-type']).toBe('application/grpc');
    expect(s.headers.te).toBe('trailers');
    expect(s.headers['x-team']).toBe('ml');
    expect(s.headers['user-agent']).toMatch(/^telemetry-agent\//);
    expect(s.headers['grpc-timeout']).toMatch(/^\d+m$/);
    expect(s.headers.authorization).toBe(`Basic ${Buffer.from('u:p@ss').toString('base64')}`);
    expect(s.frame[0]).toBe(0);
    expect(s.frame.readUInt32BE(1)).toBe(message.byteLength);
    expect(s.frame.subarray(5)).toEqual(Buffer.from(message));
  });

  it('gzip: compressed flag 1 and grpc-encoding: gzip, the message gunzips to the original', async () => {
    answer = 0;
    await send('gzip');
    const s = seen.at(-1)!;
    expect(s.headers['grpc-encoding']).toBe('gzip');
    expect(s.frame[0]).toBe(1);
    expect(gunzipSync(s.frame.subarray(5))).toEqual(Buffer.from(message));
  });

  it('maps gRPC status codes onto the HTTP retry policy: retryable → 503, others → 400', async () => {
    for (const [code, status] of [[14, 503], [8, 503], [4, 503], [3, 400], [16, 400], [12, 400]] as const) {
      answer = code;
      expect(await send('none')).toEqual({ status });
    }
  });

  it('a refused connection is an error, not a status', async () => {
    const r = await post('http://127.0.0.1:1/x', message, { headers: {}, contentType: 'application/grpc', timeoutMs: 2000, grpc: true });
    expect(r.error).toBe('ECONNREFUSED');
  });
});
