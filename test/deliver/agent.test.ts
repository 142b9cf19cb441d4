// The Agent in-process, through its transport seam: what it sends, what it queues at exit, what
// it leaves alone without consent. (End-to-end behaviour in real processes: test/e2e/.)
import { mkdtempSync, readdirSync, existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

// The agent keeps its files under these (read once, on first use, by decide/paths.ts).
const root = mkdtempSync(join(tmpdir(), 'ta-agent-'));
process.env.XDG_CONFIG_HOME = join(root, 'config');
process.env.XDG_CACHE_HOME = join(root, 'cache');

const { Agent } = await import('../../src/deliver/agent.js');
const { decide } = await import('../../src/decide/decision.js');
type Transport = import('../../src/deliver/transport.js').Transport;
type PostResult = import('../../src/deliver/http-post.js').PostResult;

interface Sent { signal: string; json: any; contentType: string }

/** An in-process transport: records each request and answers it as `answer` says. */
function fakeTransport(answer: (signal: string) => PostResult = () => ({ status: 200 })): Transport & { sent: Sent[] } {
  const sent: Sent[] = [];
  return {
    sent,
    async send(signal, body, contentType) {
      sent.push({ signal, json: JSON.parse(Buffer.from(body).toString('utf8')), contentType });
      return answer(signal);
    },
    describe: (signal) => `fake/${signal}`,
    flush: async () => true,
  };
}

let agents: InstanceType<typeof Agent>[] = [];
afterEach(async () => {
  for (const a of agents) { try { a.queueRemainingSync(); } catch { /* ended */ } }
  agents = [];
});

function agent(product: string, transport: Transport, env: Record<string, string> = {}) {
  const options = { product, serviceName: product };
  const decision = decide({ TELEMETRY_AGENT_ENABLED: '1', TELEMETRY_AGENT_EXIT_SENDER: '0', ...env, ...(product === 'telemetry-agent' ? {} : { [`${product.toUpperCase().replace(/-/g, '_')}_ON`]: '1' }) }, { ...options, enableEnv: [`${product.toUpperCase().replace(/-/g, '_')}_ON`] }, undefined, { main: true, reason: 'test' });
  const a = new Agent({ decision, options, agentVersion: '0.0.0-test', sdkVersion: '0.0.0', transport });
  agents.push(a);
  return { a, decision };
}

const metricNames = (sent: Sent[]) => sent.filter((s) => s.signal === 'metrics').flatMap((s) => s.json.resourceMetrics.flatMap((r: any) => r.scopeMetrics.flatMap((m: any) => m.metrics.map((x: any) => x.name))));
const spanNames = (sent: Sent[]) => sent.filter((s) => s.signal === 'traces').flatMap((s) => s.json.resourceSpans.flatMap((r: any) => r.scopeSpans.flatMap((m: any) => m.spans.map((x: any) => x.name))));

describe('Agent (in-process, fake transport)', () => {
  it('flush sends the spans and metrics recorded so far, through the protect gate', async () => {
    const t = fakeTransport();
    const { a } = agent('agent-flush', t);
    const span = a.signals.startSpan('ml.train', { 'ml.framework': 'custom', 'not.allowed': 'x' });
    span.end();
    a.signals.record('ml.training.progress', 0.5, { 'ml.framework': 'custom' });
    await a.flush();
    expect(spanNames(t.sent)).toEqual(['ml.train']);
    expect(metricNames(t.sent)).toContain('ml.training.progress');
    expect(JSON.stringify(t.sent)).not.toContain('not.allowed');
    expect(t.sent.every((s) => s.contentType === 'application/json')).toBe(true);
  });

  it('collector down: at exit, what was not delivered goes to the product\'s queue, open spans ended', async () => {
    const t = fakeTransport(() => ({ error: 'ECONNREFUSED' }));
    const { a, decision } = agent('agent-down', t);
    a.signals.startSpan('ml.train', { 'ml.framework': 'custom' }); // never ended by the app
    await a.flushForExit();
    a.queueRemainingSync();
    const dir = decision.paths.queueDir;
    const entries = readdirSync(dir).filter((n) => n.endsWith('.json'));
    expect(entries.some((n) => n.endsWith('.traces.json'))).toBe(true);
    expect(entries.some((n) => n.endsWith('.metrics.json'))).toBe(true);
    const header = JSON.parse(readFileSync(join(dir, entries[0]!), 'utf8').split('\n')[0]!);
    expect(header).toMatchObject({ v: 2, product: 'agent-down' });
  });

  it('the next run with the same destination sends what was queued; another destination does not', async () => {
    const down = fakeTransport(() => ({ error: 'ECONNREFUSED' }));
    const first = agent('agent-later', down);
    await first.a.flushForExit();
    first.a.queueRemainingSync();
    const queued = readdirSync(first.decision.paths.queueDir).filter((n) => n.endsWith('.json')).length;
    expect(queued).toBeGreaterThan(0);

    const elsewhere = fakeTransport();
    const other = agent('agent-later', elsewhere, { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://elsewhere.example:4318' });
    await other.a.flushForExit();
    expect(elsewhere.sent.length).toBeGreaterThan(0); // its own telemetry
    other.a.queueRemainingSync();
    expect(readdirSync(first.decision.paths.queueDir).filter((n) => n.endsWith('.json')).length).toBe(queued);

    const back = fakeTransport();
    const next = agent('agent-later', back);
    await next.a.flushForExit();
    next.a.queueRemainingSync();
    expect(readdirSync(first.decision.paths.queueDir).filter((n) => n.endsWith('.json'))).toEqual([]);
    expect(back.sent.length).toBeGreaterThan(queued); // the backlog, and its own
  });

  it('http/protobuf: live payloads go as protobuf', async () => {
    const t = fakeTransport();
    const sent: string[] = [];
    const { a } = agent('agent-proto', { ...t, send: async (s, b, ct, at) => { sent.push(ct); return t.send(s, Buffer.from('{}'), 'application/json', at); } }, { OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf' });
    a.signals.record('ml.training.progress', 1, { 'ml.framework': 'custom' });
    await a.flush();
    expect(sent.length).toBeGreaterThan(0);
    expect(sent.every((ct) => ct === 'application/x-protobuf')).toBe(true);
  });

  it('without consent (inspect only): nothing sent, nothing written', async () => {
    const t = fakeTransport();
    const decision = decide({ TELEMETRY_AGENT_INSPECT: '1', TELEMETRY_AGENT_INSPECT_FILE: join(root, 'inspect.txt') }, { product: 'agent-off' }, undefined, { main: true, reason: 'test' });
    expect(decision.send).toBe(false);
    const a = new Agent({ decision, options: { product: 'agent-off' }, agentVersion: '0', sdkVersion: '0', transport: t });
    a.signals.record('ml.training.progress', 1, { 'ml.framework': 'custom' });
    await a.flushForExit();
    a.queueRemainingSync();
    expect(t.sent).toEqual([]);
    expect(existsSync(decision.paths.queueDir)).toBe(false);
    expect(existsSync(decision.paths.saltFile)).toBe(false);
    expect(readFileSync(join(root, 'inspect.txt'), 'utf8')).toContain('not sent: consent not granted');
  });

  it('a 413 on everything: split, then dropped and counted in telemetry_agent.queue.dropped (sent once the collector takes it)', async () => {
    let refuse = true;
    const t = fakeTransport(() => (refuse ? { status: 413 } : { status: 200 }));
    const { a } = agent('agent-413', t);
    a.signals.record('ml.training.progress', 0.1, { 'ml.framework': 'custom' });
    await a.flush();
    expect(t.sent.length).toBeGreaterThan(1);
    refuse = false;
    t.sent.length = 0;
    await a.flush();
    const dropped = t.sent.flatMap((s) => s.signal === 'metrics' ? s.json.resourceMetrics[0].scopeMetrics.flatMap((m: any) => m.metrics) : []).filter((m: any) => m.name === 'telemetry_agent.queue.dropped');
    expect(dropped.flatMap((m: any) => m.sum.dataPoints).reduce((n: number, p: any) => n + Number(p.asDouble ?? p.asInt), 0)).toBeGreaterThan(0);
  });
});
