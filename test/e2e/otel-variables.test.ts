// The OpenTelemetry exporter and SDK variables, one block per variable, each through real
// `node --import telemetry-agent` processes against local receivers (http, https, mutual TLS).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TestReceiver, attr, type Received } from '../helpers/otlp-test-receiver.js';
import { REPO, cleanEnv, runNode, tempHome } from '../helpers/run-node.js';
import { makeTestPki, type TestPki } from '../helpers/tls-certs.js';
import { noGpuDriver } from '../../src/collect/hardware.js';
import { readExportConfig } from '../../src/decide/export-config.js';
import { GrpcTestReceiver } from '../helpers/grpc-test-receiver.js';
import { ServerCredentials, status as grpcStatus } from '@grpc/grpc-js';

const app = (name: string) => join(REPO, 'test', 'fixtures', 'apps', name);
const version = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')).version as string;
let rx: TestReceiver;

beforeAll(async () => { rx = await TestReceiver.start(); });
afterAll(async () => { await rx.close(); });

interface Run { code: number | null; stdout: string; stderr: string; got: Received[] }

/** The progress-API app with consent granted; `pauseMs` between its two phases. */
async function run(extra: Record<string, string | undefined>, o: { receiver?: TestReceiver; pauseMs?: number; script?: string[]; home?: string } = {}): Promise<Run> {
  const r0 = o.receiver ?? rx;
  const before = r0.received.length;
  const env = cleanEnv(o.home ?? tempHome(), { TELEMETRY_AGENT_ENABLED: '1', TELEMETRY_AGENT_EXIT_SENDER: '0', OTEL_EXPORTER_OTLP_ENDPOINT: r0.endpoint, ...extra });
  const r = await runNode(o.script ?? ['--import', 'telemetry-agent', app('otel-signals.mjs'), String(o.pauseMs ?? 0)], { env });
  await new Promise((res) => setTimeout(res, 100));
  return { code: r.code, stdout: r.stdout, stderr: r.stderr, got: r0.received.slice(before) };
}

const paths = (got: Received[]) => got.map((g) => g.path);
const agentLines = (stderr: string) => stderr.split('\n').filter((l) => l.startsWith('telemetry-agent'));
const points = (got: Received[], metric: string) =>
  got.filter((g) => g.path.startsWith('/v1/metrics') && g.json).flatMap((g) => g.json.resourceMetrics.flatMap((rm: any) => rm.scopeMetrics.flatMap((sm: any) =>
    sm.metrics.filter((m: any) => m.name === metric).map((m: any) => ({ temporality: (m.sum ?? m.histogram)?.aggregationTemporality, points: (m.sum ?? m.gauge ?? m.histogram).dataPoints })))));

describe('OTEL_EXPORTER_OTLP_COMPRESSION', () => {
  it('gzip compresses every body and says so with Content-Encoding; per-signal forms override', async () => {
    const r = await run({ OTEL_EXPORTER_OTLP_COMPRESSION: 'gzip' });
    expect(r.code).toBe(0);
    expect(paths(r.got)).toEqual(expect.arrayContaining(['/v1/traces', '/v1/metrics']));
    for (const g of r.got) {
      expect(g.headers['content-encoding']).toBe('gzip');
      expect(g.json).toBeDefined(); // the receiver gunzipped it into valid OTLP JSON
    }
    const split = await run({ OTEL_EXPORTER_OTLP_COMPRESSION: 'gzip', OTEL_EXPORTER_OTLP_TRACES_COMPRESSION: 'none' });
    expect(split.got.find((g) => g.path === '/v1/traces')!.headers['content-encoding']).toBeUndefined();
    expect(split.got.find((g) => g.path === '/v1/metrics')!.headers['content-encoding']).toBe('gzip');
  });

  it('an unknown compression is one line naming the variable, and data is sent uncompressed', async () => {
    const r = await run({ OTEL_EXPORTER_OTLP_METRICS_COMPRESSION: 'br' });
    expect(agentLines(r.stderr)).toEqual([expect.stringMatching(/OTEL_EXPORTER_OTLP_METRICS_COMPRESSION="br" is not supported; set it to gzip or none/)]);
    expect(r.got.find((g) => g.path === '/v1/metrics')!.headers['content-encoding']).toBeUndefined();
  });
});

