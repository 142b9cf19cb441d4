// End-to-end: real `node --import telemetry-agent` processes against a local OTLP/HTTP receiver.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RESOURCE_KEYS, FORBIDDEN_RESOURCE_KEYS } from '../../src/catalog.js';
import { TestReceiver, attr } from '../helpers/otlp-test-receiver.js';
import { REPO, cleanEnv, oldNode, runNode, tempHome, tempProject } from '../helpers/run-node.js';

const app = (name: string) => join(REPO, 'test', 'fixtures', 'apps', name);
let rx: TestReceiver;

beforeAll(async () => { rx = await TestReceiver.start(); });
afterAll(async () => { await rx.close(); });

function env(extra: Record<string, string | undefined> = {}, home = tempHome()) {
  return cleanEnv(home, { OTEL_EXPORTER_OTLP_ENDPOINT: rx.endpoint, ...extra });
}

async function runAndCollect(args: string[], extra: Record<string, string | undefined>, o: { cwd?: string; home?: string } = {}) {
  const before = rx.received.length;
  const r = await runNode(args, { env: env(extra, o.home), cwd: o.cwd });
  await new Promise((res) => setTimeout(res, 100));
  const got = rx.received.slice(before);
  return { ...r, got };
}

describe('consent', () => {
  it('sends nothing without consent and leaves stdout and exit code alone', async () => {
    const bare = await runNode([app('trivial.mjs')]);
    const r = await runAndCollect(['--import', 'telemetry-agent', app('trivial.mjs')], {});
    expect(r.got).toHaveLength(0);
    expect(r.stdout).toBe(bare.stdout);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(''); // not a terminal: no notice
  });

  it('sends traces and metrics with TELEMETRY_AGENT_ENABLED=1', async () => {
    const r = await runAndCollect(['--import', 'telemetry-agent', app('trivial.mjs')], { TELEMETRY_AGENT_ENABLED: '1', OTEL_SERVICE_NAME: 'e2e-app' });
    expect(r.code).toBe(0);
    const metrics = r.got.filter((g) => g.path === '/v1/metrics');
    expect(metrics.length).toBeGreaterThan(0);
    const names = metrics.flatMap((m) => m.json.resourceMetrics[0].scopeMetrics.flatMap((s: any) => s.metrics.map((x: any) => x.name)));
    expect(names).toContain('process.memory.usage');
    expect(names).toContain('v8js.memory.heap.used');
    const res = metrics[0]!.json.resourceMetrics[0].resource;
    expect(attr(res.attributes, 'service.name')).toBe('e2e-app');
    expect(attr(res.attributes, 'telemetry.distro.name')).toBe('telemetry-agent');
    expect(attr(res.attributes, 'host.cpu.logical_count')).toBeGreaterThan(0);
    expect(metrics[0]!.headers['content-type']).toBe('application/json');
  });

  it('DO_NOT_TRACK wins over TELEMETRY_AGENT_ENABLED; OTEL_SDK_DISABLED wins over everything, inspect included', async () => {
    const a = await runAndCollect(['--import', 'telemetry-agent', app('trivial.mjs')], { TELEMETRY_AGENT_ENABLED: '1', DO_NOT_TRACK: '1' });
    expect(a.got).toHaveLength(0);
    const b = await runAndCollect(['--import', 'telemetry-agent', app('trivial.mjs')], { TELEMETRY_AGENT_ENABLED: '1', OTEL_SDK_DISABLED: 'true', TELEMETRY_AGENT_INSPECT: '1' });
    expect(b.got).toHaveLength(0);
    expect(b.stderr).toBe('');
    const c = await runAndCollect(['--import', 'telemetry-agent', app('trivial.mjs')], { TELEMETRY_AGENT_ENABLED: '1', TELEMETRY_AGENT_DISABLED: 'yes' });
    expect(c.got).toHaveLength(0);
  });

  it('explains a bad TELEMETRY_AGENT_ENABLED value in one line and keeps telemetry off', async () => {
    const r = await runAndCollect(['--import', 'telemetry-agent', app('trivial.mjs')], { TELEMETRY_AGENT_ENABLED: 'maybe' });
    expect(r.got).toHaveLength(0);
    expect(r.code).toBe(0);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/TELEMETRY_AGENT_ENABLED="maybe" is not understood; set it to 1/);
  });

  it('explains an invalid endpoint and malformed headers, and the app still runs', async () => {
    const r = await runAndCollect(['--import', 'telemetry-agent', app('trivial.mjs')], { TELEMETRY_AGENT_ENABLED: '1', OTEL_EXPORTER_OTLP_ENDPOINT: 'not a url', OTEL_EXPORTER_OTLP_HEADERS: 'novalue,=x' });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('hello');
    expect(r.stderr).toMatch(/OTEL_EXPORTER_OTLP_ENDPOINT="not a url" is not an http\(s\) URL/);
    expect(r.stderr).toMatch(/OTEL_EXPORTER_OTLP_HEADERS has a malformed entry/);
  });

  it('saved consent: enable via the CLI turns it on, a project file saying disabled overrides it', async () => {
    const home = tempHome();
    const project = tempProject();
    const cli = (args: string[]) => runNode([join(REPO, 'dist', 'cli.mjs'), ...args], { env: env({}, home), cwd: project });
    const en = await cli(['enable']);
    expect(en.code).toBe(0);
    expect(en.stdout).toMatch(/telemetry enabled; saved in .*consent\.json/);
    const on = await runAndCollect(['--import', 'telemetry-agent', join(REPO, 'test/fixtures/apps/trivial.mjs')], {}, { home, cwd: project });
    expect(on.got.length).toBeGreaterThan(0);
    const status = await cli(['status']);
    expect(status.stdout).toMatch(/telemetry: on: enabled in the user consent file/);
    writeProjectPackage(project);
    const dis = await cli(['disable', '--project']);
    expect(dis.stdout).toMatch(/saved in .*\.telemetry-agent\.json/);
    const off = await runAndCollect(['--import', 'telemetry-agent', join(REPO, 'test/fixtures/apps/trivial.mjs')], {}, { home, cwd: project });
    expect(off.got).toHaveLength(0);
    expect((await cli(['status'])).stdout).toMatch(/telemetry: off: disabled in the project consent file/);
  });

  it('a corrupt consent file is explained and telemetry stays off', async () => {
    const home = tempHome();
    mkdirSync(join(home, '.config', 'telemetry-agent'), { recursive: true });
    writeFileSync(join(home, '.config', 'telemetry-agent', 'consent.json'), '{not json');
    const r = await runAndCollect(['--import', 'telemetry-agent', app('trivial.mjs')], {}, { home });
    expect(r.got).toHaveLength(0);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/consent\.json is not valid JSON; run `telemetry-agent enable` or `telemetry-agent disable`/);
  });
});

