// Fault matrix: real `node --import telemetry-agent` processes against real sockets. Every row
// checks that the app's stdout and exit status are what they are without the agent, and what was
// delivered or left in the on-disk queue.
import { describe, expect, it } from 'vitest';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { REPO, cleanEnv, runNode, tempHome, type RunResult } from '../helpers/run-node.js';
import { plantQueue } from '../helpers/fault-queue.js';
import { OK, collectorsClosedAfterEach, debugLines, instanceIdOf, metricsOf, queueDir, queueEntries, queuedPayloads, refusedEndpoint, spansOf, type Script } from '../helpers/fault-receiver.js';

const app = (name: string) => join(REPO, 'test', 'fixtures', 'apps', name);
const AGENT = ['--import', 'telemetry-agent'];
const CLI = join(REPO, 'dist', 'cli.mjs');
/**
 * No assertion here times the app (the machine may be busy). Each request may take 120 s
 * (OTEL_EXPORTER_OTLP_TIMEOUT below), so an exit that waited for a hanging collector would be
 * killed by runNode's 30 s limit and differ from the bare run; where the flush bound cuts an
 * export, the agent's debug line records which bound it applied.
 */
const boundLine = (ms: number) => `exit flush cut at its ${ms} ms bound`;

/** Collectors for this file, closed after each test. */
const collector = collectorsClosedAfterEach();

/** Consent granted by the environment; the exit sender off unless a test is about it. */
function env(home: string, endpoint: string, extra: Record<string, string | undefined> = {}) {
  return cleanEnv(home, { TELEMETRY_AGENT_ENABLED: '1', OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, TELEMETRY_AGENT_EXIT_SENDER: '0', OTEL_EXPORTER_OTLP_TIMEOUT: '120000', ...extra });
}

/** The same app without the agent: no preload, no consent (apps that import the API get the inert API). */
function bare(args: string[], o: { onSpawn?: (c: ChildProcess) => void } = {}): Promise<RunResult> {
  return runNode(args, { env: cleanEnv(tempHome()), onSpawn: o.onSpawn });
}

function withAgent(args: string[], home: string, endpoint: string, extra: Record<string, string | undefined> = {}, o: { onSpawn?: (c: ChildProcess) => void } = {}): Promise<RunResult> {
  return runNode([...AGENT, ...args], { env: env(home, endpoint, extra), onSpawn: o.onSpawn });
}

/**
 * The app's behaviour is unchanged: same stdout, same exit code or signal, nothing on stderr
 * (unless asked; with `debug`, the agent's debug lines are set aside).
 */
function expectSameAsBare(r: RunResult, b: RunResult, o: { stderr?: boolean; debug?: boolean } = {}) {
  expect(r.stdout).toBe(b.stdout);
  expect(r.code).toBe(b.code);
  expect(r.signal).toBe(b.signal);
  if (o.debug) expect(r.stderr.split('\n').filter((l) => !l.startsWith('telemetry-agent debug:'))).toEqual(b.stderr.split('\n'));
  else if (o.stderr !== false) expect(r.stderr).toBe(b.stderr);
}

const DEBUG = { TELEMETRY_AGENT_DEBUG: '1' };

/** Instance IDs of the payloads waiting in a home's queue, oldest first. */
const queuedIds = (home: string) => queuedPayloads(home).map((p) => instanceIdOf(p.json));

const OK_ALWAYS: Script = () => OK;

const count = (xs: string[], x: string) => xs.filter((y) => y === x).length;

/** Sends `signal` once the app has printed 'ready' and the agent has had time to hook in. */
function signalWhenReady(signal: NodeJS.Signals, delayMs = 200) {
  return (child: ChildProcess) => {
    let out = '';
    let sent = false;
    child.stdout!.on('data', (d) => {
      out += d;
      if (!sent && out.includes('ready\n')) {
        sent = true;
        setTimeout(() => child.kill(signal), delayMs);
      }
    });
  };
}

