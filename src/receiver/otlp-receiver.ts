// The receiver behind `telemetry-agent collect`: POST /v1/traces, /v1/metrics and /v1/logs
// (JSON or protobuf, optionally gzip) are appended as OTLP JSON lines, the format of the
// Collector's `file` exporter, to traces.jsonl, metrics.jsonl and logs.jsonl. A batch is
// answered 200 only once its line is written; a failed write is answered 503 (retry later).

import { lstat } from 'node:fs/promises';
import { formatBatchLine, summarizeLogs, summarizeMetrics, summarizeTraces, type BatchSummary } from './batch-summary.js';
import type { BodyEncoding } from './otlp-http-responses.js';
import { startOtlpHttpServer, type OtlpHttpRequest, type OtlpSignal, type ServerTimeouts } from './otlp-http-server.js';
import { decodeLogsRequest, decodeMetricsRequest, decodeTraceRequest } from './otlp-proto-schema.js';
import { busy, HttpError } from './request-body.js';
import { RotatingJsonlWriter, type OpenFile, type RotationOptions } from './rotating-jsonl-writer.js';

export { LISTEN_HOST } from './otlp-http-server.js';

export interface ReceiverOptions {
  readonly port: number;
  readonly outDir: string;
  readonly maxBodyBytes: number;
  readonly rotation: RotationOptions;
  /** One line per stored batch. */
  readonly onBatch: (line: string) => void;
  /** Problems worth a line on stderr (write failures); bad requests are only answered. */
  readonly onProblem: (line: string) => void;
  /** Server limits; the defaults of otlp-http-server.ts otherwise (tests make them small). */
  readonly maxBytesInFlight?: number;
  readonly maxConnections?: number;
  readonly timeouts?: Partial<ServerTimeouts>;
  /** How output files are opened (tests inject a failing disk). */
  readonly openFile?: OpenFile;
}

export interface RunningReceiver {
  readonly port: number;
  readonly url: string;
  readonly tracesPath: string;
  readonly metricsPath: string;
  readonly logsPath: string;
  readonly batches: Record<OtlpSignal, number>;
  /** Stops accepting, lets in-flight requests finish (briefly), and flushes the files. */
  close(): Promise<void>;
}

interface SignalRoute {
  readonly topKey: 'resourceSpans' | 'resourceMetrics' | 'resourceLogs';
  readonly decodeProtobuf: (bytes: Uint8Array) => object;
  readonly summarize: (request: unknown) => BatchSummary;
  readonly writer: RotatingJsonlWriter;
}

export async function startReceiver(options: ReceiverOptions): Promise<RunningReceiver> {
  const writer = (signal: OtlpSignal) => new RotatingJsonlWriter(options.outDir, signal, options.rotation, options.openFile);
  const routes: Record<OtlpSignal, SignalRoute> = {
    traces: { topKey: 'resourceSpans', decodeProtobuf: decodeTraceRequest, summarize: summarizeTraces, writer: writer('traces') },
    metrics: { topKey: 'resourceMetrics', decodeProtobuf: decodeMetricsRequest, summarize: summarizeMetrics, writer: writer('metrics') },
    logs: { topKey: 'resourceLogs', decodeProtobuf: decodeLogsRequest, summarize: summarizeLogs, writer: writer('logs') },
  };
  const writers = Object.values(routes).map((r) => r.writer);
  // Refuse to start over a planted link; each write refuses one again (O_NOFOLLOW).
  for (const w of writers) await refuseLink(w.path);
  const batches: Record<OtlpSignal, number> = { traces: 0, metrics: 0, logs: 0 };
  let lastProblem = '';

  async function handle(request: OtlpHttpRequest): Promise<{ status: number }> {
    const signal = request.signal!;
    const route = routes[signal];
    const batch = readBatch(route, request.body, request.encoding!);
    if (batch.hasEntries) {
      try {
        await route.writer.append(batch.line);
      } catch (error) {
        const line = `telemetry-agent collect: could not store a ${signal} batch (answered 503, the sender will retry): ${(error as Error).message}`;
        // One line per distinct problem, not one per retry of the same one.
        if (line !== lastProblem) options.onProblem(line);
        lastProblem = line;
        throw busy('could not store the data; retry later');
      }
      lastProblem = '';
      batches[signal]++;
      options.onBatch(formatBatchLine(signal, batch.summary));
    }
    return { status: 200 };
  }

  const server = await startOtlpHttpServer({
    port: options.port,
    maxBodyBytes: options.maxBodyBytes,
    maxBytesInFlight: options.maxBytesInFlight,
    maxConnections: options.maxConnections,
    timeouts: options.timeouts,
    handle,
    onProblem: options.onProblem,
  });

  return {
    port: server.port,
    url: server.url,
    tracesPath: routes.traces.writer.path,
    metricsPath: routes.metrics.writer.path,
    logsPath: routes.logs.writer.path,
    batches,
    async close() {
      await server.close();
      await Promise.all(writers.map((w) => w.flush()));
    },
  };
}

/**
 * The line to store and what it holds. The parsed request does not outlive this call, so a
 * batch waiting for the disk holds only its text.
 */
function readBatch(route: SignalRoute, body: Buffer, encoding: BodyEncoding): { line: string | Buffer; summary: BatchSummary; hasEntries: boolean } {
  let request: object;
  let line: string | Buffer;
  try {
    ({ request, line } = parseRequest(route, body, encoding));
  } catch (error) {
    if (isClientMistake(error)) throw new HttpError(400, `malformed ${encoding} body: ${(error as Error).message}`);
    throw error;
  }
  const entries = (request as Record<string, unknown>)[route.topKey];
  return { line, summary: route.summarize(request), hasEntries: Array.isArray(entries) && entries.length > 0 };
}

function parseRequest(route: SignalRoute, body: Buffer, encoding: BodyEncoding): { request: object; line: string | Buffer } {
  if (encoding === 'protobuf') {
    const request = route.decodeProtobuf(body);
    return { request, line: JSON.stringify(request) };
  }
  const json = body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf ? body.subarray(3) : body;
  const request: unknown = JSON.parse(json.toString('utf8'));
  if (request === null || typeof request !== 'object' || Array.isArray(request)) throw new SyntaxError('expected a JSON object');
  const entries = (request as Record<string, unknown>)[route.topKey];
  if (entries !== undefined && (!Array.isArray(entries) || entries.some((e) => e === null || typeof e !== 'object'))) {
    throw new SyntaxError(`"${route.topKey}" must be an array of objects`);
  }
  // Keep the client's own bytes: re-serialising would round int64 numbers above 2^53. Valid
  // JSON has raw line breaks only between tokens, so turning them into spaces (in place, no
  // copy of a large body) keeps it the same JSON on one line.
  for (let i = json.indexOf(0x0a); i >= 0; i = json.indexOf(0x0a, i + 1)) json[i] = 0x20;
  for (let i = json.indexOf(0x0d); i >= 0; i = json.indexOf(0x0d, i + 1)) json[i] = 0x20;
  return { request, line: json };
}

function isClientMistake(error: unknown): boolean {
  return error instanceof SyntaxError || (error as Error)?.name === 'ProtobufDecodeError' || error instanceof RangeError;
}

async function refuseLink(path: string): Promise<void> {
  const info = await lstat(path).catch(() => undefined);
  if (info?.isSymbolicLink()) {
    throw Object.assign(new Error(`${path} is a symbolic link; remove it (the receiver never writes through links)`), { code: 'ELINK' });
  }
}