function writeProjectPackage(dir: string) {
  if (!existsSync(join(dir, 'package.json'))) writeFileSync(join(dir, 'package.json'), '{"name":"p","private":true}\n');
}

describe('entry points', () => {
  it('works with --require for CommonJS apps and via NODE_OPTIONS', async () => {
    const a = await runAndCollect(['--require', 'telemetry-agent', app('trivial.cjs')], { TELEMETRY_AGENT_ENABLED: '1' });
    expect(a.stdout).toContain('CommonJS');
    expect(a.got.length).toBeGreaterThan(0);
    const b = await runAndCollect([app('trivial.mjs')], { TELEMETRY_AGENT_ENABLED: '1', NODE_OPTIONS: '--import telemetry-agent' });
    expect(b.got.length).toBeGreaterThan(0);
  });

  it('only the main process exports: workers, cluster workers and children never do', async () => {
    const r = await runAndCollect([app('family.mjs')], { TELEMETRY_AGENT_ENABLED: '1', NODE_OPTIONS: '--import telemetry-agent' });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('worker');
    expect(r.stdout).toContain('cluster worker');
    expect(r.stdout.match(/child process/g)).toHaveLength(2);
    const ids = new Set(r.got.flatMap((g) => [...(g.json.resourceMetrics ?? []), ...(g.json.resourceSpans ?? [])]).map((x: any) => attr(x.resource.attributes, 'service.instance.id')));
    expect(ids.size).toBe(1);
  });

  it('non-zero rank of a distributed launch does not export', async () => {
    const r = await runAndCollect(['--import', 'telemetry-agent', app('trivial.mjs')], { TELEMETRY_AGENT_ENABLED: '1', RANK: '1' });
    expect(r.got).toHaveLength(0);
    const r0 = await runAndCollect(['--import', 'telemetry-agent', app('trivial.mjs')], { TELEMETRY_AGENT_ENABLED: '1', SLURM_PROCID: '0' });
    expect(r0.got.length).toBeGreaterThan(0);
  });

  it.each([
    ['exitCode', '3', 3],
    ['exit', '4', 4],
    ['exitCode', '0', 0],
  ])('keeps the exit code (%s %s)', async (how, code, expected) => {
    const r = await runAndCollect(['--import', 'telemetry-agent', app('exit-code.mjs'), how, code], { TELEMETRY_AGENT_ENABLED: '1' });
    expect(r.code).toBe(expected);
    expect(r.stdout).toBe(`exiting via ${how} with ${code}\n`);
  });

  it('on Node older than 22.15 prints one line and the app runs unchanged', async () => {
    const node = oldNode();
    if (!node) return expect.fail('no Node older than 22.15 found on this machine (the CI machine has Node 20)');
    const bare = await runNode([app('trivial.mjs')], { node, env: env() });
    for (const flag of ['--import', '--require']) {
      const r = await runNode([flag, 'telemetry-agent', app(flag === '--import' ? 'trivial.mjs' : 'trivial.cjs')], { node, env: env({ TELEMETRY_AGENT_ENABLED: '1' }) });
      expect(r.code).toBe(0);
      expect(r.stdout).toBe(flag === '--import' ? bare.stdout : 'hello from a trivial CommonJS app\n');
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(/telemetry-agent: disabled: Node\.js 20\.\d+\.\d+ is older than 22\.15/);
    }
  });
});

