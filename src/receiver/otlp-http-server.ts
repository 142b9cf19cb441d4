// The one OTLP/HTTP server of this repository. `telemetry-agent collect`, the test receivers
// (test/helpers/) and the benchmark (bench/lib/receiver.mjs) differ only in what they do with a
// request (`handle`); listening, limits, timeouts, body decoding and answers live here once.
//
// Held under load and abuse:
// - loopback only, and only requests addressed to a loopback name (DNS rebinding);
// - request bytes in memory bounded across ALL requests: past the bound the answer is 503 with
//   Retry-After (an OTLP exporter retries it), never 400, which an exporter treats as final;
// - header, request and idle timeouts and a connection cap, so slow clients are closed.

import { createServer, STATUS_CODES, type IncomingHttpHeaders, type IncomingMessage, type ServerOptions, type ServerResponse } from 'node:http';
import { createServer as createTlsServer, type ServerOptions as TlsServerOptions } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { ByteBudget } from './byte-budget.js';
import { isLoopbackHost } from './loopback-host.js';
import { encodingOf, sendError, sendSuccess, type BodyEncoding, type ExtraHeaders } from './otlp-http-responses.js';
import { decodeContentEncoding, HttpError, readBody, RETRY_AFTER_SECONDS, type BodyLimits, type HeldBody } from './request-body.js';

export const LISTEN_HOST = '127.0.0.1';

export type OtlpSignal = 'traces' | 'metrics' | 'logs';

const SIGNAL_PATHS: ReadonlyMap<string, OtlpSignal> = new Map([
  ['/v1/traces', 'traces'],
  ['/v1/metrics', 'metrics'],
  ['/v1/logs', 'logs'],
]);

export interface OtlpHttpRequest {
  readonly method: string;
  /** The request target as sent, query included. */
  readonly url: string;
  /** The path without the query. */
  readonly path: string;
  /** The signal of an OTLP path, undefined for any other path. */
  readonly signal: OtlpSignal | undefined;
  readonly headers: IncomingHttpHeaders;
  /** Header names and values as sent, alternating (to measure what went over the wire). */
  readonly rawHeaders: readonly string[];
  readonly httpVersion: string;
  /** From Content-Type; undefined for anything but OTLP JSON and protobuf. */
  readonly encoding: BodyEncoding | undefined;
  /** The body as it came over the wire. */
  readonly wireBody: Buffer;
  /** The body with its Content-Encoding (gzip) undone. */
  readonly body: Buffer;
}

/**
 * How to answer: a status (2xx gets the empty OTLP success message in the request's encoding,
 * anything else a google.rpc.Status), optionally after a delay; or never (`hang`, until
 * close()); or a reset connection (`reset`).
 */
export type OtlpHttpAnswer = { status: number; retryAfter?: string | number; message?: string; delayMs?: number } | 'hang' | 'reset';

export interface ServerTimeouts {
  /** The request line and all headers must arrive within this. */
  readonly headersMs: number;
  /** The whole request, body included, must arrive within this. */
  readonly requestMs: number;
  /** A connection with no bytes moving either way for this long is closed. */
  readonly idleMs: number;
  /** How long a kept-alive connection may wait for its next request. */
  readonly keepAliveMs: number;
}

export interface OtlpHttpServerOptions {
  /** 0 (default) picks a free port. */
  readonly port?: number;
  /** Largest body of one request, before and after gunzip. Default 8 MB. */
  readonly maxBodyBytes?: number;
  /** Request bytes held in memory by all requests together. Default 16 MB. */
  readonly maxBytesInFlight?: number;
  /** Open connections; more are answered 503 and closed. Default 256. */
  readonly maxConnections?: number;
  readonly timeouts?: Partial<ServerTimeouts>;
  /**
   * 'otlp' (default) answers 404, 405 and 415 itself and hands over only POSTs of OTLP JSON or
   * protobuf to /v1/traces, /v1/metrics and /v1/logs. 'any' hands over every request (test
   * doubles that record whatever arrives).
   */
  readonly routes?: 'otlp' | 'any';
  /** Decides the answer. Throw an HttpError for a specific status; anything else is a 500. */
  readonly handle: (request: OtlpHttpRequest) => OtlpHttpAnswer | Promise<OtlpHttpAnswer>;
  /** Problems worth a line on stderr (bugs in `handle`). */
  readonly onProblem?: (line: string) => void;
  /** Serve HTTPS with these TLS options (tests of custom CAs and mutual TLS). */
  readonly tls?: TlsServerOptions;
}

