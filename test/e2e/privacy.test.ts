// Planted secrets pushed through real processes never leave them: not on the wire, not in inspect output.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REDACT_CORPUS, PLANTED_HOME } from '../protect/redact-corpus.js';
import { TestReceiver, attr } from '../helpers/otlp-test-receiver.js';
import { REPO, cleanEnv, runNode, tempHome } from '../helpers/run-node.js';

// user-name and host-name rows need the process to run as that user on that host; the unit
// tests cover them with a fixed context. Home-dir rows work here: HOME is set to the planted home.
const ROWS = REDACT_CORPUS.filter((r) => r.category !== 'user-name' && r.category !== 'host-name');

let rx: TestReceiver;
beforeAll(async () => { rx = await TestReceiver.start(); });
afterAll(async () => { await rx.close(); });

function envFor(home: string, extra: Record<string, string> = {}) {
  const base = cleanEnv(home, { OTEL_EXPORTER_OTLP_ENDPOINT: rx.endpoint, TELEMETRY_AGENT_ENABLED: '1', ...extra });
  // os.homedir() reads HOME: plant it; config and cache stay in a writable temp dir.
  return { ...base, HOME: PLANTED_HOME };
}

describe('planted-secret corpus through real processes', () => {
  it(`none of ${ROWS.length} planted secrets appears in any payload byte or in inspect output`, async () => {
    const home = tempHome();
    const corpus = join(mkdtempSync(join(tmpdir(), 'corpus-')), 'rows.json');
    writeFileSync(corpus, JSON.stringify(ROWS));
    const inspect = join(home, 'inspect.log');
    const crashRow = ROWS.find((r) => r.category === 'api-key')!;
    const before = rx.received.length;
    const r = await runNode(['--import', 'telemetry-agent', join(REPO, 'test/fixtures/apps/planted-errors.mjs')], {
      env: envFor(home, { CORPUS_FILE: corpus, TELEMETRY_AGENT_INSPECT: '1', TELEMETRY_AGENT_INSPECT_FILE: inspect, CRASH_WITH: crashRow.template }),
      timeoutMs: 120_000,
    });
    expect(r.stdout).toBe('planted all\n');
    expect(r.code).toBe(1); // the planted crash
    // The crash span and the metrics up to the crash arrive through the detached exit sender.
    await rx.waitFor(() => rx.received.slice(before).some((g) => g.body.includes('uncaught_exception')) && rx.received.slice(before).some((g) => g.body.includes('"ml.errors"')), 15_000);
    const got = new TestReceiver();
    got.received.push(...rx.received.slice(before));
    const wire = got.allBytes();
    const printed = readFileSync(inspect, 'utf8');
    const leaks = ROWS.filter((row) => wire.includes(row.secret) || printed.includes(row.secret)).map((row) => `${row.category}/${row.label}`);
    expect(leaks).toEqual([]);
    expect(wire).not.toContain(crashRow.secret);

    const spans = got.spans();
    // Useful parts remain: error types, the tfjs frames as node_modules/<pkg>/...
    const failedTrain = spans.filter((s) => s.name === 'ml.train' && s.status?.code === 2);
    expect(failedTrain.length).toBeGreaterThanOrEqual(ROWS.length);
    const fitErrors = failedTrain.filter((s) => attr(s.attributes, 'ml.framework') === 'tfjs');
    expect(fitErrors.length).toBe(21);
    expect(attr(fitErrors[0].events[0].attributes, 'exception.type')).toBe('RangeError');
    // Error events are rate-limited per type, so look for the one error tfjs raised itself.
    const tfjsError = fitErrors.find((s) => s.events.length > 0 && attr(s.events[0].attributes, 'exception.type') !== 'RangeError');
    const tfjsStack = attr(tfjsError.events[0].attributes, 'exception.stacktrace');
    expect(tfjsStack).toMatch(/at .* \(node_modules\/@tensorflow\/tfjs-layers\/dist\/[\w./-]+:\d+:\d+\)/);
    const crash = spans.filter((s) => s.name === 'uncaught_exception');
    expect(crash).toHaveLength(1);
    expect(attr(crash[0].events[0].attributes, 'exception.type')).toBe('TypeError');
    // recordUsage without a declared event sends nothing of it (strings are never free text): counted only.
    expect(spans.filter((s) => s.name === 'usage').length).toBe(0);
    const dropped = got.metrics().filter((m) => m.name === 'telemetry_agent.usage.dropped').flatMap((m) => m.sum.dataPoints);
    expect(Math.max(...dropped.filter((p: any) => attr(p.attributes, 'usage.dropped.reason') === 'undeclared_event').map((p: any) => Number(p.asInt ?? p.asDouble)))).toBe(ROWS.length);
    const errors = got.metrics().filter((m) => m.name === 'ml.errors').flatMap((m) => m.sum.dataPoints);
    expect(errors.some((p: any) => attr(p.attributes, 'error.type') === 'SyntaxError')).toBe(true);
  });
});

describe('crashes', () => {
  for (const mode of ['throw', 'reject']) {
    it(`an uncaught ${mode} keeps stderr byte for byte and the exit code; the span arrives on the next run`, async () => {
      const app = join(REPO, 'test/fixtures/apps/crash.mjs');
      const home = tempHome();
      const bare = await runNode([app, mode], { env: cleanEnv(home, { PLANTED: 'zz-planted' }) });
      const before = rx.received.length;
      const env = cleanEnv(home, { PLANTED: 'zz-planted', OTEL_EXPORTER_OTLP_ENDPOINT: rx.endpoint, TELEMETRY_AGENT_ENABLED: '1', TELEMETRY_AGENT_EXIT_SENDER: '0' });
      const withAgent = await runNode(['--import', 'telemetry-agent', app, mode], { env });
      expect(withAgent.code).toBe(bare.code);
      expect(withAgent.code).toBe(1);
      expect(withAgent.stdout).toBe(bare.stdout);
      expect(withAgent.stderr).toBe(bare.stderr);
      await new Promise((r) => setTimeout(r, 200));
      expect(rx.received.slice(before).some((g) => g.body.includes('uncaught_exception'))).toBe(false);
      // The next run of any app delivers it from the queue.
      await runNode(['--import', 'telemetry-agent', join(REPO, 'test/fixtures/apps/trivial.mjs')], { env });
      await rx.waitFor(() => rx.received.slice(before).some((g) => g.body.includes('uncaught_exception')));
      const body = rx.received.slice(before).map((g) => g.body.toString()).join('');
      expect(body).not.toContain('zz-planted');
      expect(body).toContain(mode === 'throw' ? 'TypeError' : 'RangeError');
    });
  }
});
