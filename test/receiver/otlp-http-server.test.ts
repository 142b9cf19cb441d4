// The one OTLP/HTTP server: bounded memory across requests, slow clients closed, a connection
// cap, loopback Host names only. Limits and timeouts are made small here so the tests are
// quick; the defaults are exercised by otlp-receiver-load.test.ts.
import http from 'node:http';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startOtlpHttpServer, type OtlpHttpAnswer, type OtlpHttpServer, type OtlpHttpServerOptions } from '../../src/receiver/otlp-http-server.js';
import { isLoopbackHost } from '../../src/receiver/loopback-host.js';

const servers: OtlpHttpServer[] = [];
const sockets: net.Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  for (const s of servers.splice(0)) await s.close(0);
});

async function start(options: Partial<OtlpHttpServerOptions> = {}): Promise<OtlpHttpServer> {
  const server = await startOtlpHttpServer({ handle: () => ({ status: 200 }), ...options });
  servers.push(server);
  return server;
}

interface Answered {
  status: number | string;
  retryAfter?: string;
  body: string;
}

/** One request with node:http (not fetch: it lets the test set Host and stream the body). */
function request(url: string, body: Buffer | string, headers: Record<string, string | number> = {}, options: { chunked?: boolean; agent?: http.Agent } = {}): Promise<Answered> {
  return new Promise((resolve) => {
    const data = typeof body === 'string' ? Buffer.from(body) : body;
    const req = http.request(`${url}/v1/traces`, {
      method: 'POST',
      agent: options.agent,
      headers: { 'content-type': 'application/json', ...(options.chunked ? {} : { 'content-length': data.length }), ...headers },
    }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode!, retryAfter: res.headers['retry-after'], body: text }));
    });
    req.on('error', (error: NodeJS.ErrnoException) => resolve({ status: error.code ?? 'error', body: '' }));
    if (options.chunked) {
      // Several writes make Node send it chunked, without a Content-Length.
      for (let i = 0; i < data.length; i += 64 * 1024) req.write(data.subarray(i, i + 64 * 1024));
      req.end();
    } else req.end(data);
  });
}

function connect(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => resolve(socket));
    socket.on('error', reject);
    sockets.push(socket);
  });
}

