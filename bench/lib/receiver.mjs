// A local OTLP/HTTP receiver for the benchmark: listens on 127.0.0.1 (a free port), reads each
// request body completely and answers 200 with an empty OTLP response, as a healthy collector
// would. It counts requests per path so the benchmark can check that data really arrived.
import { createServer } from 'node:http';

/** @returns {Promise<{ url: string, port: number, requests: number, bytes: number, byPath: Record<string, number>, log: { at: number, path: string, bytes: number }[], close(): Promise<void> }>} */
export async function startReceiver() {
  const stats = { requests: 0, bytes: 0, byPath: /** @type {Record<string, number>} */ ({}), log: /** @type {{ at: number, path: string, bytes: number }[]} */ ([]) };
  const server = createServer((req, res) => {
    let size = 0;
    req.on('data', (chunk) => { size += chunk.length; });
    req.on('end', () => {
      const path = (req.url ?? '/').split('?')[0];
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
    close: () => new Promise((resolve) => {
      server.closeAllConnections?.();
      server.close(() => resolve(undefined));
    }),
  };
}

/** An address where nothing listens (the discard port on loopback): connections are refused at once. */
export const DOWN_ENDPOINT = 'http://127.0.0.1:9';
