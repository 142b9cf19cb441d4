// The on-disk queue delivers only where it was meant to (issue: six reproduced attacks). Real
// `node --import telemetry-agent` processes and real files; each case failed on the first release.
import { describe, expect, it } from 'vitest';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO, cleanEnv, runNode, tempHome } from '../helpers/run-node.js';
import { FaultReceiver, OK, collectorsClosedAfterEach, debugLines, instanceIdOf, queueDir, queueEntries, queuedPayloads, refusedEndpoint } from '../helpers/fault-receiver.js';
import { entry, fingerprintFor, plantQueue, syntheticPayload } from '../helpers/fault-queue.js';

const app = (name: string) => join(REPO, 'test', 'fixtures', 'apps', name);
const AGENT = ['--import', 'telemetry-agent'];

/** Collectors for this file, closed after each test. */
const collector = collectorsClosedAfterEach();

function env(home: string, extra: Record<string, string | undefined> = {}) {
  return cleanEnv(home, { TELEMETRY_AGENT_ENABLED: '1', TELEMETRY_AGENT_EXIT_SENDER: '0', ...extra });
}

const bodies = (rx: FaultReceiver) => rx.requests.map((q) => q.body.toString('utf8')).join('\n');
const authOf = (rx: FaultReceiver) => [...new Set(rx.requests.map((q) => String(q.headers.authorization)))];

describe('a queued payload goes only to its own destination', () => {
  it('tool A\'s payloads, queued while A\'s collector was down, are never sent by tool B to B\'s collector with B\'s credentials', async () => {
    const home = tempHome();
    const endpointA = await refusedEndpoint();
    const rxB = await collector();
    const toolEnv = (auth: string) => env(home, { TOOL_TELEMETRY: '1', OTEL_EXPORTER_OTLP_HEADERS: `authorization=Bearer%20${auth}` });
    const a = await runNode([app('tool.mjs'), 'tool-a', endpointA], { env: toolEnv('token-of-a') });
    expect(a.stdout).toBe('tool-a ran\n');
    const queuedA = queuedPayloads(home).length > 0 ? queuedPayloads(home) : allQueued(home);
    expect(queuedA.length).toBeGreaterThan(0);
    const idsA = queuedA.map((q) => instanceIdOf(q.json));

    const b = await runNode([app('tool.mjs'), 'tool-b', rxB.endpoint], { env: toolEnv('token-of-b') });
    expect(b.stdout).toBe('tool-b ran\n');
    expect(rxB.requests.length).toBeGreaterThan(0);
    expect(rxB.instanceIds().filter((id) => idsA.includes(id))).toEqual([]);
    expect(bodies(rxB)).not.toContain('tool-a');

    // A's collector back: A's next run delivers them there, with A's credentials.
    const rxA = await collector(() => OK, endpointA);
    await runNode([app('tool.mjs'), 'tool-a', endpointA], { env: toolEnv('token-of-a') });
    for (const id of idsA) expect(rxA.instanceIds()).toContain(id);
    expect(authOf(rxA)).toEqual(['Bearer token-of-a']);
  });

  it('same collector URL, other credentials: the payload is not sent with them', async () => {
    const home = tempHome();
    // The collector refuses user A for now (503) and accepts user B.
    const rx = await collector(({ headers }) => (headers.authorization === 'Bearer token-of-b' ? OK : { status: 503, retryAfter: '600' }));
    const as = (auth: string) => env(home, { OTEL_EXPORTER_OTLP_ENDPOINT: rx.endpoint, OTEL_EXPORTER_OTLP_HEADERS: `authorization=Bearer%20${auth}` });
    await runNode([...AGENT, app('trivial.mjs')], { env: as('token-of-a') });
    const idsA = queuedPayloads(home).map((q) => instanceIdOf(q.json));
    expect(idsA.length).toBeGreaterThan(0);
    await runNode([...AGENT, app('trivial.mjs')], { env: as('token-of-b') });
    const sentWithB = rx.requests.filter((q) => q.headers.authorization === 'Bearer token-of-b').map((q) => instanceIdOf(q.json));
    expect(sentWithB.length).toBeGreaterThan(0);
    expect(sentWithB.filter((id) => idsA.includes(id))).toEqual([]);
    expect(queuedPayloads(home).map((q) => instanceIdOf(q.json))).toEqual(idsA);
  });

  it('the credentials are never written to disk, only a keyed fingerprint of the destination', async () => {
    const home = tempHome();
    await runNode([...AGENT, app('trivial.mjs')], { env: env(home, { OTEL_EXPORTER_OTLP_ENDPOINT: await refusedEndpoint(), OTEL_EXPORTER_OTLP_HEADERS: 'authorization=Bearer%20sk-live-credential-zq8' }) });
    const files = queueEntries(home);
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) expect(readFileSync(join(queueDir(home), f), 'utf8')).not.toContain('sk-live-credential-zq8');
    expect(queuedPayloads(home)[0]!.header).toMatchObject({ product: 'telemetry-agent', signal: 'metrics', destination: expect.stringMatching(/^[0-9a-f]{32}$/) });
  });

  it('payloads whose destination is gone are kept for a while, then dropped and counted', async () => {
    const home = tempHome();
    const rx = await collector();
    const gone = fingerprintFor(home, { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9' });
    const dir = queueDir(home);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const old = entry(gone, syntheticPayload('orphan-old'), { at: Date.now() - 8 * 24 * 3600 * 1000 });
    const recent = entry(gone, syntheticPayload('orphan-recent'), { at: Date.now() - 60_000, index: 1 });
    for (const e of [old, recent]) writeFileSync(join(dir, e.name), e.content);
    await runNode([...AGENT, app('trivial.mjs')], { env: env(home, { OTEL_EXPORTER_OTLP_ENDPOINT: rx.endpoint }) });
    expect(rx.instanceIds().filter((id) => id.startsWith('orphan'))).toEqual([]);
    expect(existsSync(join(dir, old.name))).toBe(false);
    expect(existsSync(join(dir, recent.name))).toBe(true);
    // The drop is reported as telemetry_agent.queue.dropped by the next run.
    await runNode([...AGENT, app('trivial.mjs')], { env: env(home, { OTEL_EXPORTER_OTLP_ENDPOINT: rx.endpoint }) });
    expect(rx.counterSum('telemetry_agent.queue.dropped')).toBe(1);
  });
});

/** Every payload file in the home's cache, whichever queue directory layout wrote it. */
function allQueued(home: string): { json: any }[] {
  const out: { json: any }[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.(traces|metrics)\.json$/.test(e.name)) {
        const t = readFileSync(p, 'utf8');
        out.push({ json: JSON.parse(t.includes('\n') ? t.slice(t.indexOf('\n') + 1) : t) });
      }
    }
  };
  if (existsSync(join(home, '.cache'))) walk(join(home, '.cache'));
  return out;
}