describe('collector faults', () => {
  it('refusing connections: app unchanged, exit within the bound, the payload is queued', async () => {
    const home = tempHome();
    const b = await bare([app('trivial.mjs')]);
    const r = await withAgent([app('trivial.mjs')], home, await refusedEndpoint());
    expectSameAsBare(r, b); // it exited on its own: it did not wait for the 120 s request timeout
    const queued = queuedPayloads(home);
    expect(queued.map((q) => q.signal)).toContain('metrics');
    expect(queued.flatMap((q) => q.json.resourceMetrics ?? []).length).toBeGreaterThan(0);
  });

  it('accepting but never answering: exit cut by the flush bound, the payload is queued', async () => {
    const home = tempHome();
    const rx = await collector(() => 'hang');
    const b = await bare([app('trivial.mjs')]);
    const r = await withAgent([app('trivial.mjs')], home, rx.endpoint, DEBUG);
    expectSameAsBare(r, b, { debug: true });
    expect(debugLines(r.stderr).filter((l) => l.includes(boundLine(1000)))).toHaveLength(1);
    expect(rx.requests.length).toBeGreaterThan(0);
    expect(queuedPayloads(home).map((q) => q.signal)).toContain('metrics');
  });

  it('503 with a Retry-After that fits the bound: retried after it, delivered, nothing queued', async () => {
    const home = tempHome();
    const rx = await collector(({ index }) => (index === 0 ? { status: 503, retryAfter: '1' } : OK));
    const b = await bare([app('trivial.mjs')]);
    const r = await withAgent([app('trivial.mjs')], home, rx.endpoint, { TELEMETRY_AGENT_FLUSH_TIMEOUT_MS: '3000' });
    expectSameAsBare(r, b);
    expect(rx.requests[0]!.answer).toEqual({ status: 503, retryAfter: '1' });
    expect(rx.requests[1]!.at - rx.requests[0]!.at).toBeGreaterThanOrEqual(950);
    expect(rx.metricNames()).toContain('process.memory.usage');
    expect(queuedPayloads(home)).toEqual([]);
  });

  it('503 with a Retry-After that does not fit: queued at once, not waited for, not retried', async () => {
    const home = tempHome();
    const rx = await collector(() => ({ status: 503, retryAfter: '30' }));
    const b = await bare([app('trivial.mjs')]);
    const r = await withAgent([app('trivial.mjs')], home, rx.endpoint, DEBUG);
    expectSameAsBare(r, b, { debug: true });
    expect(debugLines(r.stderr).some((l) => l.includes('retry does not fit the time budget'))).toBe(true);
    expect(debugLines(r.stderr).some((l) => l.includes(boundLine(1000)))).toBe(false); // not waited for
    expect(rx.requests.filter((q) => q.path === '/v1/metrics')).toHaveLength(1);
    expect(queuedPayloads(home).map((q) => q.signal)).toEqual(['metrics']);
  });

  it('429: backoff then delivered within the bound; with Retry-After it is honoured', async () => {
    const b = await bare([app('trivial.mjs')]);
    const rx = await collector(({ index }) => (index === 0 ? { status: 429 } : OK));
    const home = tempHome();
    const r = await withAgent([app('trivial.mjs')], home, rx.endpoint);
    expectSameAsBare(r, b);
    expect(rx.requests).toHaveLength(2);
    expect(rx.metricNames()).toContain('process.memory.usage');
    expect(queuedPayloads(home)).toEqual([]);

    const rx2 = await collector(({ index }) => (index === 0 ? { status: 429, retryAfter: '1' } : OK));
    const home2 = tempHome();
    const r2 = await withAgent([app('trivial.mjs')], home2, rx2.endpoint, { TELEMETRY_AGENT_FLUSH_TIMEOUT_MS: '3000' });
    expectSameAsBare(r2, b);
    expect(rx2.requests[1]!.at - rx2.requests[0]!.at).toBeGreaterThanOrEqual(950);
    expect(rx2.delivered()).toHaveLength(1);
    expect(queuedPayloads(home2)).toEqual([]);
  });

  it('400: dropped after one request, not queued, not retried; one debug line', async () => {
    const home = tempHome();
    const rx = await collector(() => ({ status: 400 }));
    const b = await bare([app('trivial.mjs')]);
    const r = await withAgent([app('trivial.mjs')], home, rx.endpoint);
    expectSameAsBare(r, b);
    expect(rx.requests).toHaveLength(1);
    expect(queueEntries(home)).toEqual([]);
    const d = await withAgent([app('trivial.mjs')], tempHome(), rx.endpoint, { TELEMETRY_AGENT_DEBUG: '1' });
    expectSameAsBare(d, b, { stderr: false });
    expect(debugLines(d.stderr).filter((l) => l.includes('400'))).toHaveLength(1);
  });

  it('413 on everything: split down to single data points before anything is dropped; the drop is said once on stderr, nothing queued', async () => {
    const home = tempHome();
    const rx = await collector(() => ({ status: 413 }));
    const b = await bare([app('trivial.mjs')]);
    const r = await withAgent([app('trivial.mjs')], home, rx.endpoint);
    expectSameAsBare(r, b, { stderr: false });
    expect(r.stderr.split('\n').filter(Boolean)).toEqual([expect.stringMatching(/^telemetry-agent: the collector refused a metrics payload as too large \(413\)/)]);
    const points = (q: { json: any }) => metricsOf(q.json).reduce((n: number, m: any) => n + (m.gauge ?? m.sum ?? m.histogram).dataPoints.length, 0);
    const sizes = rx.requests.map(points);
    expect(Math.max(...sizes)).toBeGreaterThan(1);
    expect(sizes.filter((n) => n === 1).length).toBe(Math.max(...sizes)); // every point was tried alone
    expect(queueEntries(home)).toEqual([]);
  });
});

