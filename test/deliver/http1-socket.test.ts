// The hand-written HTTP/1.1 POST (src/deliver/http1-socket.ts) against real servers: node:http for
// ordinary answers, raw TCP servers for the odd ones a collector or a proxy may give.
import { createServer as createHttpServer, type IncomingMessage, type Server } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Server as TcpServer, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { postOverSocket } from '../../src/deliver/http1-socket.js';
import { post } from '../../src/deliver/http-post.js';

interface Seen { method: string; url: string; headers: IncomingMessage['headers']; body: Buffer }

const servers: (Server | TcpServer)[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

async function listen<T extends Server | TcpServer>(server: T, host = '127.0.0.1'): Promise<string> {
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, host, r));
  const { port } = server.address() as AddressInfo;
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/** A node:http server answering with `answer`; what it received is pushed to `seen`. */
async function httpServer(answer: (req: IncomingMessage) => { status: number; headers?: Record<string, string>; body?: string }, seen: Seen[] = []) {
  const url = await listen(createHttpServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, headers: req.headers, body: Buffer.concat(chunks) });
      const a = answer(req);
      res.writeHead(a.status, a.headers).end(a.body ?? '');
    });
  }));
  return { url, seen };
}

/** A TCP server that answers every connection with `reply` (raw bytes), or never when undefined. */
async function rawServer(reply: ((socket: Socket) => void) | undefined) {
  const sockets: Socket[] = [];
  const server = createTcpServer((s) => {
    sockets.push(s);
    s.on('error', () => {});
    s.once('data', () => reply?.(s));
  });
  server.on('close', () => sockets.forEach((s) => s.destroy()));
  const url = await listen(server);
  return { url, close: () => sockets.forEach((s) => s.destroy()) };
}

const send = (url: string, body = '{"resourceMetrics":[]}', headers: Record<string, string> = {}, timeoutMs = 2000, signal?: AbortSignal) =>
  postOverSocket(new URL(url), Buffer.from(body), { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), ...headers }, { timeoutMs, signal });

describe('postOverSocket', () => {
  it('sends method, path with query, Host, headers and the exact body; reads the status', async () => {
    const { url, seen } = await httpServer(() => ({ status: 200, body: '{"partialSuccess":{}}' }));
    const body = JSON.stringify({ text: 'zürich ✓', n: 1 });
    const r = await send(`${url}/p/v1/metrics?x=1`, body, { 'x-api-key': 'k1' });
    expect(r).toEqual({ status: 200, retryAfterMs: undefined });
    expect(seen).toHaveLength(1);
    expect(seen[0]!.method).toBe('POST');
    expect(seen[0]!.url).toBe('/p/v1/metrics?x=1');
    expect(seen[0]!.headers.host).toBe(new URL(url).host);
    expect(seen[0]!.headers['x-api-key']).toBe('k1');
    expect(seen[0]!.headers.connection).toBe('close');
    expect(seen[0]!.body.toString('utf8')).toBe(body);
  });

  it('429 and 503 with Retry-After in seconds or as a date', async () => {
    const secs = await httpServer(() => ({ status: 429, headers: { 'Retry-After': '7' } }));
    expect(await send(secs.url)).toEqual({ status: 429, retryAfterMs: 7000 });
    const date = await httpServer(() => ({ status: 503, headers: { 'retry-after': new Date(Date.now() + 60_000).toUTCString() } }));
    const r = await send(date.url);
    expect(r.status).toBe(503);
    expect(r.retryAfterMs).toBeGreaterThan(50_000);
  });

  it('413 and a chunked answer body: the status, whatever the body', async () => {
    const { url } = await httpServer(() => ({ status: 413, body: 'x'.repeat(100_000) }));
    expect((await send(url)).status).toBe(413);
  });

  it('credentials in the URL become Basic auth; an Authorization header given wins', async () => {
    const { url, seen } = await httpServer(() => ({ status: 200 }));
    const u = new URL(url);
    await send(`http://us%20er:p%40ss@${u.host}/v1/traces`);
    expect(seen[0]!.headers.authorization).toBe(`Basic ${Buffer.from('us er:p@ss').toString('base64')}`);
    await send(`http://user:pass@${u.host}/v1/traces`, '{}', { authorization: 'Bearer t' });
    expect(seen[1]!.headers.authorization).toBe('Bearer t');
  });

  it('interim 100 Continue answers are skipped', async () => {
    const raw = await rawServer((s) => s.end('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n\r\n'));
    expect(await send(raw.url)).toEqual({ status: 202, retryAfterMs: undefined });
  });

  it('an answer that is not HTTP, a connection closed without an answer, an endless head: errors', async () => {
    const junk = await rawServer((s) => s.end('SSH-2.0-OpenSSH_9.6\r\n\r\n'));
    expect((await send(junk.url)).error).toBe('HPE_INVALID_CONSTANT');
    const hangup = await rawServer((s) => s.destroy());
    expect((await send(hangup.url)).error).toMatch(/^(ECONNRESET|EPIPE)$/);
    const endless = await rawServer((s) => { s.write('HTTP/1.1 200 OK\r\n'); s.write(`X-Long: ${'a'.repeat(20_000)}\r\n`); });
    expect((await send(endless.url)).error).toBe('HPE_HEADER_OVERFLOW');
  });

  it('a server that never answers: timeout at the bound; an abort: aborted at once', async () => {
    const silent = await rawServer(undefined);
    const t0 = Date.now();
    expect(await send(silent.url, '{}', {}, 300)).toEqual({ error: 'timeout' });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(250);
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 50);
    expect(await send(silent.url, '{}', {}, 5000, ac.signal)).toEqual({ error: 'aborted' });
    const already = new AbortController();
    already.abort();
    expect(await send(silent.url, '{}', {}, 5000, already.signal)).toEqual({ error: 'aborted' });
  });

  it('nobody listening: the connection error code', async () => {
    const { url } = await httpServer(() => ({ status: 200 }));
    await new Promise((r) => servers.pop()!.close(r));
    expect((await send(url)).error).toBe('ECONNREFUSED');
  });

  it('a header value with CR/LF or a bad header name is refused before anything is sent', async () => {
    const { url, seen } = await httpServer(() => ({ status: 200 }));
    expect((await send(url, '{}', { 'x-a': 'v\r\nInjected: 1' })).error).toMatch(/invalid value for header/);
    expect((await send(url, '{}', { 'bad name': 'v' })).error).toMatch(/invalid header name/);
    expect(seen).toHaveLength(0);
  });

  it('IPv6 literal hosts', async () => {
    let url: string;
    try {
      url = await listen(createHttpServer((_q, res) => res.writeHead(204).end()), '::1');
    } catch {
      return; // no IPv6 loopback on this machine: nothing to check
    }
    expect((await send(`${url}/v1/traces`)).status).toBe(204);
  });

  it('post() uses it for http:// (gzip included)', async () => {
    const { url, seen } = await httpServer(() => ({ status: 200 }));
    const r = await post(`${url}/v1/metrics`, Buffer.from('{"a":1}'), { headers: {}, contentType: 'application/json', timeoutMs: 2000, compression: 'gzip' });
    expect(r.status).toBe(200);
    expect(seen[0]!.headers['content-encoding']).toBe('gzip');
    expect(seen[0]!.headers['user-agent']).toMatch(/^telemetry-agent\//);
    const { gunzipSync } = await import('node:zlib');
    expect(gunzipSync(seen[0]!.body).toString()).toBe('{"a":1}');
  });
});