describe('privacy of the resource', () => {
  it('sends only allow-listed resource keys and no planted marker from HOME or cwd', async () => {
    const marker = 'zqxmarker' + Date.now();
    const home = tempHome(`ta-${marker}-home-`);
    const project = tempProject(`ta-${marker}-cwd-`);
    const before = rx.received.length;
    const r = await runAndCollect(['--import', 'telemetry-agent', join(REPO, 'test/fixtures/apps/crash.mjs')], { TELEMETRY_AGENT_ENABLED: '1', PLANTED: marker, SECRET_ENV: marker }, { home, cwd: project });
    expect(r.code).toBe(1);
    // A crash is delivered by the detached exit sender, shortly after the process is gone.
    await rx.waitFor(() => rx.received.slice(before).some((g) => g.body.includes('uncaught_exception')));
    r.got.push(...rx.received.slice(before + r.got.length));
    expect(r.got.length).toBeGreaterThan(0);
    for (const g of r.got) expect(g.body.toString('utf8')).not.toContain(marker);
    const keys = new Set(r.got.flatMap((g) => [...(g.json.resourceMetrics ?? []), ...(g.json.resourceSpans ?? [])]).flatMap((x: any) => x.resource.attributes.map((a: any) => a.key)));
    for (const k of keys) expect(RESOURCE_KEYS).toContain(k);
    for (const k of FORBIDDEN_RESOURCE_KEYS) expect(keys.has(k)).toBe(false);
  });
});

describe('hardware resource', () => {
  it('is probed in a detached process, cached, and reported with GPU fields from the next run on', async () => {
    const home = tempHome();
    const first = await runAndCollect(['--import', 'telemetry-agent', app('trivial.mjs')], { TELEMETRY_AGENT_ENABLED: '1' }, { home });
    expect(first.code).toBe(0);
    const cache = join(home, '.cache', 'telemetry-agent', 'hardware.json');
    await rx.waitFor(() => existsSync(cache), 15_000);
    const cached = JSON.parse(readFileSync(cache, 'utf8'));
    expect(Object.keys(cached.hardware).sort()).toEqual(['cpuLogicalCount', 'cpuModel', 'gpuCount', 'gpuMemoryTotal', 'gpuModels', 'memoryTotal', 'probed']);
    const second = await runAndCollect(['--import', 'telemetry-agent', app('trivial.mjs')], { TELEMETRY_AGENT_ENABLED: '1' }, { home });
    const res = second.got[0]!.json.resourceMetrics[0].resource;
    expect(attr(res.attributes, 'host.gpu.count')).toBe(cached.hardware.gpuCount);
    expect(attr(res.attributes, 'host.cpu.model.name')).toBe(cached.hardware.cpuModel);
  });

  it('without consent nothing is written: no probe, no cache, no install ID', async () => {
    const home = tempHome();
    await runAndCollect(['--import', 'telemetry-agent', app('trivial.mjs')], { TELEMETRY_AGENT_INSPECT: '1' }, { home });
    await new Promise((r) => setTimeout(r, 500));
    expect(existsSync(join(home, '.cache', 'telemetry-agent'))).toBe(false);
    expect(existsSync(join(home, '.config', 'telemetry-agent', 'install-id'))).toBe(false);
  });
});

