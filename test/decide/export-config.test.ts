import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseHeaders, parseResourceAttributes, readExportConfig, readLogLevel, signalUrl } from '../../src/decide/export-config.js';

describe('export configuration', () => {
  it('defaults', () => {
    const problems: string[] = [];
    const c = readExportConfig({}, problems);
    expect(c).toMatchObject({ protocol: 'http/json', endpoint: 'http://localhost:4318', flushTimeoutMs: 1000, metricIntervalMs: 60000, inspect: false, valid: true });
    expect(c.traces.url).toBe('http://localhost:4318/v1/traces');
    expect(c.metrics.url).toBe('http://localhost:4318/v1/metrics');
    expect(problems).toEqual([]);
  });

  it('honours the OTEL_* variables, per-signal ones first', () => {
    const c = readExportConfig({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'https://collector.example:4318/',
      OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: 'https://metrics.example/custom',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
      OTEL_EXPORTER_OTLP_HEADERS: 'api-key=a%20b,x-team=ml',
      OTEL_EXPORTER_OTLP_TRACES_HEADERS: 'x-team=traces',
      OTEL_SERVICE_NAME: 'trainer',
      OTEL_METRIC_EXPORT_INTERVAL: '5000',
      TELEMETRY_AGENT_FLUSH_TIMEOUT_MS: '250',
    }, []);
    expect(c.traces.url).toBe('https://collector.example:4318/v1/traces');
    expect(c.metrics.url).toBe('https://metrics.example/custom');
    expect(c.protocol).toBe('http/protobuf');
    expect(c.traces.headers).toEqual({ 'api-key': 'a b', 'x-team': 'traces' });
    expect(c.metrics.headers).toEqual({ 'api-key': 'a b', 'x-team': 'ml' });
    expect(c).toMatchObject({ serviceName: 'trainer', metricIntervalMs: 5000, flushTimeoutMs: 250 });
  });

  it('explains bad values in one line each and never echoes header values', () => {
    const problems: string[] = [];
    const c = readExportConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'localhost:4318', OTEL_EXPORTER_OTLP_PROTOCOL: 'http', TELEMETRY_AGENT_FLUSH_TIMEOUT_MS: 'soon' }, problems);
    expect(c.valid).toBe(false);
    expect(c.protocol).toBe('http/json');
    expect(problems.join('\n')).toMatch(/OTEL_EXPORTER_OTLP_ENDPOINT="localhost:4318" is not an http\(s\) URL; set it like http:\/\/localhost:4318/);
    expect(problems.join('\n')).toMatch(/OTEL_EXPORTER_OTLP_PROTOCOL="http" is not an OTLP protocol; set it to http\/json \(default\), http\/protobuf or grpc/);
    expect(problems.join('\n')).toMatch(/TELEMETRY_AGENT_FLUSH_TIMEOUT_MS="soon" is not a whole number; using 1000/);
    const zero: string[] = [];
    expect(readExportConfig({ OTEL_EXPORTER_OTLP_TIMEOUT: '0' }, zero).timeoutMs).toBe(10000);
    expect(zero[0]).toMatch(/OTEL_EXPORTER_OTLP_TIMEOUT="0" is not a whole number of at least 1/);
    const warn: string[] = [];
    expect(parseHeaders('secret-token-value,ok=1', 'H', (l) => warn.push(l))).toEqual({ ok: '1' });
    expect(warn).toHaveLength(1);
    expect(warn[0]).not.toContain('secret-token-value');
  });

  it('reads every per-signal form before the general one', () => {
    const problems: string[] = [];
    const c = readExportConfig({
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf', OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: 'HTTP/JSON',
      OTEL_EXPORTER_OTLP_COMPRESSION: 'gzip', OTEL_EXPORTER_OTLP_TRACES_COMPRESSION: 'none',
      OTEL_EXPORTER_OTLP_TIMEOUT: '3000', OTEL_EXPORTER_OTLP_METRICS_TIMEOUT: '700',
      OTEL_TRACES_EXPORTER: 'console', OTEL_METRICS_EXPORTER: 'otlp,console',
    }, problems);
    expect(problems).toEqual([]);
    expect(c.traces).toMatchObject({ protocol: 'http/protobuf', compression: 'none', timeoutMs: 3000, otlp: false, console: true });
    expect(c.metrics).toMatchObject({ protocol: 'http/json', compression: 'gzip', timeoutMs: 700, otlp: true, console: true });
  });

  it('joins the signal path to a base endpoint with a path and a query; per-signal endpoints are used as they are', () => {
    expect(signalUrl('http://h:4318/base/?a=1&b=2#frag', 'traces')).toBe('http://h:4318/base/v1/traces?a=1&b=2');
    expect(signalUrl('http://h:4318', 'metrics')).toBe('http://h:4318/v1/metrics');
    const c = readExportConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://h/p?x=1', OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: 'http://m/custom?y=2' }, []);
    expect(c.traces.url).toBe('http://h/p/v1/traces?x=1');
    expect(c.metrics.url).toBe('http://m/custom?y=2');
  });

  it('an invalid endpoint is one line, masked; it only matters for signals sent over OTLP', () => {
    const problems: string[] = [];
    expect(readExportConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'me:s3cret@collector' }, problems).valid).toBe(false);
    expect(problems).toHaveLength(1);
    expect(problems[0]).not.toContain('s3cret');
    const consoleOnly: string[] = [];
    expect(readExportConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'nope', OTEL_TRACES_EXPORTER: 'console', OTEL_METRICS_EXPORTER: 'none' }, consoleOnly).valid).toBe(true);
    expect(consoleOnly).toEqual([]);
  });

  it('exporters: none wins, unknown ones are named, logging is console', () => {
    const p: string[] = [];
    const c = readExportConfig({ OTEL_TRACES_EXPORTER: 'zipkin', OTEL_METRICS_EXPORTER: 'logging' }, p);
    expect(c.traces).toMatchObject({ otlp: true, console: false });
    expect(c.metrics).toMatchObject({ otlp: false, console: true });
    expect(p).toEqual([expect.stringMatching(/^OTEL_TRACES_EXPORTER="zipkin": zipkin is not supported by telemetry-agent \(otlp, console, none\); using otlp\.$/)]);
    expect(readExportConfig({ OTEL_METRICS_EXPORTER: 'none' }, []).metrics).toMatchObject({ otlp: false, console: false });
  });

  it('temporality preference, log level, SDK-disabled values and the metric interval floor', () => {
    for (const [v, want] of [['DELTA', 'delta'], ['LowMemory', 'lowmemory'], ['cumulative', 'cumulative']] as const) {
      expect(readExportConfig({ OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE: v }, []).temporality).toBe(want);
    }
    const p: string[] = [];
    const c = readExportConfig({ OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE: 'sometimes', OTEL_LOG_LEVEL: 'chatty', OTEL_SDK_DISABLED: 'yes', OTEL_METRIC_EXPORT_INTERVAL: '10' }, p);
    expect(c).toMatchObject({ temporality: 'cumulative', logLevel: 'info', metricIntervalMs: 100 });
    expect(p).toHaveLength(4);
    expect(p.join('\n')).toMatch(/OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE="sometimes" is not understood; set it to cumulative, delta or lowmemory/);
    expect(p.join('\n')).toMatch(/OTEL_LOG_LEVEL="chatty" is not understood/);
    expect(p.join('\n')).toMatch(/OTEL_SDK_DISABLED="yes" is not "true" or "false"/);
    expect(p.join('\n')).toMatch(/OTEL_METRIC_EXPORT_INTERVAL=10 is below telemetry-agent's floor of 100 ms/);
    expect(readExportConfig({ OTEL_METRIC_EXPORT_INTERVAL: '200' }, []).metricIntervalMs).toBe(200);
    expect(readExportConfig({ OTEL_LOG_LEVEL: 'DEBUG' }, []).debug).toBe(true);
    expect(readLogLevel({ OTEL_LOG_LEVEL: 'verbose' })).toBe('debug');
    const quiet: string[] = [];
    readExportConfig({ OTEL_SDK_DISABLED: 'False' }, quiet);
    expect(quiet).toEqual([]);
  });

  it('OTEL_RESOURCE_ATTRIBUTES: percent-decoded for the telemetry-agent product, ignored for a tool, all or nothing', () => {
    const own = readExportConfig({ OTEL_RESOURCE_ATTRIBUTES: 'service.name=svc,team=ml%2Cops' }, []);
    expect(own.resourceAttributes).toEqual({ 'service.name': 'svc', team: 'ml,ops' });
    expect(own.serviceName).toBe('svc');
    expect(readExportConfig({ OTEL_RESOURCE_ATTRIBUTES: 'service.name=svc', OTEL_SERVICE_NAME: 'env' }, []).serviceName).toBe('env');
    const tool = readExportConfig({ OTEL_RESOURCE_ATTRIBUTES: 'team=ml' }, [], { product: 'acme' });
    expect(tool).toMatchObject({ resourceAttributes: {}, resourceAttributesIgnored: true });
    const p: string[] = [];
    expect(parseResourceAttributes('a=1,broken,b=%E0%A4%A', (l) => p.push(l))).toEqual({});
    expect(p).toHaveLength(1);
  });

  it('a header value with CR, LF, a control or non-ASCII character is dropped with one line naming the variable', () => {
    for (const raw of ['x=a%0D%0Ab', 'x=a\nb', 'x=caf%C3%A9', 'x=\u00e9', 'x=a%00b']) {
      const warn: string[] = [];
      expect(parseHeaders(`${raw},ok=1`, 'OTEL_EXPORTER_OTLP_HEADERS', (l) => warn.push(l))).toEqual({ ok: '1' });
      expect(warn).toEqual([expect.stringMatching(/^OTEL_EXPORTER_OTLP_HEADERS: the value of header "x" has a line break, control or non-ASCII character; that header is not sent/)]);
    }
    expect(parseHeaders('authorization=Bearer%20abc%09def', 'H', () => { throw new Error('no warning expected'); })).toEqual({ authorization: 'Bearer abc\tdef' });
  });

  it('certificate files are read once; an unreadable one is a line naming the variable; client cert needs its key', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ta-cfg-'));
    const ca = join(dir, 'ca.pem');
    writeFileSync(ca, 'PEM');
    const p: string[] = [];
    const c = readExportConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'https://c:4318', OTEL_EXPORTER_OTLP_CERTIFICATE: ca, OTEL_EXPORTER_OTLP_TRACES_CLIENT_CERTIFICATE: ca }, p);
    expect(c.traces.tls).toEqual({ ca: 'PEM' });
    expect(c.metrics.tls).toEqual({ ca: 'PEM' });
    expect(p).toEqual([expect.stringMatching(/^OTEL_EXPORTER_OTLP_CLIENT_KEY is not set; mutual TLS needs both OTEL_EXPORTER_OTLP_TRACES_CLIENT_CERTIFICATE and OTEL_EXPORTER_OTLP_CLIENT_KEY/)]);
    const missing: string[] = [];
    readExportConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'https://c:4318', OTEL_EXPORTER_OTLP_CERTIFICATE: join(dir, 'nope.pem') }, missing);
    expect(missing).toEqual([expect.stringMatching(/^OTEL_EXPORTER_OTLP_CERTIFICATE=".*nope\.pem" cannot be read \(ENOENT\); set it to a readable PEM file/)]);
    const plain: string[] = [];
    expect(readExportConfig({ OTEL_EXPORTER_OTLP_CERTIFICATE: join(dir, 'nope.pem') }, plain).traces.tls).toEqual({});
    expect(plain).toEqual([]); // http: a certificate has nothing to do
  });
});
