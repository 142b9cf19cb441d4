// A local OTLP/HTTP receiver for the benchmark: the repository's one OTLP/HTTP server
// (src/receiver/otlp-http-server.ts, bundled on the fly by esbuild since the benchmark runs plain
// Node) answering 200 with an empty OTLP response, as a healthy collector would. It counts
// requests per path so the benchmark can check that data really arrived, and while a capture is
// on keeps every request (body and header sizes) for the bytes-on-the-wire figure.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

const SERVER_SOURCE = fileURLToPath(new URL('../../src/receiver/otlp-http-server.ts', import.meta.url));

/** @returns {Promise<typeof import('../../src/receiver/otlp-http-server.ts')>} */
async function loadServer() {
  const result = await build({ entryPoints: [SERVER_SOURCE], bundle: true, platform: 'node', format: 'esm', target: 'node20', write: false, logLevel: 'silent' });
  const code = result.outputFiles[0].text;
  return import(`data:text/javascript;base64,${Buffer.from(code).toString('base64')}`);
}

/** @returns {Promise<{ url: string, port: number, requests: number, bytes: number, byPath: Record<string, number>, log: { at: number, path: string, bytes: number }[], capture(): () => { path: string, contentType: string, contentEncoding: string, headerBytes: number, body: Buffer }[], close(): Promise<void> }>} */
export async function startReceiver() {
  const { startOtlpHttpServer } = await loadServer();
  const stats = { requests: 0, bytes: 0, byPath: /** @type {Record<string, number>} */ ({}), log: /** @type {{ at: number, path: string, bytes: number }[]} */ ([]) };
  /** @type {{ path: string, contentType: string, contentEncoding: string, headerBytes: number, body: Buffer }[] | undefined} */
  let captured;
  const server = await startOtlpHttpServer({
    routes: 'any',
    // Roomy limits: the benchmark measures the agent, not the receiver's refusals.
    maxBodyBytes: 64 * 1024 * 1024,
    maxBytesInFlight: 512 * 1024 * 1024,
    handle: (/** @type {import('../../src/receiver/otlp-http-server.ts').OtlpHttpRequest} */ req) => {
      const size = req.wireBody.length;
      if (captured) {
        // The request line and headers as sent (HTTP/1.1: "Name: value\r\n" each, then CRLF).
        const headerBytes = Buffer.byteLength(`${req.method} ${req.url} HTTP/${req.httpVersion}\r\n`) +
          req.rawHeaders.reduce((n, h) => n + Buffer.byteLength(h) + 2, 0) + 2; // ": " after a name, CRLF after a value
        captured.push({ path: req.path, contentType: String(req.headers['content-type'] ?? ''), contentEncoding: String(req.headers['content-encoding'] ?? ''), headerBytes, body: req.wireBody });
      }
      stats.requests++;
      stats.bytes += size;
      stats.byPath[req.path] = (stats.byPath[req.path] ?? 0) + 1;
      // Absolute arrival time (ms since the epoch, µs resolution), for the start-up timeline.
      if (stats.log.length < 10_000) stats.log.push({ at: performance.timeOrigin + performance.now(), path: req.path, bytes: size });
      return { status: 200 };
    },
  });
  return {
    url: server.url,
    port: server.port,
    get requests() { return stats.requests; },
    get bytes() { return stats.bytes; },
    get byPath() { return { ...stats.byPath }; },
    get log() { return stats.log; },
    /** Keeps every request from now on, until the returned function is called; it returns them. */
    capture() {
      captured = [];
      return () => { const c = captured ?? []; captured = undefined; return c; };
    },
    close: () => server.close(0),
  };
}

/** An address where nothing listens (the discard port on loopback): connections are refused at once. */
export const DOWN_ENDPOINT = 'http://127.0.0.1:9';
