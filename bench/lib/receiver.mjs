// A local OTLP/HTTP receiver for the benchmark: listens on 127.0.0.1 (a free port), reads each
// request body completely and answers 200 with an empty OTLP response, as a healthy collector
// would. It counts requests per path so the benchmark can check that data really arrived, and
// while a capture is on keeps every request (body and header sizes) for the bytes-on-the-wire figure.
import { createServer } from 'node:http';

/** @returns {Promise<{ url: string, port: number, requests: number, bytes: number, byPath: Record<string, number>, log: { at: number, path: string, bytes: number }[], close(): Promise<void> }>} */
export async function startReceiver() {
  const stats = { requests: 0, bytes: 0, byPath: /** @type {Record<string, number>} */ ({}), log: /** @type {{ at: number, path: string, bytes: number }[]} */ ([]) };
  /** @type {{ path: string, contentType: string, contentEncoding: string, headerBytes: number, body: Buffer }[] | undefined} */
  let captured;
  const server = createServer((req, res) => {
    let size = 0;
    const chunks = [];
    req.on('data', (chunk) => { size += chunk.length; if (captured) chunks.push(chunk); });
    req.on('end', () => {
      const path = (req.url ?? '/').split('?')[0];
      if (captured) {
        // The request line and headers as sent (HTTP/1.1: "Name: value\r\n" each, then CRLF).
        const headerBytes = Buffer.byteLength(`${req.method} ${req.url} HTTP/${req.httpVersion}\r\n`) +
          req.rawHeaders.reduce((n, h) => n + Buffer.byteLength(h) + 2, 0) + 2; // ": " after a name, CRLF after a value
        captured.push({ path, contentType: String(req.headers['content-type'] ?? ''), contentEncoding: String(req.headers['content-encoding'] ?? ''), headerBytes, body: Buffer.concat(chunks) });
      }
      stats.requests++;
      stats.bytes += size;
      stats.byPath[path] = (stats.byPath[path] ?? 0) + 1;
      // Absolute arrival time (ms since the epoch, µs resolution), for the start-up timeline.
      if (stats.log.length < 10_000) stats.log.push({ at: performance.timeOrigin + performance.now(), path, bytes: size });
      // An empty Export*ServiceResponse: `{}` in JSON, zero bytes in protobuf.
      const json = String(req.headers['content-type'] ?? '').includes('json');
      const body = json ? '{}' : '';
      res.writeHead(200, { 'content-type': json ? 'application/json' : 'application/x-protobuf', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    });
    req.on('error', () => { try { res.destroy(); } catch { /* gone */ } });
  });
  server.keepAliveTimeout = 5_000;
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(undefined));
  });
  const { port } = /** @type {import('node:net').AddressInfo} */ (server.address());
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    get requests() { return stats.requests; },
    get bytes() { return stats.bytes; },
    get byPath() { return { ...stats.byPath }; },
    get log() { return stats.log; },
    /** Keeps every request from now on, until the returned function is called; it returns them. */
    capture() {
      captured = [];
      return () => { const c = captured ?? []; captured = undefined; return c; };
    },
    close: () => new Promise((resolve) => {
      server.closeAllConnections?.();
      server.close(() => resolve(undefined));
    }),
  };
}

/** An address where nothing listens (the discard port on loopback): connections are refused at once. */
export const DOWN_ENDPOINT = 'http://127.0.0.1:9';