describe('OTEL_EXPORTER_OTLP_CERTIFICATE, _CLIENT_CERTIFICATE, _CLIENT_KEY', () => {
  let pki: TestPki;
  let tlsRx: TestReceiver;
  let mtlsRx: TestReceiver;
  beforeAll(async () => {
    pki = makeTestPki();
    tlsRx = await TestReceiver.start({ kind: 'ok' }, 0, { cert: pki.serverCert, key: pki.serverKey });
    mtlsRx = await TestReceiver.start({ kind: 'ok' }, 0, { cert: pki.serverCert, key: pki.serverKey, ca: pki.ca, requestCert: true, rejectUnauthorized: true });
  });
  afterAll(async () => { await tlsRx.close(); await mtlsRx.close(); });

  it('a collector with a private CA: without the certificate nothing gets through, with it everything does', async () => {
    const without = await run({}, { receiver: tlsRx });
    expect(without.got).toHaveLength(0);
    const r = await run({ OTEL_EXPORTER_OTLP_CERTIFICATE: pki.caFile }, { receiver: tlsRx });
    expect(r.code).toBe(0);
    expect(paths(r.got)).toEqual(expect.arrayContaining(['/v1/traces', '/v1/metrics']));
    expect(agentLines(r.stderr)).toEqual([]);
  });

  it('mutual TLS with a client certificate and key (general and per-signal forms)', async () => {
    const refused = await run({ OTEL_EXPORTER_OTLP_CERTIFICATE: pki.caFile }, { receiver: mtlsRx });
    expect(refused.got).toHaveLength(0);
    const r = await run({ OTEL_EXPORTER_OTLP_CERTIFICATE: pki.caFile, OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE: pki.clientCertFile, OTEL_EXPORTER_OTLP_CLIENT_KEY: pki.clientKeyFile }, { receiver: mtlsRx });
    expect(paths(r.got)).toEqual(expect.arrayContaining(['/v1/traces', '/v1/metrics']));
    const perSignal = await run({
      OTEL_EXPORTER_OTLP_METRICS_CERTIFICATE: pki.caFile, OTEL_EXPORTER_OTLP_METRICS_CLIENT_CERTIFICATE: pki.clientCertFile, OTEL_EXPORTER_OTLP_METRICS_CLIENT_KEY: pki.clientKeyFile,
    }, { receiver: mtlsRx });
    expect(paths(perSignal.got)).toEqual(['/v1/metrics']); // traces had no CA and no client certificate
  });

  it('gRPC over TLS with mutual authentication (a @grpc/grpc-js server)', async () => {
    const creds = ServerCredentials.createSsl(Buffer.from(pki.ca), [{ cert_chain: Buffer.from(pki.serverCert), private_key: Buffer.from(pki.serverKey) }], true);
    const g = await GrpcTestReceiver.start(creds, 'https');
    try {
      const r = await run({
        OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc', OTEL_EXPORTER_OTLP_ENDPOINT: g.endpoint,
        OTEL_EXPORTER_OTLP_CERTIFICATE: pki.caFile, OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE: pki.clientCertFile, OTEL_EXPORTER_OTLP_CLIENT_KEY: pki.clientKeyFile,
      });
      expect(r.code).toBe(0);
      expect(g.received.map((x) => x.signal).sort()).toEqual(['metrics', 'traces']);
    } finally {
      await g.close();
    }
  });

  it('an unreadable certificate file is one stderr line naming the variable, and the app runs', async () => {
    const r = await run({ OTEL_EXPORTER_OTLP_CERTIFICATE: join(pki.dir, 'missing.pem') }, { receiver: tlsRx });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('trained 10 steps\n');
    expect(agentLines(r.stderr)).toEqual([expect.stringMatching(/^telemetry-agent: OTEL_EXPORTER_OTLP_CERTIFICATE=".*missing\.pem" cannot be read \(ENOENT\); set it to a readable PEM file/)]);
  });
});