describe('the queue is delivered later', () => {
  it('collector back on the next run: the queue is delivered by that run, exactly once', async () => {
    const home = tempHome();
    const b = await bare([app('trivial.mjs')]);
    const endpoint = await refusedEndpoint();
    const down = await withAgent([app('trivial.mjs')], home, endpoint);
    expectSameAsBare(down, b);
    const [first] = queuedIds(home);
    expect(first).toBeTruthy();

    const rx = await collector(OK_ALWAYS, endpoint);
    const next = await withAgent([app('trivial.mjs')], home, rx.endpoint);
    expectSameAsBare(next, b);
    expect(count(rx.instanceIds(), first!)).toBe(1);
    expect(queueEntries(home)).toEqual([]);
    const third = await withAgent([app('trivial.mjs')], home, rx.endpoint);
    expectSameAsBare(third, b);
    expect(count(rx.instanceIds(), first!)).toBe(1);
  });

  it('the detached exit sender delivers what was queued at exit, without a next run', async () => {
    const home = tempHome();
    // The collector answers nothing until the app has exited: an app held by its sender would
    // never exit (runNode kills it), so exiting proves the sender is detached.
    let appExited!: () => void;
    const exited = new Promise<void>((res) => { appExited = res; });
    const rx = await collector(() => ({ ...OK, until: exited }));
    const b = await bare([app('fault-exit-mid-train.mjs')]);
    const r = await withAgent([app('fault-exit-mid-train.mjs')], home, rx.endpoint, { TELEMETRY_AGENT_EXIT_SENDER: undefined }).finally(appExited);
    expectSameAsBare(r, b);
    expect(r.code).toBe(4);
    await rx.waitFor(() => rx.spans().some((s) => s.name === 'ml.train'), 10_000);
    await rx.waitFor(() => queueEntries(home).length === 0, 5_000);
    await new Promise((res) => setTimeout(res, 300));
    expect(rx.spans().filter((s) => s.name === 'ml.train')).toHaveLength(1);
  });
});

