// The OTLP/HTTP receiver of the end-to-end tests: the repository's one OTLP/HTTP server
// (src/receiver/otlp-http-server.ts) recording every request and answering as told.
import type http from 'node:http';
import type https from 'node:https';
import { startOtlpHttpServer, type OtlpHttpAnswer, type OtlpHttpRequest, type OtlpHttpServer, type OtlpHttpServerOptions } from '../../src/receiver/otlp-http-server.js';

/** Limits for test doubles: roomy, and no idle timeout, so a held answer stays held until close(). */
export const TEST_SERVER_LIMITS: Pick<OtlpHttpServerOptions, 'maxBodyBytes' | 'maxBytesInFlight' | 'timeouts'> = {
  maxBodyBytes: 64 * 1024 * 1024,
  maxBytesInFlight: 256 * 1024 * 1024,
  timeouts: { idleMs: 0 },
};

export interface Received {
  /** The request target, query included. */
  readonly path: string;
  readonly headers: http.IncomingHttpHeaders;
  /** The body with any Content-Encoding (gzip) undone. */
  readonly body: Buffer;
  /** Parsed JSON body (undefined for protobuf). */
  readonly json: any;
}

export type Behaviour =
  | { kind: 'ok' }
  | { kind: 'status'; status: number; retryAfter?: string; times?: number }
  | { kind: 'hang' };

/** A minimal OTLP/HTTP receiver for tests: records every request and answers as told. */
export class TestReceiver {
  readonly received: Received[] = [];
  behaviour: Behaviour = { kind: 'ok' };
  private server!: OtlpHttpServer;
  private statusCount = 0;

  /** `tls`: an https receiver (e.g. with `requestCert` for mutual TLS). */
  static async start(behaviour: Behaviour = { kind: 'ok' }, port = 0, tls?: https.ServerOptions): Promise<TestReceiver> {
    const r = new TestReceiver();
    r.behaviour = behaviour;
    r.server = await startOtlpHttpServer({ ...TEST_SERVER_LIMITS, port, tls, routes: 'any', handle: (req) => r.handle(req) });
    return r;
  }

  get port(): number {
    return this.server.port;
  }

  get endpoint(): string {
    return this.server.url;
  }

  /** Everything received as one string, to search for planted markers. */
  allBytes(): string {
    return this.received.map((r) => r.body.toString('utf8')).join('\n');
  }

  spans(): any[] {
    return this.received.filter((r) => r.path === '/v1/traces' && r.json).flatMap((r) =>
      r.json.resourceSpans.flatMap((rs: any) => rs.scopeSpans.flatMap((ss: any) => ss.spans.map((s: any) => ({ ...s, resource: rs.resource })))));
  }

  metrics(): any[] {
    return this.received.filter((r) => r.path === '/v1/metrics' && r.json).flatMap((r) =>
      r.json.resourceMetrics.flatMap((rm: any) => rm.scopeMetrics.flatMap((sm: any) => sm.metrics.map((m: any) => ({ ...m, resource: rm.resource })))));
  }

  resources(): any[] {
    return this.received.filter((r) => r.json).flatMap((r) => [...(r.json.resourceSpans ?? []), ...(r.json.resourceMetrics ?? [])].map((x: any) => x.resource));
  }

  async waitFor(predicate: () => boolean, timeoutMs = 10_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (!predicate()) {
      if (Date.now() > until) throw new Error('timed out waiting for the receiver');
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  async close(): Promise<void> {
    await this.server.close(0);
  }

  private handle(req: OtlpHttpRequest): OtlpHttpAnswer {
    const record = (): void => {
      this.received.push({ path: req.url, headers: req.headers, body: req.body, json: parseJson(req) });
    };
    const b = this.behaviour;
    if (b.kind === 'hang') {
      record();
      return 'hang';
    }
    if (b.kind === 'status' && (b.times === undefined || this.statusCount < b.times)) {
      this.statusCount++;
      return { status: b.status, retryAfter: b.retryAfter };
    }
    record();
    return { status: 200 };
  }
}

/** A JSON body, or undefined (protobuf, or not JSON at all). */
export function parseJson(req: OtlpHttpRequest): any {
  if (!String(req.headers['content-type']).includes('json')) return undefined;
  try {
    return JSON.parse(req.body.toString('utf8'));
  } catch {
    return undefined;
  }
}

export function attr(attrs: any[] | undefined, key: string): any {
  const kv = (attrs ?? []).find((a: any) => a.key === key);
  if (!kv) return undefined;
  const v = kv.value;
  if ('stringValue' in v) return v.stringValue;
  if ('intValue' in v) return Number(v.intValue);
  if ('doubleValue' in v) return v.doubleValue;
  if ('boolValue' in v) return v.boolValue;
  if ('arrayValue' in v) return (v.arrayValue.values ?? []).map((x: any) => x.stringValue ?? x.intValue ?? x.doubleValue);
  return v;
}