describe('OTEL_TRACES_EXPORTER / OTEL_METRICS_EXPORTER', () => {
  it('none sends nothing for that signal, the other still goes', async () => {
    const r = await run({ OTEL_TRACES_EXPORTER: 'none' });
    expect(paths(r.got)).not.toContain('/v1/traces');
    expect(paths(r.got)).toContain('/v1/metrics');
    const m = await run({ OTEL_METRICS_EXPORTER: 'none' });
    expect(paths(m.got)).toEqual(['/v1/traces']);
    expect(agentLines(m.stderr)).toEqual([]);
  });

  it('console prints the payload to stderr instead of sending it; stdout stays the app\'s', async () => {
    const r = await run({ OTEL_TRACES_EXPORTER: 'console' });
    expect(paths(r.got)).not.toContain('/v1/traces');
    expect(paths(r.got)).toContain('/v1/metrics');
    expect(r.stdout).toBe('trained 10 steps\n');
    const lines = r.stderr.split('\n');
    const header = lines.findIndex((l) => l.startsWith('[telemetry-agent console] traces'));
    expect(header).toBeGreaterThanOrEqual(0);
    const body = JSON.parse(lines[header + 1]!);
    expect(body.resourceSpans[0].scopeSpans[0].spans.map((s: any) => s.name)).toContain('ml.train');
  });
});

describe('OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE', () => {
  const INTERVAL = { OTEL_METRIC_EXPORT_INTERVAL: '200' };

  it('delta: counters report each interval (DELTA), summing to the total; gauges keep their value', async () => {
    for (const preference of ['delta', 'lowmemory', 'DELTA']) {
      const r = await run({ ...INTERVAL, OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE: preference }, { pauseMs: 1200 });
      const batches = points(r.got, 'ml.training.batches.completed');
      expect(batches.length).toBeGreaterThan(1);
      expect(new Set(batches.map((b) => b.temporality))).toEqual(new Set([1])); // AGGREGATION_TEMPORALITY_DELTA
      const values = batches.flatMap((b) => b.points.map((p: any) => p.asDouble ?? Number(p.asInt)));
      expect(values.reduce((a, b) => a + b, 0)).toBe(10);
      expect(Math.max(...values)).toBeLessThan(10); // split over intervals, not repeated totals
      expect(points(r.got, 'ml.training.progress').at(-1)!.points[0].asDouble).toBe(1);
    }
  });

  it('cumulative (the default): the last point holds the total', async () => {
    const r = await run({ ...INTERVAL }, { pauseMs: 600 });
    const batches = points(r.got, 'ml.training.batches.completed');
    expect(new Set(batches.map((b) => b.temporality))).toEqual(new Set([2]));
    expect(batches.at(-1)!.points[0].asDouble).toBe(10);
  });
});