describe('a backlog and the default exit sender', () => {
  it('a short run does not spend its exit draining a backlog: the detached sender delivers it, each payload once', async () => {
    const home = tempHome();
    // 100 payloads: within the detached sender's 10 s budget even on a busy machine.
    const ids = Array.from({ length: 100 }, (_, i) => `backlog-${i}`);
    const rx = await collector(() => ({ ...OK, delayMs: 1 }));
    plantQueue(home, rx.endpoint, ids);
    const b = await bare([app('trivial.mjs')]);
    const r = await withAgent([app('trivial.mjs')], home, rx.endpoint, { TELEMETRY_AGENT_EXIT_SENDER: undefined });
    expectSameAsBare(r, b);
    // The app sent at most the payload it was sending when it began to exit (the drain is stopped,
    // not cut); an exit spent draining would have sent far more within its 1 s bound.
    const sentByApp = rx.instanceIds().filter((id) => id.startsWith('backlog-')).length;
    expect(sentByApp).toBeLessThanOrEqual(2);
    await rx.waitFor(() => rx.instanceIds().filter((id) => id.startsWith('backlog-')).length >= ids.length, 60_000);
    await rx.waitFor(() => queueEntries(home).length === 0, 30_000);
    const got = rx.instanceIds().filter((id) => id.startsWith('backlog-'));
    expect(got).toEqual(ids); // oldest first, each once
  }, 150_000);
});

describe('the detached sender', () => {
  const sender = join(REPO, 'dist', 'sender.cjs');

  it('obeys consent: with DO_NOT_TRACK it sends nothing', async () => {
    const home = tempHome();
    const rx = await collector();
    plantQueue(home, rx.endpoint, ['kept']);
    const r = await runNode([sender], { env: env(home, rx.endpoint, { DO_NOT_TRACK: '1' }) });
    expect(r.code).toBe(0);
    expect(r.stdout + r.stderr).toBe('');
    expect(rx.requests).toEqual([]);
  });

  it('never outlives its 10 s budget, and a payload it could not send goes back to the queue', async () => {
    const home = tempHome();
    const rx = await collector(() => 'hang');
    plantQueue(home, rx.endpoint, ['stuck', 'next']);
    // The request could hang for 120 s: exiting on its own (before runNode's 50 s kill) is the budget at work.
    const r = await runNode([sender], { env: env(home, rx.endpoint), timeoutMs: 50_000 });
    expect([r.code, r.signal]).toEqual([0, null]);
    expect(r.ms).toBeGreaterThanOrEqual(9_500); // it did try for its whole budget
    expect(rx.requests).toHaveLength(1);
    expect(queuedIds(home)).toEqual(['stuck', 'next']);
    expect(queueEntries(home).filter((n) => n.includes('.claimed-'))).toEqual([]);
  }, 90_000);
});