describe('queue entries are never read through links, nor whole when oversized', () => {
  it('an entry that is a link to a credentials file is not read and its content never leaves', async () => {
    const home = tempHome();
    const rx = await collector();
    const docker = join(home, '.docker');
    mkdirSync(docker);
    const secretFile = join(docker, 'config.json');
    const secret = 'ZG9ja2VyOnBhc3N3b3JkLXE3eDk=';
    const fp = fingerprintFor(home, { OTEL_EXPORTER_OTLP_ENDPOINT: rx.endpoint });
    // Readable as a payload in either format: the first release's and this one's.
    writeFileSync(secretFile, `${JSON.stringify({ v: 2, product: 'telemetry-agent', signal: 'metrics', destination: fp })}\n${JSON.stringify({ resourceMetrics: [], auths: { 'registry.example': { auth: secret } } })}`);
    const legacyDoc = join(docker, 'legacy.json');
    writeFileSync(legacyDoc, JSON.stringify({ resourceMetrics: [], auths: { 'registry.example': { auth: secret } } }));
    const dir = queueDir(home);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    symlinkSync(legacyDoc, join(dir, '1700000000000-1-0000000a.metrics.json'));
    symlinkSync(secretFile, join(dir, `1700000000001-1-0000000b.${fp}.metrics.json`));
    const r = await runNode([...AGENT, app('trivial.mjs')], { env: env(home, { OTEL_EXPORTER_OTLP_ENDPOINT: rx.endpoint }) });
    expect(r.code).toBe(0);
    expect(rx.requests.length).toBeGreaterThan(0);
    expect(bodies(rx)).not.toContain(secret);
    expect(readFileSync(secretFile, 'utf8')).toContain(secret); // the target is left alone
    expect(queueEntries(home).filter((n) => !n.endsWith('.count'))).toEqual([]); // the links are gone
  });

  it('a 200 MB queue file is deleted unread: no memory spike in the app', async () => {
    const rx = await collector();
    const run = async (plant: boolean) => {
      const home = tempHome();
      const fp = fingerprintFor(home, { OTEL_EXPORTER_OTLP_ENDPOINT: rx.endpoint });
      const dir = queueDir(home);
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      const files = [join(dir, '1700000000000-1-0000000a.metrics.json'), join(dir, `1700000000001-1-0000000b.${fp}.metrics.json`)];
      if (plant) for (const f of files) { writeFileSync(f, ''); truncateSync(f, 200 * 1024 * 1024); }
      const r = await runNode([...AGENT, app('rss-at-exit.mjs'), '800'], { env: env(home, { OTEL_EXPORTER_OTLP_ENDPOINT: rx.endpoint }) });
      expect(r.code).toBe(0);
      return { rssKb: Number(r.stdout.trim()), files, home };
    };
    const clean = await run(false);
    const planted = await run(true);
    console.log(`peak RSS: ${Math.round(clean.rssKb / 1024)} MB without, ${Math.round(planted.rssKb / 1024)} MB with two planted 200 MB queue files`);
    expect(planted.rssKb - clean.rssKb).toBeLessThan(50 * 1024);
    for (const f of planted.files) expect(existsSync(f)).toBe(false);
  });
});