describe('transparency', () => {
  it('inspect mode prints the payload and sends nothing without consent', async () => {
    const r = await runAndCollect(['--import', 'telemetry-agent', app('trivial.mjs')], { TELEMETRY_AGENT_INSPECT: '1' });
    expect(r.got).toHaveLength(0);
    expect(r.stderr).toMatch(/\[telemetry-agent inspect\] metrics → .*\/v1\/metrics \(not sent: consent not granted\)/);
    const body = r.stderr.split('\n').find((l) => l.startsWith('{"resourceMetrics"'));
    expect(JSON.parse(body!).resourceMetrics[0].scopeMetrics.length).toBeGreaterThan(0);
  });

  it('inspect mode with consent prints exactly the bytes it sends, to a file when asked', async () => {
    const home = tempHome();
    const file = join(home, 'inspect.log');
    const r = await runAndCollect(['--import', 'telemetry-agent', app('trivial.mjs')], { TELEMETRY_AGENT_ENABLED: '1', TELEMETRY_AGENT_INSPECT: '1', TELEMETRY_AGENT_INSPECT_FILE: file }, { home });
    expect(r.stderr).toBe('');
    const printed = readFileSync(file, 'utf8').split('\n').filter((l) => l.startsWith('{'));
    const sent = r.got.map((g) => g.body.toString('utf8'));
    expect(printed.length).toBeGreaterThan(0);
    expect(printed).toEqual(sent);
  });

  it('status names the deciding rule; bad arguments exit 2 with one line', async () => {
    const cli = join(REPO, 'dist', 'cli.mjs');
    const s = await runNode([cli, 'status'], { env: env({ DO_NOT_TRACK: '1' }) });
    expect(s.code).toBe(0);
    expect(s.stdout).toMatch(/telemetry: off: DO_NOT_TRACK=1 is set \(consent rule 2\)/);
    expect(s.stdout).toContain('ml.training.progress');
    expect(s.stdout).toContain('host.gpu.model.names');
    const bad = await runNode([cli, 'enable', '--everyone'], { env: env() });
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    // `id` creates nothing: before anything was sent there is no ID, and status agrees.
    const fresh = tempHome();
    const id1 = await runNode([cli, 'id'], { env: env({}, fresh) });
    expect(id1.code).toBe(0);
    expect(id1.stdout).toMatch(/^no install ID for telemetry-agent on this machine yet/);
    expect((await runNode([cli, 'status'], { env: env({}, fresh) })).stdout).toMatch(/install id: none yet/);
    expect(existsSync(join(fresh, '.config'))).toBe(false);
  });

  it('protobuf when OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf', async () => {
    const r = await runAndCollect(['--import', 'telemetry-agent', app('trivial.mjs')], { TELEMETRY_AGENT_ENABLED: '1', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf', OTEL_EXPORTER_OTLP_HEADERS: 'x-api-key=abc%20def' });
    expect(r.got.length).toBeGreaterThan(0);
    expect(r.got[0]!.headers['content-type']).toBe('application/x-protobuf');
    expect(r.got[0]!.headers['x-api-key']).toBe('abc def');
  });
});

describe('exit is bounded', () => {
  // No stopwatch (the machine may be busy): each request may take 120 s (OTEL_EXPORTER_OTLP_TIMEOUT),
  // so an exit that waited for the collector would be killed by runNode's 30 s limit. The app
  // exiting on its own as it does bare, and the agent's record that the flush bound cut the
  // export, prove the bound was applied.
  const slow = { TELEMETRY_AGENT_ENABLED: '1', OTEL_EXPORTER_OTLP_TIMEOUT: '120000', TELEMETRY_AGENT_DEBUG: '1', TELEMETRY_AGENT_EXIT_SENDER: '0' };
  const appLines = (stderr: string) => stderr.split('\n').filter((l) => l && !l.startsWith('telemetry-agent debug:'));

  it('collector down or hanging: the app exits as it does bare, the flush bound cuts a hanging export', async () => {
    const bare = await runNode([app('trivial.mjs')], { env: env() });
    const down = await runNode(['--import', 'telemetry-agent', app('trivial.mjs')], { env: env({ ...slow, OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9' }) });
    expect([down.code, down.signal, down.stdout]).toEqual([bare.code, bare.signal, bare.stdout]);
    expect(appLines(down.stderr)).toEqual(appLines(bare.stderr));
    const hang = await TestReceiver.start({ kind: 'hang' });
    try {
      const h = await runNode(['--import', 'telemetry-agent', app('trivial.mjs')], { env: env({ ...slow, OTEL_EXPORTER_OTLP_ENDPOINT: hang.endpoint }) });
      expect([h.code, h.signal, h.stdout]).toEqual([bare.code, bare.signal, bare.stdout]);
      expect(appLines(h.stderr)).toEqual(appLines(bare.stderr));
      expect(h.stderr).toContain('exit flush cut at its 1000 ms bound');
      expect(hang.received.length).toBeGreaterThan(0);
    } finally {
      await hang.close();
    }
  });
});