describe('unwritable or corrupt local state', () => {
  /** Config and cache dirs under a regular file: ENOTDIR, which stops writes as root too. */
  function blockedEnv(endpoint: string, extra: Record<string, string> = {}) {
    const home = tempHome();
    const blocker = join(home, 'blocker');
    writeFileSync(blocker, 'not a directory');
    return env(home, endpoint, { HOME: join(blocker, 'home'), XDG_CONFIG_HOME: join(blocker, 'config'), XDG_CACHE_HOME: join(blocker, 'cache'), ...extra });
  }

  it('read-only HOME and cache dir: the app runs unchanged, nothing on stderr, at most one storage debug line', async () => {
    const b = await bare([app('trivial.mjs')]);
    const down = await refusedEndpoint();
    const quiet = await runNode([...AGENT, app('trivial.mjs')], { env: blockedEnv(down) });
    expectSameAsBare(quiet, b);
    const loud = await runNode([...AGENT, app('trivial.mjs')], { env: blockedEnv(down, { TELEMETRY_AGENT_DEBUG: '1' }) });
    expectSameAsBare(loud, b, { stderr: false });
    const storage = debugLines(loud.stderr).filter((l) => !l.includes('cannot reach') && !l.includes('debug: short run:'));
    expect(storage.length).toBeLessThanOrEqual(1);
    expect(loud.stderr.split('\n').filter((l) => l && !l.startsWith('telemetry-agent debug:'))).toEqual([]);
    // With a collector, telemetry still flows (with a one-run install ID).
    const rx = await collector();
    const up = await runNode([...AGENT, app('trivial.mjs')], { env: blockedEnv(rx.endpoint) });
    expectSameAsBare(up, b);
    expect(rx.metricNames()).toContain('process.memory.usage');
  });

  it.skipIf(process.getuid?.() === 0)('read-only HOME by chmod (non-root only)', async () => {
    const home = tempHome();
    chmodSync(home, 0o500);
    try {
      const b = await bare([app('trivial.mjs')]);
      const r = await withAgent([app('trivial.mjs')], home, await refusedEndpoint());
      expectSameAsBare(r, b);
    } finally {
      chmodSync(home, 0o700);
    }
  });

  it('corrupt queue files are skipped and removed; the good one is delivered', async () => {
    const home = tempHome();
    const rx = await collector();
    plantQueue(home, rx.endpoint, ['survivor']);
    const dir = queueDir(home);
    writeFileSync(join(dir, '1600000000000-1-0000000a.metrics.json'), '{"resourceMetrics": [tru');
    writeFileSync(join(dir, '1600000000001-1-0000000b.traces.json'), '');
    writeFileSync(join(dir, '1600000000002-1-0000000c.traces.json'), Buffer.from([0xff, 0xfe, 0x00, 0x01]));
    writeFileSync(join(dir, 'dropped-1-0000000d.count'), 'NaN garbage');
    const b = await bare([app('trivial.mjs')]);
    const r = await withAgent([app('trivial.mjs')], home, rx.endpoint);
    expectSameAsBare(r, b);
    expect(count(rx.instanceIds(), 'survivor')).toBe(1);
    // The three lost payloads are counted (on disk), and reported by the next run.
    expect(queueEntries(home).filter((n) => !/^dropped-\d+-[0-9a-f]+\.count$/.test(n))).toEqual([]);
    const next = await withAgent([app('trivial.mjs')], home, rx.endpoint);
    expectSameAsBare(next, b);
    expect(rx.counterSum('telemetry_agent.queue.dropped')).toBe(3);
    expect(queueEntries(home)).toEqual([]);
  });

  it('corrupt consent, install-id and salt files: never a crash; IDs replaced, consent replaced by the CLI', async () => {
    const home = tempHome();
    const cfg = join(home, '.config', 'telemetry-agent');
    mkdirSync(cfg, { recursive: true });
    writeFileSync(join(cfg, 'consent.json'), '{"enabled": tr\u0000');
    writeFileSync(join(cfg, 'install-id'), 'not-a-uuid\n');
    writeFileSync(join(cfg, 'salt'), '\u0000\u0001');
    const rx = await collector();
    const b = await bare([app('trivial.mjs')]);
    const r = await withAgent([app('trivial.mjs')], home, rx.endpoint);
    expectSameAsBare(r, b); // consent came from the environment (rule 3): the broken file is not even read
    // The first release's files at the config root moved to the agent's own product on first use.
    const own = join(cfg, 'products', 'telemetry-agent');
    const id = readFileSync(join(own, 'install-id'), 'utf8').trim();
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(readFileSync(join(own, 'salt'), 'utf8').trim()).toMatch(/^[0-9a-f]{64}$/);
    const installIds = rx.resources().map((res) => res.attributes.find((a: any) => a.key === 'telemetry.install.id')?.value.stringValue);
    expect(installIds.length).toBeGreaterThan(0);
    expect(new Set(installIds)).toEqual(new Set([id]));

    const en = await runNode([CLI, 'enable'], { env: cleanEnv(home, { OTEL_EXPORTER_OTLP_ENDPOINT: rx.endpoint }) });
    expect(en.code).toBe(0);
    expect(() => JSON.parse(readFileSync(join(cfg, 'products', 'telemetry-agent', 'consent.json'), 'utf8'))).not.toThrow();
    const before = rx.delivered().length;
    const saved = await runNode([...AGENT, app('trivial.mjs')], { env: cleanEnv(home, { OTEL_EXPORTER_OTLP_ENDPOINT: rx.endpoint, TELEMETRY_AGENT_EXIT_SENDER: '0' }) });
    expectSameAsBare(saved, b);
    expect(rx.delivered().length).toBeGreaterThan(before);
  });
});

