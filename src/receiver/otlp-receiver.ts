// The OTLP/HTTP receiver behind `telemetry-agent collect`: POST /v1/traces and /v1/metrics
// (JSON or protobuf, optionally gzip) are appended as OTLP JSON lines, the format of the
// Collector's `file` exporter. POST /v1/logs is answered 200 and discarded: the agent sends no
// logs, and a stray logs exporter pointed here should not fill its app's stderr with errors.

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { formatBatchLine, summarizeMetrics, summarizeTraces, type BatchSummary } from './batch-summary.js';
import { encodingOf, sendError, sendSuccess, type BodyEncoding } from './otlp-http-responses.js';
import { decodeMetricsRequest, decodeTraceRequest } from './otlp-proto-schema.js';
import { decodeContentEncoding, HttpError, readLimitedBody } from './request-body.js';
import { RotatingJsonlWriter, type RotationOptions } from './rotating-jsonl-writer.js';

export const LISTEN_HOST = '127.0.0.1';

export interface ReceiverOptions {
  readonly port: number;
  readonly outDir: string;
  readonly maxBodyBytes: number;
  readonly rotation: RotationOptions;
  /** One line per stored batch. */
  readonly onBatch: (line: string) => void;
  /** Problems worth a line on stderr (write failures); bad requests are only answered. */
  readonly onProblem: (line: string) => void;
}

export interface RunningReceiver {
  readonly port: number;
  readonly url: string;
  readonly tracesPath: string;
  readonly metricsPath: string;
  readonly batches: { traces: number; metrics: number };
  /** Stops accepting, lets in-flight requests finish (briefly), and flushes the files. */
  close(): Promise<void>;
}

interface SignalRoute {
  readonly signal: 'traces' | 'metrics';
  readonly topKey: 'resourceSpans' | 'resourceMetrics';
  readonly decodeProtobuf: (bytes: Uint8Array) => object;
  readonly summarize: (request: unknown) => BatchSummary;
  readonly writer: RotatingJsonlWriter;
}

const CLOSE_GRACE_MS = 2000;

export async function startReceiver(options: ReceiverOptions): Promise<RunningReceiver> {
  const traces = route('traces', 'resourceSpans', decodeTraceRequest, summarizeTraces);
  const metrics = route('metrics', 'resourceMetrics', decodeMetricsRequest, summarizeMetrics);
  const routes = new Map<string, SignalRoute | 'discard'>([
    ['/v1/traces', traces],
    ['/v1/metrics', metrics],
    ['/v1/logs', 'discard'],
  ]);
  const batches = { traces: 0, metrics: 0 };

  function route(
    signal: SignalRoute['signal'],
    topKey: SignalRoute['topKey'],
    decodeProtobuf: SignalRoute['decodeProtobuf'],
    summarize: SignalRoute['summarize'],
  ): SignalRoute {
    return { signal, topKey, decodeProtobuf, summarize, writer: new RotatingJsonlWriter(options.outDir, signal, options.rotation) };
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const encoding = encodingOf(req.headers['content-type']);
    const path = (req.url ?? '/').split('?')[0];
    const target = routes.get(path);
    if (!target) return sendError(res, 404, `no such endpoint ${path}; use POST /v1/traces or /v1/metrics`, encoding);
    if (req.method !== 'POST') {
      res.setHeader('allow', 'POST');
      return sendError(res, 405, `${req.method} is not allowed; use POST`, encoding);
    }
    if (!encoding) {
      return sendError(res, 415, 'Content-Type must be application/json or application/x-protobuf', undefined);
    }
    try {
      const raw = await readLimitedBody(req, options.maxBodyBytes);
      const body = await decodeContentEncoding(raw, req.headers['content-encoding'], options.maxBodyBytes);
      if (target === 'discard') return sendSuccess(res, encoding);
      const { request, line } = parseRequest(target, body, encoding);
      const summary = target.summarize(request);
      if (hasEntries(request, target.topKey)) {
        await target.writer.append(line);
        batches[target.signal]++;
        options.onBatch(formatBatchLine(target.signal, summary));
      }
      sendSuccess(res, encoding);
    } catch (error) {
      if (error instanceof HttpError) {
        if (error.status === 413) res.setHeader('connection', 'close');
        return sendError(res, error.status, error.message, encoding);
      }
      if (isClientMistake(error)) return sendError(res, 400, `malformed ${encoding} body: ${(error as Error).message}`, encoding);
      options.onProblem(`telemetry-agent collect: could not store a batch: ${(error as Error).message}`);
      return sendError(res, 500, 'could not store the data', encoding);
    }
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      // Last line of defence: a bug here must cost one request, never the receiver.
      options.onProblem(`telemetry-agent collect: internal error: ${(error as Error)?.message ?? String(error)}`);
      if (!res.headersSent) sendError(res, 500, 'internal error', undefined);
      else res.destroy();
    });
  });
  server.requestTimeout = 30_000;
  server.headersTimeout = 10_000;
  server.on('clientError', (_error, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n');
    else socket.destroy();
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, LISTEN_HOST, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const writers = [traces.writer, metrics.writer];

  let closing: Promise<void> | undefined;
  return {
    port,
    url: `http://${LISTEN_HOST}:${port}`,
    tracesPath: traces.writer.path,
    metricsPath: metrics.writer.path,
    batches,
    close() {
      closing ??= (async () => {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        const timer = setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS);
        await closed;
        clearTimeout(timer);
        await Promise.all(writers.map((w) => w.flush()));
      })();
      return closing;
    },
  };
}

function parseRequest(route: SignalRoute, body: Buffer, encoding: BodyEncoding): { request: object; line: string } {
  if (encoding === 'protobuf') {
    const request = route.decodeProtobuf(body);
    return { request, line: JSON.stringify(request) };
  }
  let text = body.toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const request: unknown = JSON.parse(text);
  if (request === null || typeof request !== 'object' || Array.isArray(request)) throw new SyntaxError('expected a JSON object');
  const entries = (request as Record<string, unknown>)[route.topKey];
  if (entries !== undefined && (!Array.isArray(entries) || entries.some((e) => e === null || typeof e !== 'object'))) {
    throw new SyntaxError(`"${route.topKey}" must be an array of objects`);
  }
  // Keep the client's own text: re-serialising would round int64 numbers above 2^53.
  // JSON strings cannot hold raw line breaks, so replacing them keeps it one valid line.
  return { request, line: text.trim().replace(/[\r\n]+/g, ' ') };
}

function hasEntries(request: object, key: string): boolean {
  const entries = (request as Record<string, unknown>)[key];
  return Array.isArray(entries) && entries.length > 0;
}

function isClientMistake(error: unknown): boolean {
  return error instanceof SyntaxError || (error as Error)?.name === 'ProtobufDecodeError' || error instanceof RangeError;
}