describe('the queue directory must be private', () => {
  /** Another user's queue dir in a shared XDG_CACHE_HOME, with a payload planted for this user's destination. */
  function plantedDir(home: string, endpoint: string, prepare: (dir: string) => void): string {
    plantQueue(home, endpoint, ['planted-by-someone-else']);
    const dir = queueDir(home);
    writeFileSync(join(dir, '1700000000005-1-0000000f.metrics.json'), syntheticPayload('planted-legacy'));
    prepare(dir);
    return dir;
  }

  it.each([
    ['created 0777 by another user', (dir: string) => { chmodSync(dir, 0o777); chownSync(dir, 54321, 54321); }],
    ['writable by every user', (dir: string) => chmodSync(dir, 0o777)],
    ['owned by another user', (dir: string) => chownSync(dir, 54321, 54321)],
  ])('%s: nothing planted in it is sent, nothing is written to it; one debug line', async (_what, prepare) => {
    const home = tempHome();
    const rx = await collector();
    const dir = plantedDir(home, rx.endpoint, prepare);
    const before = readdirSync(dir).sort();
    const r = await runNode([...AGENT, app('trivial.mjs')], { env: env(home, { OTEL_EXPORTER_OTLP_ENDPOINT: rx.endpoint, OTEL_EXPORTER_OTLP_HEADERS: 'authorization=Bearer%20mine', TELEMETRY_AGENT_DEBUG: '1' }) });
    expect(r.code).toBe(0);
    expect(rx.requests.length).toBeGreaterThan(0); // this run's own telemetry still goes out
    expect(rx.instanceIds().filter((id) => id.startsWith('planted'))).toEqual([]);
    expect(readdirSync(dir).sort()).toEqual(before);
    expect(debugLines(r.stderr).filter((l) => l.includes('not using the queue directory'))).toHaveLength(1);
  });

  it('with the collector down, a refused directory gets no payload either', async () => {
    const home = tempHome();
    const down = await refusedEndpoint();
    const dir = plantedDir(home, down, (d) => chmodSync(d, 0o777));
    const before = readdirSync(dir).sort();
    const r = await runNode([...AGENT, app('trivial.mjs')], { env: env(home, { OTEL_EXPORTER_OTLP_ENDPOINT: down }) });
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(readdirSync(dir).sort()).toEqual(before);
  });

  it('a symlinked queue directory is not used: nothing is written into the link\'s target', async () => {
    const home = tempHome();
    const elsewhere = mkdtempSync(join(tmpdir(), 'ta-elsewhere-'));
    writeFileSync(join(elsewhere, 'keep.txt'), 'not the agent\'s');
    mkdirSync(join(queueDir(home), '..'), { recursive: true, mode: 0o700 });
    symlinkSync(elsewhere, queueDir(home));
    const r = await runNode([...AGENT, app('trivial.mjs')], { env: env(home, { OTEL_EXPORTER_OTLP_ENDPOINT: await refusedEndpoint(), TELEMETRY_AGENT_DEBUG: '1' }) });
    expect(r.code).toBe(0);
    expect(readdirSync(elsewhere)).toEqual(['keep.txt']);
    expect(debugLines(r.stderr).filter((l) => l.includes('symbolic link'))).toHaveLength(1);
    // `disable` deletes what the agent wrote (nothing here), never the link's target, and says so.
    const cli = await runNode([join(REPO, 'dist', 'cli.mjs'), 'disable'], { env: cleanEnv(home) });
    expect(cli.code).toBe(0);
    expect(readFileSync(join(elsewhere, 'keep.txt'), 'utf8')).toBe('not the agent\'s');
    expect(cli.stdout).not.toMatch(/deleted [1-9]\d* queued|deleted queued, unsent data/);
  });

  it('is created 0700', async () => {
    const home = tempHome();
    await runNode([...AGENT, app('trivial.mjs')], { env: env(home, { OTEL_EXPORTER_OTLP_ENDPOINT: await refusedEndpoint() }) });
    const { statSync } = await import('node:fs');
    expect(statSync(queueDir(home)).mode & 0o777).toBe(0o700);
  });
});