export interface OtlpHttpServer {
  readonly port: number;
  readonly url: string;
  /** The most request bytes ever held at once, and how many connections are open. */
  readonly stats: { readonly peakBytesInFlight: number; readonly bytesInFlight: number; readonly connections: number };
  /** Stops accepting; in-flight requests get `graceMs` (default 2 s) to finish, hanging answers none. */
  close(graceMs?: number): Promise<void>;
}

export const DEFAULT_MAX_BODY_BYTES = 8 * 1024 * 1024;
export const DEFAULT_MAX_BYTES_IN_FLIGHT = 16 * 1024 * 1024;
export const DEFAULT_MAX_CONNECTIONS = 256;
export const DEFAULT_TIMEOUTS: ServerTimeouts = { headersMs: 10_000, requestMs: 30_000, idleMs: 30_000, keepAliveMs: 5_000 };

const BUSY_RESPONSE =
  `HTTP/1.1 503 Service Unavailable\r\nretry-after: ${RETRY_AFTER_SECONDS}\r\nconnection: close\r\n` +
  'content-type: text/plain; charset=utf-8\r\ncontent-length: 22\r\n\r\ntoo many connections\r\n';
/** How long an over-the-cap connection may stay to read its 503. */
const OVER_CAP_LINGER_MS = 1000;