describe('several processes, one queue', () => {
  it('two apps draining one queue concurrently send each payload exactly once', async () => {
    const home = tempHome();
    const ids = Array.from({ length: 40 }, (_, i) => `shared-${i}`);
    const rx = await collector(() => ({ ...OK, delayMs: 5 }));
    plantQueue(home, rx.endpoint, ids);
    const b = await bare([app('fault-work.mjs'), '800']);
    // A generous exit bound: whatever the machine's load, the two drains finish (this is about exactly once, not speed).
    const slack = { TELEMETRY_AGENT_FLUSH_TIMEOUT_MS: '30000' };
    const [r1, r2] = await Promise.all([
      withAgent([app('fault-work.mjs'), '800'], home, rx.endpoint, slack),
      withAgent([app('fault-work.mjs'), '800'], home, rx.endpoint, slack),
    ]);
    expectSameAsBare(r1!, b);
    expectSameAsBare(r2!, b);
    const got = rx.instanceIds().filter((id) => id.startsWith('shared-'));
    expect(got.sort()).toEqual([...ids].sort());
    expect(queueEntries(home)).toEqual([]);
  });
});

describe('signals', () => {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`${signal} without an app listener: flushed, then the process dies by ${signal} as without the agent`, async () => {
      const home = tempHome();
      const rx = await collector();
      const b = await bare([app('signal.mjs')], { onSpawn: signalWhenReady(signal) });
      expect(b.signal).toBe(signal);
      const r = await withAgent([app('signal.mjs')], home, rx.endpoint, {}, { onSpawn: signalWhenReady(signal) });
      expectSameAsBare(r, b);
      expect(rx.metricNames()).toContain('process.memory.usage');
      expect(queuedPayloads(home)).toEqual([]);
    });

    it(`${signal} without an app listener, collector hanging: dies by ${signal} within the bound, data queued`, async () => {
      const home = tempHome();
      const rx = await collector(() => 'hang');
      const b = await bare([app('signal.mjs')], { onSpawn: signalWhenReady(signal) });
      const r = await withAgent([app('signal.mjs')], home, rx.endpoint, DEBUG, { onSpawn: signalWhenReady(signal) });
      expectSameAsBare(r, b, { debug: true });
      expect(debugLines(r.stderr).filter((l) => l.includes(boundLine(1000)))).toHaveLength(1);
      expect(queuedPayloads(home).map((q) => q.signal)).toContain('metrics');
    });

    it(`${signal} with an app listener: the app's handler decides (exit code 42)`, async () => {
      const home = tempHome();
      const rx = await collector();
      const b = await bare([app('signal.mjs'), 'own'], { onSpawn: signalWhenReady(signal) });
      expect(b.code).toBe(42);
      const r = await withAgent([app('signal.mjs'), 'own'], home, rx.endpoint, {}, { onSpawn: signalWhenReady(signal) });
      expectSameAsBare(r, b);
    });
  }

  it('an app listener that goes on working: the agent neither exits for it nor stops sending', async () => {
    const home = tempHome();
    const rx = await collector();
    const b = await bare([app('fault-signal-continue.mjs')], { onSpawn: signalWhenReady('SIGTERM') });
    expect(b.code).toBe(42);
    expect(b.stdout).toBe('ready\napp handler SIGTERM\napp done\n');
    const r = await withAgent([app('fault-signal-continue.mjs')], home, rx.endpoint, {}, { onSpawn: signalWhenReady('SIGTERM') });
    expectSameAsBare(r, b);
    const runs = rx.spans().filter((s) => s.name === 'ml.train');
    expect(runs).toHaveLength(1);
    expect(runs[0]!.attributes.find((a: any) => a.key === 'ml.run.name')?.value.stringValue).toBe('after-signal');
    expect(queuedPayloads(home)).toEqual([]);
  });

  it('an app listener that goes on working, collector hanging: exit still within one flush bound of the app being done', async () => {
    const home = tempHome();
    const rx = await collector(() => 'hang');
    const b = await bare([app('fault-signal-continue.mjs')], { onSpawn: signalWhenReady('SIGINT') });
    const r = await withAgent([app('fault-signal-continue.mjs')], home, rx.endpoint, DEBUG, { onSpawn: signalWhenReady('SIGINT') });
    expectSameAsBare(r, b, { debug: true });
    // The sends and the flush bound share one deadline: either the bound cuts the flush, or each
    // send times out at that deadline first (a race the machine's load decides). Both mean the bound
    // was applied; a flush that ignored it would hang on this collector and fail the line above.
    const bounded = debugLines(r.stderr).filter((l) => l.includes(boundLine(1000)));
    const timedOut = debugLines(r.stderr).filter((l) => /cannot reach .*\/v1\/traces \(timeout\)/.test(l));
    expect(bounded.length + timedOut.length).toBeGreaterThanOrEqual(1);
    expect(bounded.length).toBeLessThanOrEqual(1);
    expect(queuedPayloads(home).flatMap((q) => spansOf(q.json)).filter((s) => s.name === 'ml.train')).toHaveLength(1);
  });
});

