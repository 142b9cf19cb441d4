// Fault-injection helpers for the delivery tests: an OTLP/HTTP receiver that records every
// request together with the answer it gave (TestReceiver records only the accepted ones), a
// port nobody listens on, and readers for the on-disk queue. The receiver is the repository's
// one OTLP/HTTP server (src/receiver/otlp-http-server.ts) with a scripted answer.
import type http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { startOtlpHttpServer, type OtlpHttpAnswer, type OtlpHttpRequest, type OtlpHttpServer } from '../../src/receiver/otlp-http-server.js';
import { afterEach } from 'vitest';
import { parseJson, TEST_SERVER_LIMITS } from './otlp-test-receiver.js';

/**
 * How to answer one request: an HTTP status (with an optional Retry-After, after an optional delay
 * or once `until` settles), never, or a reset connection.
 */
export type Answer = { status: number; retryAfter?: string; delayMs?: number; until?: Promise<unknown> } | 'hang' | 'reset';

export interface FaultRequest {
  readonly path: string;
  readonly headers: http.IncomingHttpHeaders;
  /** The body as it came over the wire (still gzipped if it was sent so). */
  readonly body: Buffer;
  /** The JSON body, parsed after any Content-Encoding is undone; undefined for protobuf. */
  readonly json: any;
  readonly answer: Answer;
  readonly at: number;
}

/** Answers request number `index` (0-based, all paths counted together). */
export type Script = (req: { path: string; index: number; body: Buffer; headers: http.IncomingHttpHeaders }) => Answer;

export const OK: { status: number } = { status: 200 };

/** Answers every request as scripted and records it with its answer. */
export class FaultReceiver {
  readonly requests: FaultRequest[] = [];
  script: Script;
  private server!: OtlpHttpServer;

  private constructor(script: Script) {
    this.script = script;
  }

  static async start(script: Script = () => OK, port = 0): Promise<FaultReceiver> {
    const r = new FaultReceiver(script);
    r.server = await startOtlpHttpServer({ ...TEST_SERVER_LIMITS, port, routes: 'any', handle: (req) => r.handle(req) });
    return r;
  }

  get port(): number {
    return this.server.port;
  }

  get endpoint(): string {
    return this.server.url;
  }

  /** Requests answered 2xx: what was delivered. */
  delivered(): FaultRequest[] {
    return this.requests.filter((r) => typeof r.answer === 'object' && r.answer.status >= 200 && r.answer.status < 300);
  }

  spans(): any[] {
    return this.delivered().filter((r) => r.path === '/v1/traces' && r.json).flatMap((r) => spansOf(r.json));
  }

  metricNames(): string[] {
    return this.delivered().filter((r) => r.path === '/v1/metrics' && r.json).flatMap((r) => metricsOf(r.json).map((m: any) => m.name));
  }

  /** Sum of the data points of a counter over every delivered payload. */
  counterSum(name: string): number {
    return this.delivered().filter((r) => r.json?.resourceMetrics).flatMap((r) => metricsOf(r.json))
      .filter((m: any) => m.name === name)
      .flatMap((m: any) => m.sum?.dataPoints ?? [])
      .reduce((a: number, p: any) => a + Number(p.asInt ?? p.asDouble ?? 0), 0);
  }

  /** The resource of every delivered payload. */
  resources(): any[] {
    return this.delivered().filter((r) => r.json).flatMap((r) => [...(r.json.resourceSpans ?? []), ...(r.json.resourceMetrics ?? [])].map((x: any) => x.resource));
  }

  /** `service.instance.id` of every delivered payload, one entry per payload (duplicates show). */
  instanceIds(): string[] {
    return this.delivered().filter((r) => r.json).map((r) => instanceIdOf(r.json));
  }

  async waitFor(predicate: () => boolean, timeoutMs = 10_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (!predicate()) {
      if (Date.now() > until) throw new Error('timed out waiting for the fault receiver');
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  async close(): Promise<void> {
    await this.server.close(0);
  }

  private async handle(req: OtlpHttpRequest): Promise<OtlpHttpAnswer> {
    const path = req.url;
    const answer = this.script({ path, index: this.requests.length, body: req.wireBody, headers: req.headers });
    this.requests.push({ path, headers: req.headers, body: req.wireBody, json: parseJson(req), answer, at: Date.now() });
    if (typeof answer !== 'object' || answer.until === undefined) return answer;
    await answer.until.then(() => undefined, () => undefined);
    return { status: answer.status, retryAfter: answer.retryAfter };
  }
}

/** A localhost port with no listener: connections to it are refused. */
export async function refusedEndpoint(): Promise<string> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

export function spansOf(json: any): any[] {
  return (json?.resourceSpans ?? []).flatMap((rs: any) => (rs.scopeSpans ?? []).flatMap((ss: any) => (ss.spans ?? []).map((s: any) => ({ ...s, resource: rs.resource }))));
}

export function metricsOf(json: any): any[] {
  return (json?.resourceMetrics ?? []).flatMap((rm: any) => (rm.scopeMetrics ?? []).flatMap((sm: any) => sm.metrics ?? []));
}

export function instanceIdOf(json: any): string {
  const res = (json?.resourceSpans ?? json?.resourceMetrics ?? [])[0]?.resource;
  const kv = (res?.attributes ?? []).find((a: any) => a.key === 'service.instance.id');
  return kv?.value?.stringValue ?? '';
}

/** The queue directory of a product in a home prepared by cleanEnv (XDG_CACHE_HOME = <home>/.cache). */
export function queueDir(home: string, product = 'telemetry-agent'): string {
  return join(home, '.cache', 'telemetry-agent', 'products', product, 'queue');
}

/** Every file in the queue dir (payloads, claims, drop counts), sorted. */
export function queueEntries(home: string): string[] {
  const dir = queueDir(home);
  return existsSync(dir) ? readdirSync(dir).sort() : [];
}

/** Waiting payloads, oldest first, parsed (the OTLP body after the entry's header line). */
export function queuedPayloads(home: string): { name: string; signal: 'traces' | 'metrics'; header: any; json: any }[] {
  const dir = queueDir(home);
  return queueEntries(home).filter((n) => /^\d{13}-\d+-[0-9a-f]+\.(?:[0-9a-f]{32}\.)?(traces|metrics)\.json$/.test(n)).map((name) => {
    const text = readFileSync(join(dir, name), 'utf8');
    const nl = text.indexOf('\n');
    return {
      name,
      signal: name.includes('.traces.') ? 'traces' as const : 'metrics' as const,
      header: nl >= 0 ? JSON.parse(text.slice(0, nl)) : undefined,
      json: JSON.parse(nl >= 0 ? text.slice(nl + 1) : text),
    };
  });
}

/** Stderr lines written by the agent's debug switch. */
export function debugLines(stderr: string): string[] {
  return stderr.split('\n').filter((l) => l.startsWith('telemetry-agent debug:'));
}

/**
 * For a test file: a function that starts a collector (with `at`, on that endpoint's port: the
 * collector a down endpoint had, back up) and closes every one it started after each test.
 */
export function collectorsClosedAfterEach(): (script?: Script, at?: string) => Promise<FaultReceiver> {
  let receivers: FaultReceiver[] = [];
  afterEach(async () => {
    await Promise.all(receivers.map((r) => r.close()));
    receivers = [];
  });
  return async (script: Script = () => OK, at?: string) => {
    const r = await FaultReceiver.start(script, at ? Number(new URL(at).port) : 0);
    receivers.push(r);
    return r;
  };
}