export async function startOtlpHttpServer(options: OtlpHttpServerOptions): Promise<OtlpHttpServer> {
  const timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
  const maxConnections = options.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
  const routes = options.routes ?? 'otlp';
  const limits: BodyLimits = {
    maxBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    budget: new ByteBudget(options.maxBytesInFlight ?? DEFAULT_MAX_BYTES_IN_FLIGHT),
  };
  const onProblem = options.onProblem ?? (() => undefined);
  const sockets = new Set<Socket>();
  const overCap = new WeakSet<Socket>();
  const hanging = new Set<ServerResponse>();

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = req.url ?? '/';
    const path = url.split('?')[0];
    const encoding = encodingOf(req.headers['content-type']);
    if (!isLoopbackHost(req.headers.host)) {
      res.setHeader('connection', 'close');
      return sendError(res, 403, 'this receiver answers only requests addressed to localhost or a loopback address', encoding);
    }
    const signal = SIGNAL_PATHS.get(path);
    if (routes === 'otlp') {
      if (!signal) return sendError(res, 404, `no such endpoint ${path}; use POST /v1/traces, /v1/metrics or /v1/logs`, encoding);
      if (req.method !== 'POST') {
        res.setHeader('allow', 'POST');
        return sendError(res, 405, `${req.method} is not allowed; use POST`, encoding);
      }
      if (!encoding) return sendError(res, 415, 'Content-Type must be application/json or application/x-protobuf', undefined);
    }
    let held: HeldBody | undefined;
    try {
      held = await readBody(req, limits);
      const body = await decodeContentEncoding(held, req.headers['content-encoding'], limits);
      const answer = await options.handle({
        method: req.method ?? 'GET',
        url,
        path,
        signal,
        headers: req.headers,
        rawHeaders: req.rawHeaders,
        httpVersion: req.httpVersion,
        encoding,
        wireBody: held.body,
        body,
      });
      await deliver(req, res, answer, encoding);
    } catch (error) {
      if (!(error instanceof HttpError)) throw error;
      const headers: ExtraHeaders = {};
      if (error.retryAfterSeconds !== undefined) headers['retry-after'] = error.retryAfterSeconds;
      if (error.closeConnection) headers.connection = 'close';
      if (!res.headersSent && !res.destroyed) sendError(res, error.status, error.message, encoding, headers);
    } finally {
      if (held) limits.budget.give(held.held);
    }
  }

  async function deliver(req: IncomingMessage, res: ServerResponse, answer: OtlpHttpAnswer, encoding: BodyEncoding | undefined): Promise<void> {
    if (answer === 'hang') {
      hanging.add(res);
      res.on('close', () => hanging.delete(res));
      return;
    }
    if (answer === 'reset') {
      req.socket.destroy();
      return;
    }
    if (answer.delayMs) await new Promise((resolve) => setTimeout(resolve, answer.delayMs));
    if (res.destroyed) return;
    const headers: ExtraHeaders = answer.retryAfter !== undefined ? { 'retry-after': answer.retryAfter } : {};
    if (answer.status >= 200 && answer.status < 300) sendSuccess(res, encoding ?? 'json', answer.status, headers);
    else sendError(res, answer.status, answer.message ?? STATUS_CODES[answer.status] ?? 'error', encoding, headers);
  }

  const httpOptions: ServerOptions = {
    headersTimeout: Math.min(timeouts.headersMs, timeouts.requestMs),
    requestTimeout: timeouts.requestMs,
    keepAliveTimeout: timeouts.keepAliveMs,
    // Node checks the header and request deadlines on this interval (30 s by default, which
    // would let a slow client outlive a short deadline by that much).
    connectionsCheckingInterval: Math.max(10, Math.min(1000, Math.floor(timeouts.headersMs / 4))),
  };
  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    if (overCap.has(req.socket)) return;
    serve(req, res).catch((error: unknown) => {
      // Last line of defence: a bug here must cost one request, never the server.
      onProblem(`telemetry-agent collect: internal error: ${(error as Error)?.message ?? String(error)}`);
      if (!res.headersSent) sendError(res, 500, 'internal error', undefined);
      else res.destroy();
    });
  };
  const server = options.tls ? createTlsServer({ ...options.tls, ...httpOptions }, onRequest) : createServer(httpOptions, onRequest);
  // No bytes either way for idleMs: the socket is destroyed (there is no 'timeout' listener).
  server.timeout = timeouts.idleMs;
  server.on('connection', (socket: Socket) => {
    if (sockets.size >= maxConnections) {
      overCap.add(socket);
      socket.on('error', () => undefined);
      if (options.tls) return void socket.destroy();
      socket.resume();
      socket.end(BUSY_RESPONSE);
      setTimeout(() => socket.destroy(), OVER_CAP_LINGER_MS).unref();
      return;
    }
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
    // Timeouts are the server's own limit: 503 with Retry-After, not 400 (an exporter drops
    // data answered 400). Either way the connection is closed, not left half-open.
    const timedOut = error.code === 'ERR_HTTP_REQUEST_TIMEOUT' || error.code === 'ERR_HTTP_HEADERS_TIMEOUT';
    const tooLarge = error.code === 'HPE_HEADER_OVERFLOW';
    if (socket.writable && !overCap.has(socket)) {
      const status = timedOut ? '503 Service Unavailable' : tooLarge ? '431 Request Header Fields Too Large' : '400 Bad Request';
      const retry = timedOut ? `retry-after: ${RETRY_AFTER_SECONDS}\r\n` : '';
      socket.end(`HTTP/1.1 ${status}\r\n${retry}connection: close\r\ncontent-length: 0\r\n\r\n`);
    }
    socket.destroySoon();
    setTimeout(() => socket.destroy(), OVER_CAP_LINGER_MS).unref();
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, LISTEN_HOST, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;

  let closing: Promise<void> | undefined;
  return {
    port,
    url: `${options.tls ? 'https' : 'http'}://${LISTEN_HOST}:${port}`,
    stats: {
      get peakBytesInFlight() {
        return limits.budget.peak;
      },
      get bytesInFlight() {
        return limits.budget.inUse;
      },
      get connections() {
        return sockets.size;
      },
    },
    close(graceMs = 2000) {
      closing ??= (async () => {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        for (const res of hanging) res.destroy();
        server.closeIdleConnections();
        const timer = setTimeout(() => server.closeAllConnections(), graceMs);
        if (graceMs <= 0) server.closeAllConnections();
        await closed;
        clearTimeout(timer);
      })();
      return closing;
    },
  };
}