describe('process.exit() mid-training', () => {
  it.each([
    ['a progress() run', 'fault-exit-mid-train.mjs', 'custom'],
    ['a tfjs fit()', 'fault-exit-mid-fit.mjs', 'tfjs'],
  ])('process.exit(4) during %s: exit code kept, the open ml.train span queued, delivered by the next run', async (_what, file, framework) => {
    const home = tempHome();
    const b = await bare([app(file)]);
    expect(b.code).toBe(4);
    const endpoint = await refusedEndpoint();
    const r = await withAgent([app(file)], home, endpoint);
    expectSameAsBare(r, b);
    const queuedSpans = queuedPayloads(home).filter((q) => q.signal === 'traces').flatMap((q) => spansOf(q.json));
    const train = queuedSpans.filter((s) => s.name === 'ml.train');
    expect(train).toHaveLength(1);
    expect(train[0]!.attributes.find((a: any) => a.key === 'ml.framework')?.value.stringValue).toBe(framework);

    const rx = await collector(OK_ALWAYS, endpoint);
    const next = await withAgent([app('trivial.mjs')], home, rx.endpoint);
    expect(next.code).toBe(0);
    const delivered = rx.spans().filter((s) => s.name === 'ml.train');
    expect(delivered).toHaveLength(1);
    expect(delivered[0]!.spanId).toBe(train[0]!.spanId);
    // The metrics up to the exit come from the synchronous snapshot: progress so far, and memory.
    const metrics = rx.delivered().filter((q) => q.json?.resourceMetrics).flatMap((q) => metricsOf(q.json));
    const progress = metrics.filter((m) => m.name === 'ml.training.progress').flatMap((m) => m.gauge.dataPoints.map((p: any) => p.asDouble));
    expect(progress.length).toBeGreaterThan(0);
    expect(Math.max(...progress)).toBeGreaterThan(0);
    expect(Math.max(...progress)).toBeLessThan(1);
    expect(metrics.some((m) => m.name === 'process.memory.usage')).toBe(true);
    expect(queueEntries(home)).toEqual([]);
  });
});

describe('queue bound', () => {
  it('TELEMETRY_AGENT_QUEUE_MAX_FILES: the oldest are dropped; telemetry_agent.queue.dropped is reported when delivery resumes', async () => {
    const home = tempHome();
    const down = await refusedEndpoint();
    const extra = { TELEMETRY_AGENT_QUEUE_MAX_FILES: '3' };
    const b = await bare([app('trivial.mjs')]);
    const runIds: string[] = [];
    for (let i = 0; i < 5; i++) {
      const before = new Set(queuedIds(home));
      const r = await withAgent([app('trivial.mjs')], home, down, extra);
      expectSameAsBare(r, b);
      runIds.push(...queuedIds(home).filter((id) => !before.has(id)));
      expect(queuedPayloads(home).length).toBeLessThanOrEqual(3);
    }
    expect(runIds).toHaveLength(5);
    expect(queuedIds(home)).toEqual(runIds.slice(2));

    const rx = await collector(OK_ALWAYS, down);
    const up = await withAgent([app('trivial.mjs')], home, rx.endpoint, extra);
    expectSameAsBare(up, b);
    const got = rx.instanceIds();
    for (const id of runIds.slice(2)) expect(count(got, id)).toBe(1);
    for (const id of runIds.slice(0, 2)) expect(count(got, id)).toBe(0);
    expect(rx.counterSum('telemetry_agent.queue.dropped')).toBe(2);
    expect(queueEntries(home)).toEqual([]);
  });
});

