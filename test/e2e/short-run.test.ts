// End-to-end: a run that ends before the pipeline is needed exports at exit without it
// (src/deliver/short-run.ts) — the same request the pipeline sends, through the same gate,
// delivery, queue and exit sender. Real `node --import telemetry-agent` processes in the steady
// state of a machine where the agent ran before (install ID, salt and hardware cache saved).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpSync, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { TestReceiver, attr } from '../helpers/otlp-test-receiver.js';
import { REPO, cleanEnv, runNode, tempHome, type RunOptions } from '../helpers/run-node.js';
import { REDACT_CORPUS, PLANTED_HOME } from '../protect/redact-corpus.js';

const app = (name: string) => join(REPO, 'test', 'fixtures', 'apps', name);
const SHORT = 'short run: exporting at exit without the pipeline';

let rx: TestReceiver;
let seeded: string;

const queueDir = (home: string) => join(home, '.cache', 'telemetry-agent', 'products', 'telemetry-agent', 'queue');
const queued = (home: string) => (existsSync(queueDir(home)) ? readdirSync(queueDir(home)) : []);

async function until(ok: () => boolean, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** A copy of the seeded home: a machine where the agent ran before. */
function steadyHome(): string {
  const home = tempHome('ta-short-');
  cpSync(seeded, home, { recursive: true });
  return home;
}

function env(home: string, extra: Record<string, string | undefined> = {}) {
  return cleanEnv(home, { OTEL_EXPORTER_OTLP_ENDPOINT: rx.endpoint, TELEMETRY_AGENT_ENABLED: '1', TELEMETRY_AGENT_DEBUG: '1', ...extra });
}

async function run(args: string[], home: string, extra: Record<string, string | undefined> = {}, o: Pick<RunOptions, 'onSpawn'> = {}) {
  const before = rx.received.length;
  const r = await runNode(['--import', 'telemetry-agent', ...args], { env: env(home, extra), onSpawn: o.onSpawn });
  return { ...r, got: () => rx.received.slice(before) };
}

beforeAll(async () => {
  rx = await TestReceiver.start();
  // The first run creates the install ID and salt and starts the hardware probe, which caches its result.
  seeded = tempHome('ta-seed-');
  const first = await run([app('trivial.mjs')], seeded);
  expect(first.code).toBe(0);
  await until(() => existsSync(join(seeded, '.cache', 'telemetry-agent', 'hardware.json')));
  await until(() => queued(seeded).length === 0);
});
afterAll(async () => { await rx.close(); });

/** What must be equal between two metrics requests: names, units, descriptions, point shapes, resource keys and values. */
function shape(json: any) {
  const rm = json.resourceMetrics[0];
  const resource = Object.fromEntries(rm.resource.attributes.filter((a: any) => a.key !== 'service.instance.id').map((a: any) => [a.key, a.value]));
  const metrics = rm.scopeMetrics.flatMap((sm: any) => sm.metrics.map((m: any) => {
    const kind = ['gauge', 'sum', 'histogram'].find((k) => m[k])!;
    return { scope: sm.scope, name: m.name, unit: m.unit, description: m.description, kind, points: m[kind].dataPoints.map((p: any) => Object.keys(p).sort()) };
  }));
  return { resource, metrics, keys: Object.keys(rm.resource).sort() };
}

describe('short runs export without the pipeline', () => {
  it('send the request the pipeline sends (resource, gauges, headers)', async () => {
    const home = steadyHome();
    const short = await run([app('trivial.mjs')], home, { OTEL_SERVICE_NAME: 'short-e2e' });
    expect(short.code).toBe(0);
    expect(short.stdout).toBe('hello from a trivial app\n');
    expect(short.stderr).toContain(SHORT);
    const [a] = short.got();
    expect(a?.path).toBe('/v1/metrics');

    // The same app kept alive past the pipeline's start (1 s): the pipeline's export.
    const long = await run(['--input-type=module', '-e', "console.log('hello from a trivial app'); setTimeout(() => {}, 1300);"], home, { OTEL_SERVICE_NAME: 'short-e2e' });
    expect(long.stderr).not.toContain(SHORT);
    const b = long.got().find((g) => g.path === '/v1/metrics');
    expect(b).toBeDefined();

    expect(shape(a!.json)).toEqual(shape(b!.json));
    expect(attr(a!.json.resourceMetrics[0].resource.attributes, 'service.name')).toBe('short-e2e');
    for (const h of ['content-type', 'user-agent']) expect(a!.headers[h]).toBe(b!.headers[h]);
    const rss = a!.json.resourceMetrics[0].scopeMetrics[0].metrics.find((m: any) => m.name === 'process.memory.usage');
    expect(rss.gauge.dataPoints[0].asDouble).toBeGreaterThan(10_000_000);
    expect(queued(home)).toEqual([]);
  });

  it('the first run, and a run that finds queued data, build the pipeline at exit instead', async () => {
    const fresh = await run([app('trivial.mjs')], tempHome());
    expect(fresh.stderr).toContain('short run: the exit builds the pipeline (first run of this product: no install ID yet)');
    expect(fresh.got().filter((g) => g.path === '/v1/metrics')).toHaveLength(1);

    const home = steadyHome();
    rx.behaviour = { kind: 'status', status: 503 };
    try {
      // Queued entries are bound to their collector: the same one refuses now, and no exit sender retries.
      const refused = await run([app('trivial.mjs')], home, { TELEMETRY_AGENT_EXIT_SENDER: 'off', TELEMETRY_AGENT_FLUSH_TIMEOUT_MS: '200' });
      expect(refused.code).toBe(0);
      expect(refused.stderr).toContain(SHORT);
    } finally {
      rx.behaviour = { kind: 'ok' };
    }
    expect(queued(home).filter((f) => f.endsWith('.metrics.json'))).toHaveLength(1);
    // The next run drains what waits (the pipeline's job) and sends its own.
    const next = await run([app('trivial.mjs')], home);
    expect(next.stderr).toContain('earlier payloads or drop counts wait in the queue');
    await until(() => next.got().filter((g) => g.path === '/v1/metrics').length === 2);
    await until(() => queued(home).length === 0);
  });

  it('a collector answering 503: queued at exit, then delivered by the exit sender', async () => {
    const home = steadyHome();
    rx.behaviour = { kind: 'status', status: 503, retryAfter: '1' };
    try {
      const r = await run([app('trivial.mjs')], home, { TELEMETRY_AGENT_FLUSH_TIMEOUT_MS: '300' });
      expect(r.code).toBe(0);
      expect(r.stderr).toContain(SHORT);
      rx.behaviour = { kind: 'ok' };
      await until(() => r.got().some((g) => g.path === '/v1/metrics'));
      await until(() => queued(home).length === 0);
      expect(r.got().filter((g) => g.path === '/v1/metrics')).toHaveLength(1);
    } finally {
      rx.behaviour = { kind: 'ok' };
    }
  });

  it('process.exit() keeps its exit code; the payload is queued and sent by the exit sender', async () => {
    const home = steadyHome();
    const r = await run([app('exit-code.mjs'), 'exit', '4'], home);
    expect(r.code).toBe(4);
    expect(r.stdout).toBe('exiting via exit with 4\n');
    await until(() => r.got().some((g) => g.path === '/v1/metrics'));
    await until(() => queued(home).length === 0);
  });

  it('SIGTERM with no app handler: flushed, then the process dies by the signal', async () => {
    const home = steadyHome();
    const r = await run([app('signal.mjs')], home, {}, {
      onSpawn: (child) => child.stdout!.once('data', () => setTimeout(() => child.kill('SIGTERM'), 100)),
    });
    expect(r.signal).toBe('SIGTERM');
    expect(r.stderr).toContain(SHORT);
    expect(r.got().filter((g) => g.path === '/v1/metrics')).toHaveLength(1);
  });

  it('planted secrets in the service name never leave a short run', async () => {
    const rows = REDACT_CORPUS.filter((row) => row.category !== 'host-name');
    const home = steadyHome();
    const sent: string[] = [];
    // service.name is one string of at most 4 KiB: the templates go in chunks.
    for (let i = 0; i < rows.length; i += 25) {
      const chunk = rows.slice(i, i + 25);
      const r = await run([app('trivial.mjs')], home, { HOME: PLANTED_HOME, OTEL_SERVICE_NAME: chunk.map((row) => row.template).join(' | ') });
      expect(r.stderr).toContain(SHORT);
      const got = r.got();
      expect(got).toHaveLength(1);
      sent.push(got[0]!.body.toString('utf8'));
    }
    const leaked = rows.filter((row) => sent.some((s) => s.includes(row.secret) || s.includes(JSON.stringify(row.secret).slice(1, -1))));
    expect(leaked.map((row) => `${row.category}/${row.label}`)).toEqual([]);
  });
});