/** Resolves with what the server sent once it closes the connection. */
function closedByServer(socket: net.Socket): Promise<string> {
  let received = '';
  socket.on('data', (c: Buffer) => (received += c.toString()));
  return new Promise((resolve) => socket.on('close', () => resolve(received)));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('bytes in flight across requests', () => {
  const MB = 1024 * 1024;

  for (const chunked of [false, true]) {
    it(`answers 503 with Retry-After past the bound, never 400, and holds no more than the bound (${chunked ? 'chunked' : 'Content-Length'})`, async () => {
      const release: Array<() => void> = [];
      let holding = true;
      // Requests that got in wait until the others have been answered, so they overlap.
      const server = await start({
        maxBytesInFlight: 2 * MB,
        handle: () => (holding ? new Promise<OtlpHttpAnswer>((resolve) => release.push(() => resolve({ status: 200 }))) : { status: 200 }),
      });
      const body = Buffer.alloc(MB - 100, 0x20);
      const agent = new http.Agent({ maxSockets: Infinity });
      const answers = Array.from({ length: 12 }, () => request(server.url, body, {}, { chunked, agent }));
      const settled: Answered[] = [];
      for (const a of answers) void a.then((x) => settled.push(x));
      // Every refused request is answered while the admitted ones are still held.
      for (let i = 0; i < 400 && settled.length + release.length < 12; i++) await sleep(25);
      holding = false;
      for (const r of release) r();
      const all = await Promise.all(answers);
      agent.destroy();
      const ok = all.filter((a) => a.status === 200);
      const busy = all.filter((a) => a.status === 503);
      expect(ok.length + busy.length, JSON.stringify(all.map((a) => a.status))).toBe(12);
      expect(ok.length).toBeGreaterThanOrEqual(1);
      expect(ok.length).toBeLessThanOrEqual(2);
      for (const b of busy) {
        expect(b.retryAfter).toMatch(/^\d+$/);
        expect(JSON.parse(b.body)).toMatchObject({ code: 14 });
      }
      expect(server.stats.peakBytesInFlight).toBeLessThanOrEqual(2 * MB);
      expect(server.stats.bytesInFlight).toBe(0);
      // The budget is given back: the next request gets in.
      expect((await request(server.url, body)).status).toBe(200);
    });
  }

  it('counts a gzip body and its expansion', async () => {
    const { gzipSync } = await import('node:zlib');
    const server = await start({ maxBodyBytes: MB, maxBytesInFlight: MB });
    // The wire body is small but the decoded one needs up to maxBodyBytes: it does not fit.
    expect((await request(server.url, gzipSync('{}'), { 'content-encoding': 'gzip' })).status).toBe(503);
    const roomy = await start({ maxBodyBytes: MB, maxBytesInFlight: 2 * MB });
    expect((await request(roomy.url, gzipSync('{}'), { 'content-encoding': 'gzip' })).status).toBe(200);
    expect(roomy.stats.bytesInFlight).toBe(0);
  });
});

describe('slow clients', () => {
  const timeouts = { headersMs: 300, requestMs: 600, idleMs: 400, keepAliveMs: 200 };

  it('closes a connection that never sends a byte', async () => {
    const server = await start({ timeouts });
    const socket = await connect(server.port);
    await closedByServer(socket);
    expect(socket.destroyed).toBe(true);
  });

  it('closes a connection stuck in its request line, answering 503 (retry), not 400', async () => {
    const server = await start({ timeouts });
    const socket = await connect(server.port);
    socket.write('POST /v1/tra');
    const received = await closedByServer(socket);
    if (received) expect(received).toMatch(/^HTTP\/1\.1 503 /);
  });

  it('closes a connection that sends one header line at a time (held up to 100 header times)', async () => {
    const server = await start({ timeouts });
    const socket = await connect(server.port);
    const closed = closedByServer(socket);
    let open = true;
    void closed.then(() => (open = false));
    socket.write(`POST /v1/traces HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\n`);
    // A header every 50 ms keeps the socket busy (so the idle timeout never fires) but the
    // headers never end: only the header deadline can close it.
    let sent = 0;
    for (; sent < 100 * (timeouts.headersMs / 50) && open; sent++) {
      socket.write(`x-slow-${sent}: 1\r\n`);
      await sleep(50);
    }
    expect(open).toBe(false);
    const received = await closed;
    if (received) expect(received).toMatch(/^HTTP\/1\.1 503 .*\r\nretry-after: \d+/s);
  });

  it('closes a connection that trickles its body', async () => {
    const server = await start({ timeouts });
    const socket = await connect(server.port);
    const closed = closedByServer(socket);
    let open = true;
    void closed.then(() => (open = false));
    socket.write(`POST /v1/traces HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n`);
    for (let i = 0; i < 2000 && open; i++) {
      socket.write(' ');
      await sleep(20);
    }
    expect(open).toBe(false);
  });

  it('closes an idle kept-alive connection after its last answer', async () => {
    const server = await start({ timeouts });
    const socket = await connect(server.port);
    const closed = closedByServer(socket);
    socket.write(`POST /v1/traces HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}`);
    expect(await closed).toMatch(/^HTTP\/1\.1 200 /);
  });

  it('answers connections over the cap 503 with Retry-After and closes them', async () => {
    const server = await start({ maxConnections: 3 });
    const held = await Promise.all([connect(server.port), connect(server.port), connect(server.port)]);
    for (let i = 0; i < 200 && server.stats.connections < 3; i++) await sleep(10);
    const extra = await connect(server.port);
    expect(await closedByServer(extra)).toMatch(/^HTTP\/1\.1 503 Service Unavailable\r\nretry-after: \d+\r\n/);
    for (const s of held) s.destroy();
    for (let i = 0; i < 200 && server.stats.connections > 0; i++) await sleep(10);
    expect((await request(server.url, '{}')).status).toBe(200);
  });
});

describe('Host header (DNS rebinding)', () => {
  it('refuses requests addressed to a name that is not loopback', async () => {
    let handled = 0;
    const server = await start({ handle: () => (handled++, { status: 200 }) });
    const port = server.port;
    for (const host of ['evil.example', `evil.example:${port}`, `127.0.0.1.evil.example:${port}`, '10.0.0.1', '[::2]', `localhost.evil.example:${port}`]) {
      const answer = await request(server.url, '{}', { host });
      expect({ host, status: answer.status }).toEqual({ host, status: 403 });
    }
    expect(handled).toBe(0);
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, 'localhost', `[::1]:${port}`, `app.localhost:${port}`, '127.1.2.3']) {
      const answer = await request(server.url, '{}', { host });
      expect({ host, status: answer.status }).toEqual({ host, status: 200 });
    }
    expect(handled).toBe(6);
  });

  it('knows loopback names and addresses', () => {
    expect(['localhost', 'LOCALHOST:80', '127.0.0.1', '127.255.0.1:4318', '[::1]', '[::1]:4318', 'a.b.localhost'].every(isLoopbackHost)).toBe(true);
    expect([undefined, '', 'example.com', '128.0.0.1', '127.0.0.256', '127.0.0.1:x', '[::1', '[::1]x', 'localhost:99999999', '0.0.0.0'].some(isLoopbackHost)).toBe(false);
  });
});

describe('answers as told', () => {
  it("hands over any path in 'any' mode, with the query, and answers status, hang and reset", async () => {
    const seen: string[] = [];
    const script: OtlpHttpAnswer[] = [{ status: 429, retryAfter: '7' }, 'reset', 'hang'];
    const server = await start({ routes: 'any', handle: (r) => (seen.push(r.url), script.shift() ?? { status: 200 }) });
    const limited = await request(server.url, '{}');
    expect(limited).toMatchObject({ status: 429, retryAfter: '7' });
    expect((await request(server.url, '{}')).status).toBe('ECONNRESET');
    const hanging = request(server.url, '{}');
    for (let i = 0; i < 200 && seen.length < 3; i++) await sleep(10);
    await server.close(0);
    servers.length = 0;
    expect((await hanging).status).toMatch(/ECONNRESET|socket hang up|error/);
    expect(seen).toEqual(['/v1/traces', '/v1/traces', '/v1/traces']);
  });
});
