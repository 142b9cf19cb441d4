import { describe, expect, it } from 'vitest';
import { parseHeaders, readExportConfig } from '../../src/decide/export-config.js';

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
    const c = readExportConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'localhost:4318', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc', TELEMETRY_AGENT_FLUSH_TIMEOUT_MS: 'soon' }, problems);
    expect(c.valid).toBe(false);
    expect(c.protocol).toBe('http/json');
    expect(problems.join('\n')).toMatch(/OTEL_EXPORTER_OTLP_ENDPOINT="localhost:4318" is not an http\(s\) URL; set it like http:\/\/localhost:4318/);
    expect(problems.join('\n')).toMatch(/OTEL_EXPORTER_OTLP_PROTOCOL="grpc" is not supported/);
    expect(problems.join('\n')).toMatch(/TELEMETRY_AGENT_FLUSH_TIMEOUT_MS="soon" is not a whole number; using 1000/);
    const zero: string[] = [];
    expect(readExportConfig({ OTEL_EXPORTER_OTLP_TIMEOUT: '0' }, zero).timeoutMs).toBe(10000);
    expect(zero[0]).toMatch(/OTEL_EXPORTER_OTLP_TIMEOUT="0" is not a whole number of at least 1/);
    const warn: string[] = [];
    expect(parseHeaders('secret-token-value,ok=1', 'H', (l) => warn.push(l))).toEqual({ ok: '1' });
    expect(warn).toHaveLength(1);
    expect(warn[0]).not.toContain('secret-token-value');
  });
});