describe('revoking consent deletes the queue', () => {
  async function homeWithQueue(): Promise<{ home: string; id: string }> {
    const home = tempHome();
    await withAgent([app('trivial.mjs')], home, await refusedEndpoint());
    const [id] = queuedIds(home);
    expect(id).toBeTruthy();
    return { home, id: id! };
  }

  it('DO_NOT_TRACK=1 at start', async () => {
    const { home } = await homeWithQueue();
    const b = await bare([app('trivial.mjs')]);
    const rx = await collector();
    const r = await withAgent([app('trivial.mjs')], home, rx.endpoint, { DO_NOT_TRACK: '1' });
    expectSameAsBare(r, b);
    expect(existsSync(queueDir(home))).toBe(false);
    expect(rx.requests).toEqual([]);
  });

  it.each([['disable'], ['reset']])('telemetry-agent %s', async (command) => {
    const { home, id } = await homeWithQueue();
    const rx = await collector();
    const queued = queuedPayloads(home).length;
    expect(queued).toBeGreaterThan(0);
    const cli = await runNode([CLI, command], { env: cleanEnv(home) });
    expect(cli.code).toBe(0);
    expect(cli.stdout).toContain(`deleted ${queued} queued payload${queued === 1 ? '' : 's'}`);
    expect(existsSync(queueDir(home))).toBe(false);
    // Even with consent granted again, the old payload is gone for good.
    const r = await withAgent([app('trivial.mjs')], home, rx.endpoint);
    expect(r.code).toBe(0);
    expect(rx.delivered().length).toBeGreaterThan(0);
    expect(rx.instanceIds()).not.toContain(id);
  });
});

describe('the agent never keeps the process alive', () => {
  it('collector hanging, an interval export and a queue drain in flight: the app still exits within the bound after its work', async () => {
    const home = tempHome();
    const rx = await collector(() => 'hang');
    plantQueue(home, rx.endpoint, ['old-1', 'old-2']);
    // 2.5 s of work: the 1 s interval export happens while the app runs, even on a busy machine.
    const b = await bare([app('fault-work.mjs'), '2500']);
    const r = await withAgent([app('fault-work.mjs'), '2500'], home, rx.endpoint, { OTEL_METRIC_EXPORT_INTERVAL: '1000', ...DEBUG });
    expectSameAsBare(r, b, { debug: true });
    expect(debugLines(r.stderr).filter((l) => l.includes(boundLine(1000)))).toHaveLength(1);
    // The hanging drain and interval export were really in flight, and nothing was lost.
    expect(rx.requests.some((q) => q.body.includes('old-1'))).toBe(true);
    expect(rx.requests.filter((q) => q.path === '/v1/metrics').length).toBeGreaterThanOrEqual(3);
    const ids = queuedIds(home);
    expect(ids.filter((id) => id.startsWith('old-'))).toEqual(['old-1', 'old-2']);
    expect(ids.filter((id) => !id.startsWith('old-')).length).toBeGreaterThanOrEqual(2);
    expect(queueEntries(home).filter((n) => n.includes('.claimed-'))).toEqual([]);
  });

  it('a quick app with the collector hanging exits within the bound (no agent timer or socket holds it)', async () => {
    const rx = await collector(() => 'hang');
    const b = await bare([app('fault-work.mjs'), '50']);
    const r = await withAgent([app('fault-work.mjs'), '50'], tempHome(), rx.endpoint, { TELEMETRY_AGENT_FLUSH_TIMEOUT_MS: '300', ...DEBUG });
    expectSameAsBare(r, b, { debug: true });
    expect(debugLines(r.stderr).filter((l) => l.includes(boundLine(300)))).toHaveLength(1);
  });
});