describe('OTEL_EXPORTER_OTLP_PROTOCOL and per-signal protocol', () => {
  it('per-signal protocol is honoured: protobuf traces, JSON metrics', async () => {
    const r = await run({ OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/protobuf' });
    expect(r.got.find((g) => g.path === '/v1/traces')!.headers['content-type']).toBe('application/x-protobuf');
    expect(r.got.find((g) => g.path === '/v1/metrics')!.headers['content-type']).toBe('application/json');
  });

  describe('grpc, against a @grpc/grpc-js server', () => {
    let g: GrpcTestReceiver;
    beforeAll(async () => { g = await GrpcTestReceiver.start(); });
    afterAll(async () => { await g.close(); });

    it('sends both signals as unary Export calls with metadata, user agent and gzip; nothing in another encoding', async () => {
      const before = g.received.length;
      const r = await run({ OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc', OTEL_EXPORTER_OTLP_ENDPOINT: g.endpoint, OTEL_EXPORTER_OTLP_HEADERS: 'x-team=ml', OTEL_EXPORTER_OTLP_COMPRESSION: 'gzip' });
      expect(r.code).toBe(0);
      expect(agentLines(r.stderr)).toEqual([]);
      const got = g.received.slice(before);
      // grpc-js took the gzip-flagged messages (it consumes grpc-encoding itself) and they decode as OTLP.
      expect(got.map((x) => x.signal).sort()).toEqual(['metrics', 'traces']);
      const spans = got.find((x) => x.signal === 'traces')!.json.resourceSpans[0].scopeSpans[0].spans;
      expect(spans.map((s: any) => s.name)).toContain('ml.train');
      const names = got.find((x) => x.signal === 'metrics')!.json.resourceMetrics[0].scopeMetrics.flatMap((s: any) => s.metrics.map((m: any) => m.name));
      expect(names).toContain('ml.training.batches.completed');
      for (const x of got) {
        expect(x.metadata['x-team']).toBe('ml');
        expect(String(x.metadata['user-agent'])).toContain(`telemetry-agent/${version}`);
      }
    });

    it('per-signal: traces over gRPC, metrics over HTTP; the default gRPC endpoint is port 4317', async () => {
      const before = g.received.length;
      const r = await run({ OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'grpc', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: g.endpoint });
      expect(g.received.slice(before).map((x) => x.signal)).toEqual(['traces']);
      expect(paths(r.got)).toEqual(['/v1/metrics']);
      expect(readExportConfig({ OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }, []).traces.url).toBe('http://localhost:4317/opentelemetry.proto.collector.trace.v1.TraceService/Export');
    });

    it('UNAVAILABLE is retried later (queued), INVALID_ARGUMENT is dropped', async () => {
      const home = tempHome();
      g.status = grpcStatus.UNAVAILABLE;
      try {
        const r = await run({ OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc', OTEL_EXPORTER_OTLP_ENDPOINT: g.endpoint, TELEMETRY_AGENT_DEBUG: '1' }, { home });
        expect(r.code).toBe(0);
        expect(r.stderr).toMatch(/retry does not fit the time budget, queueing|cannot reach/);
        g.status = grpcStatus.INVALID_ARGUMENT;
        const bad = await run({ OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc', OTEL_EXPORTER_OTLP_ENDPOINT: g.endpoint, TELEMETRY_AGENT_DEBUG: '1' });
        expect(bad.stderr).toMatch(/collector answered 400 for http:\/\/127\.0\.0\.1:\d+\/opentelemetry\.proto\.collector\.(trace|metrics)\.v1\.\w+\/Export; the payload cannot succeed/);
      } finally {
        g.status = undefined;
      }
    });
  });
});

describe('OTEL_EXPORTER_OTLP_ENDPOINT', () => {
  it('with a path and a query string: the signal path joins the path, the query is kept', async () => {
    const r = await run({ OTEL_EXPORTER_OTLP_ENDPOINT: `${rx.endpoint}/otlp/?tenant=ml&x=1` });
    expect(paths(r.got).sort()).toEqual(['/otlp/v1/metrics?tenant=ml&x=1', '/otlp/v1/traces?tenant=ml&x=1']);
  });

  it('an invalid endpoint is explained once, without the credentials in it', async () => {
    const r = await run({ OTEL_EXPORTER_OTLP_ENDPOINT: 'user:hunter2-secret@collector:4318' });
    const lines = agentLines(r.stderr);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/OTEL_EXPORTER_OTLP_ENDPOINT=".*" is not an http\(s\) URL/);
    expect(r.stderr).not.toContain('hunter2');
    expect(r.got).toHaveLength(0);
  });

  it('sends a User-Agent of telemetry-agent/<version>', async () => {
    const r = await run({});
    expect(r.got.length).toBeGreaterThan(0);
    for (const g of r.got) expect(g.headers['user-agent']).toBe(`telemetry-agent/${version}`);
  });
});

describe('OTEL_RESOURCE_ATTRIBUTES', () => {
  it('is attached for the telemetry-agent product (the preload), service.name included', async () => {
    const r = await run({ OTEL_RESOURCE_ATTRIBUTES: 'service.name=from-attrs,deployment.environment.name=staging,team=ml%20platform' });
    const res = r.got[0]!.json.resourceSpans?.[0]?.resource ?? r.got[0]!.json.resourceMetrics[0].resource;
    expect(attr(res.attributes, 'service.name')).toBe('from-attrs');
    expect(attr(res.attributes, 'deployment.environment.name')).toBe('staging');
    expect(attr(res.attributes, 'team')).toBe('ml platform');
    const named = await run({ OTEL_RESOURCE_ATTRIBUTES: 'service.name=from-attrs', OTEL_SERVICE_NAME: 'from-service-name' });
    expect(attr(named.got[0]!.json.resourceMetrics?.[0]?.resource.attributes ?? named.got[0]!.json.resourceSpans[0].resource.attributes, 'service.name')).toBe('from-service-name');
  });

  it('is ignored for an embedding tool', async () => {
    const script = `import { start, shutdown, recordUsage } from 'telemetry-agent/api';
      start({ product: 'acme', serviceName: 'acme', enableEnv: ['ACME_TELEMETRY'], endpoint: process.env.RX });
      recordUsage('run', {}); await shutdown();`;
    const r = await run({ TELEMETRY_AGENT_ENABLED: undefined, ACME_TELEMETRY: '1', RX: rx.endpoint, OTEL_RESOURCE_ATTRIBUTES: 'team=ml,leak=yes' }, { script: ['--input-type=module', '-e', script] });
    expect(r.got.length).toBeGreaterThan(0);
    for (const res of r.got.flatMap((g) => [...(g.json.resourceSpans ?? []), ...(g.json.resourceMetrics ?? [])].map((x: any) => x.resource))) {
      expect(attr(res.attributes, 'service.name')).toBe('acme');
      expect(attr(res.attributes, 'team')).toBeUndefined();
      expect(attr(res.attributes, 'leak')).toBeUndefined();
    }
  });
});

describe('OTEL_LOG_LEVEL', () => {
  it('debug turns on the agent\'s debug lines; none silences its warnings', async () => {
    const quiet = await run({});
    expect(quiet.stderr).toBe('');
    const dbg = await run({ OTEL_LOG_LEVEL: 'debug', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:1' });
    expect(dbg.stderr).toMatch(/^telemetry-agent debug: cannot reach http:\/\/127\.0\.0\.1:1\/v1\/(traces|metrics)/m);
    const warned = await run({ OTEL_EXPORTER_OTLP_COMPRESSION: 'br' });
    expect(agentLines(warned.stderr)).toHaveLength(1);
    const none = await run({ OTEL_EXPORTER_OTLP_COMPRESSION: 'br', OTEL_LOG_LEVEL: 'none' });
    expect(none.stderr).toBe('');
    expect(paths(none.got)).toContain('/v1/metrics'); // silenced, still working
  });
});

describe('OTEL_SDK_DISABLED', () => {
  it('only "true" (any case) disables; another value gives one warning and changes nothing', async () => {
    for (const v of ['true', 'TRUE', 'True']) {
      const off = await run({ OTEL_SDK_DISABLED: v });
      expect(off.got).toHaveLength(0);
      expect(off.stderr).toBe('');
    }
    const one = await run({ OTEL_SDK_DISABLED: '1' });
    expect(paths(one.got)).toContain('/v1/metrics');
    expect(agentLines(one.stderr)).toEqual([expect.stringMatching(/OTEL_SDK_DISABLED="1" is not "true" or "false", so it does not disable anything; set OTEL_SDK_DISABLED=true/)]);
    const no = await run({ OTEL_SDK_DISABLED: 'false' });
    expect(no.stderr).toBe('');
  });
});

describe('OTEL_METRIC_EXPORT_INTERVAL', () => {
  it('200 ms is honoured (several exports during a 1.5 s pause); below the 100 ms floor, one warning', async () => {
    const r = await run({ OTEL_METRIC_EXPORT_INTERVAL: '200' }, { pauseMs: 1500 });
    // With the old 1 s floor at most one periodic export fits, plus the one at exit.
    expect(r.got.filter((g) => g.path === '/v1/metrics').length).toBeGreaterThanOrEqual(3);
    expect(r.stderr).toBe('');
    const low = await run({ OTEL_METRIC_EXPORT_INTERVAL: '20' });
    expect(agentLines(low.stderr)).toEqual([expect.stringMatching(/OTEL_METRIC_EXPORT_INTERVAL=20 is below telemetry-agent's floor of 100 ms; using 100/)]);
  });
});

describe('configuration secrets are never printed', () => {
  it('endpoint credentials: sent as Basic auth, absent from inspect, debug lines and status', async () => {
    const secret = 'pa55-w0rd-secret';
    const endpoint = rx.endpoint.replace('://', `://trainer:${secret}@`) + '/?token=qs-secret-token';
    const r = await run({ OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, TELEMETRY_AGENT_INSPECT: '1', TELEMETRY_AGENT_DEBUG: '1' });
    expect(r.got.length).toBeGreaterThan(0);
    expect(r.got[0]!.headers.authorization).toBe(`Basic ${Buffer.from(`trainer:${secret}`).toString('base64')}`);
    expect(r.stderr).toContain('[telemetry-agent inspect] traces → http://***@127.0.0.1');
    expect(r.stderr).not.toContain(secret);
    expect(r.stderr).not.toContain('qs-secret-token');
    const home = tempHome();
    for (const args of [['status'], ['status', '--json']]) {
      const s = await runNode([join(REPO, 'dist', 'cli.mjs'), ...args], { env: cleanEnv(home, { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint }) });
      expect(s.code).toBe(0);
      expect(s.stdout).toContain('***@127.0.0.1');
      expect(s.stdout + s.stderr).not.toContain(secret);
      expect(s.stdout + s.stderr).not.toContain('qs-secret-token');
    }
    // A collector that is down: the debug lines name it, masked.
    const down = await run({ OTEL_EXPORTER_OTLP_ENDPOINT: `http://trainer:${secret}@127.0.0.1:1`, TELEMETRY_AGENT_DEBUG: '1' });
    expect(down.stderr).toMatch(/cannot reach http:\/\/\*\*\*@127\.0\.0\.1:1\//);
    expect(down.stderr).not.toContain(secret);
  });

  it('a header value with CR/LF or non-ASCII: one line naming the variable, exporting goes on without that header', async () => {
    const r = await run({ OTEL_EXPORTER_OTLP_HEADERS: 'x-ok=yes,x-bad=a%0D%0AInjected: 1,x-utf=caf\u00e9' });
    const lines = agentLines(r.stderr);
    expect(lines).toHaveLength(2);
    for (const l of lines) expect(l).toMatch(/^telemetry-agent: OTEL_EXPORTER_OTLP_HEADERS: the value of header "x-(bad|utf)" has a line break, control or non-ASCII character; that header is not sent/);
    expect(paths(r.got)).toEqual(expect.arrayContaining(['/v1/traces', '/v1/metrics']));
    for (const g of r.got) {
      expect(g.headers['x-ok']).toBe('yes');
      expect(g.headers['x-bad']).toBeUndefined();
      expect(g.headers['injected']).toBeUndefined();
      expect(g.headers['x-utf']).toBeUndefined();
    }
    const raw = await run({ OTEL_EXPORTER_OTLP_TRACES_HEADERS: 'x-raw=line\nbreak' });
    expect(agentLines(raw.stderr)).toEqual([expect.stringMatching(/OTEL_EXPORTER_OTLP_TRACES_HEADERS: the value of header "x-raw"/)]);
    expect(paths(raw.got)).toContain('/v1/traces');
  });
});

describe('host.gpu.count on the first run', () => {
  it.runIf(noGpuDriver())('is 0 at once on a machine without a GPU driver (no hardware cache yet)', async () => {
    const r = await run({});
    const resources = r.got.flatMap((g) => [...(g.json.resourceSpans ?? []), ...(g.json.resourceMetrics ?? [])].map((x: any) => x.resource));
    expect(resources.length).toBeGreaterThan(0);
    for (const res of resources) {
      expect(attr(res.attributes, 'host.gpu.count')).toBe(0);
      expect(attr(res.attributes, 'host.gpu.model.names')).toBeUndefined();
    }
  });
});
