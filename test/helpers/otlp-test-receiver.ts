import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';

export interface Received {
  readonly path: string;
  readonly headers: http.IncomingHttpHeaders;
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
  private server: http.Server = http.createServer((req, res) => this.handle(req, res));
  private scheme = 'http';
  private statusCount = 0;
  private hanging = new Set<http.ServerResponse>();

  /** `tls`: an https receiver (e.g. with `requestCert` for mutual TLS). */
  static async start(behaviour: Behaviour = { kind: 'ok' }, port = 0, tls?: https.ServerOptions): Promise<TestReceiver> {
    const r = new TestReceiver();
    r.behaviour = behaviour;
    if (tls) {
      r.server = https.createServer(tls, (req, res) => r.handle(req, res));
      r.scheme = 'https';
    }
    await new Promise<void>((resolve) => r.server.listen(port, '127.0.0.1', resolve));
    return r;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  get endpoint(): string {
    return `${this.scheme}://127.0.0.1:${this.port}`;
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
    for (const res of this.hanging) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let body = Buffer.concat(chunks);
      if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
      let json: any;
      if (String(req.headers['content-type']).includes('json')) {
        try { json = JSON.parse(body.toString('utf8')); } catch { json = undefined; }
      }
      const b = this.behaviour;
      if (b.kind === 'hang') {
        this.hanging.add(res);
        this.received.push({ path: req.url ?? '', headers: req.headers, body, json });
        return;
      }
      if (b.kind === 'status' && (b.times === undefined || this.statusCount < b.times)) {
        this.statusCount++;
        res.writeHead(b.status, b.retryAfter ? { 'retry-after': b.retryAfter } : {});
        res.end();
        return;
      }
      this.received.push({ path: req.url ?? '', headers: req.headers, body, json });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
    });
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
