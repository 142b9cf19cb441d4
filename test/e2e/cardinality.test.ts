// Cardinality never loses data silently: real `node --import telemetry-agent` processes with
// thousands of distinct attribute values, against the local receiver (`telemetry-agent collect`'s)
// and a recording receiver that refuses large bodies (413).
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startReceiver, type RunningReceiver } from '../../src/receiver/otlp-receiver.js';
import { MAX_BODY_BYTES } from '../../src/receiver/index.js';
import { CARDINALITY_LIMIT } from '../../src/deliver/cardinality.js';
import { MAX_PAYLOAD_BYTES } from '../../src/deliver/encode.js';
import { REPO, cleanEnv, runNode, tempHome } from '../helpers/run-node.js';
import { FaultReceiver, OK, metricsOf } from '../helpers/fault-receiver.js';

const app = (name: string) => join(REPO, 'test', 'fixtures', 'apps', name);
const AGENT = ['--import', 'telemetry-agent'];

let closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.map((c) => c()));
  closers = [];
});

async function localReceiver(maxBodyBytes = MAX_BODY_BYTES): Promise<RunningReceiver> {
  const r = await startReceiver({ port: 0, outDir: mkdtempSync(join(tmpdir(), 'ta-collect-')), maxBodyBytes, rotation: { maxBytes: 1e9, keep: 1 }, onBatch: () => {}, onProblem: () => {} });
  closers.push(() => r.close());
  return r;
}

/** The metric requests the receiver stored, one JSON line each (a JSON body's own bytes). */
async function storedLines(r: RunningReceiver): Promise<string[]> {
  await r.close();
  return existsSync(r.metricsPath) ? readFileSync(r.metricsPath, 'utf8').split('\n').filter(Boolean) : [];
}

/** The metric data points the receiver stored, by metric name. */
async function storedPoints(r: RunningReceiver, name: string): Promise<any[]> {
  return (await storedLines(r)).flatMap((l) => metricsOf(JSON.parse(l)))
    .filter((m: any) => m.name === name).flatMap((m: any) => (m.histogram ?? m.sum ?? m.gauge).dataPoints);
}

/** A real process doing real work on a machine that may be busy: no stopwatch, only a generous kill. */
const SLOW = { timeoutMs: 200_000 };

const attr = (p: any, key: string) => p.attributes?.find((a: any) => a.key === key)?.value;
const env = (endpoint: string, extra: Record<string, string> = {}) => cleanEnv(tempHome(), { TELEMETRY_AGENT_ENABLED: '1', TELEMETRY_AGENT_EXIT_SENDER: '0', OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, TELEMETRY_AGENT_FLUSH_TIMEOUT_MS: '10000', ...extra });

describe('cardinality is bounded per metric, and the overflow is kept', () => {
  it(`16,000 distinct model names: ${CARDINALITY_LIMIT - 1} series, the rest in one otel.metric.overflow series; every call counted; no request over ${MAX_PAYLOAD_BYTES} bytes`, async () => {
    const rx = await localReceiver();
    const r = await runNode([...AGENT, app('many-models.mjs'), '16000'], { env: env(rx.url), ...SLOW });
    expect([r.code, r.stdout, r.stderr]).toEqual([0, '16000 models predicted\n', expect.not.stringContaining('telemetry-agent')]);
    const sizes = (await storedLines(rx)).map((l) => Buffer.byteLength(l));
    console.log(`16,000 model names: largest metrics request ${Math.max(...sizes)} bytes (the first release sent 8.6 MB)`);
    for (const size of sizes) expect(size).toBeLessThanOrEqual(MAX_PAYLOAD_BYTES);
    const points = (await storedPoints(rx, 'ml.inference.duration')).filter((p) => attr(p, 'ml.framework')?.stringValue === 'tfjs' || attr(p, 'otel.metric.overflow'));
    const overflow = points.filter((p) => attr(p, 'otel.metric.overflow')?.boolValue === true);
    expect(points).toHaveLength(CARDINALITY_LIMIT);
    expect(overflow).toHaveLength(1);
    expect(Number(overflow[0].count)).toBe(16000 - (CARDINALITY_LIMIT - 1));
    expect(points.reduce((n, p) => n + Number(p.count), 0)).toBe(16000);
  }, 300_000);

  it(`10,000 error types: ml.errors keeps ${CARDINALITY_LIMIT - 1} types and counts the rest in the overflow series`, async () => {
    const rx = await localReceiver();
    const r = await runNode([app('many-errors.mjs'), '10000'], { env: env(rx.url), ...SLOW });
    expect([r.code, r.stdout]).toEqual([0, '10000 errors caught\n']);
    const points = await storedPoints(rx, 'ml.errors');
    const overflow = points.filter((p) => attr(p, 'otel.metric.overflow')?.boolValue === true);
    expect(points).toHaveLength(CARDINALITY_LIMIT);
    expect(overflow).toHaveLength(1);
    expect(Number(overflow[0].asDouble ?? overflow[0].asInt)).toBe(10000 - (CARDINALITY_LIMIT - 1));
    expect(points.filter((p) => !attr(p, 'otel.metric.overflow')).every((p) => /^CustomError\d+$/.test(attr(p, 'error.type')?.stringValue))).toBe(true);
    expect(points.reduce((n, p) => n + Number(p.asDouble ?? p.asInt), 0)).toBe(10000);
  }, 300_000);
});

describe('payload size', () => {
  it('a collector that refuses large bodies (413): the payload is split and retried, nothing is dropped', async () => {
    const limit = 256 * 1024;
    const rx = await FaultReceiver.start(({ body }) => (body.byteLength > limit ? { status: 413 } : OK));
    closers.push(() => rx.close());
    const r = await runNode([...AGENT, app('many-models.mjs'), '4000'], { env: env(rx.endpoint), ...SLOW });
    expect(r.code).toBe(0);
    expect(r.stderr).not.toContain('telemetry-agent'); // nothing dropped, nothing to say
    const metrics = rx.requests.filter((q) => q.path === '/v1/metrics');
    const refused = metrics.filter((q) => (q.answer as { status: number }).status === 413);
    const accepted = metrics.filter((q) => (q.answer as { status: number }).status === 200);
    expect(refused.length).toBeGreaterThan(0);
    const sizes = (qs: typeof metrics) => qs.map((q) => q.body.byteLength);
    console.log(`metrics payload: ${Math.max(...sizes(refused))} bytes refused (413); sent again as ${accepted.length} payloads of ${Math.min(...sizes(accepted))}–${Math.max(...sizes(accepted))} bytes`);
    expect(Math.max(...sizes(accepted))).toBeLessThanOrEqual(limit);
    const points = accepted.flatMap((q) => metricsOf(q.json)).filter((m: any) => m.name === 'ml.inference.duration').flatMap((m: any) => m.histogram.dataPoints);
    expect(points.reduce((n: number, p: any) => n + Number(p.count), 0)).toBe(4000);
  }, 300_000);
});
