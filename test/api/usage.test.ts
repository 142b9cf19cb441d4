// Declared usage events through real processes: a tool that embeds the agent sends exactly what
// its description declares, as real OTLP attributes; everything else is dropped and counted.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestReceiver, attr } from '../helpers/otlp-test-receiver.js';
import { REPO, cleanEnv, runNode, tempHome } from '../helpers/run-node.js';

const TOOL = join(REPO, 'test', 'fixtures', 'apps', 'tool-usage.mjs');
let rx: TestReceiver;
beforeAll(async () => { rx = await TestReceiver.start(); });
afterAll(async () => { await rx.close(); });

async function runTool(args: string[], extra: Record<string, string>, home = tempHome(), cwd?: string) {
  const before = rx.received.length;
  const r = await runNode([TOOL, ...args], { env: cleanEnv(home, { TOOL_ENDPOINT: rx.endpoint, TELEMETRY_AGENT_EXIT_SENDER: '0', ...extra }), cwd });
  expect(r.code, r.stderr).toBe(0);
  expect(r.stdout).toContain('tool done');
  const got = rx.received.slice(before);
  const spans = got.filter((g) => g.path === '/v1/traces').flatMap((g) => g.json.resourceSpans.flatMap((rs: any) => rs.scopeSpans.flatMap((ss: any) => ss.spans.map((s: any) => ({ ...s, resource: rs.resource })))));
  const metrics = got.filter((g) => g.path === '/v1/metrics').flatMap((g) => g.json.resourceMetrics.flatMap((rm: any) => rm.scopeMetrics.flatMap((sm: any) => sm.metrics)));
  return { ...r, got, spans, metrics };
}

/** Last cumulative value of a counter, by one attribute. */
function counterBy(metrics: any[], name: string, key: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const m of metrics.filter((x) => x.name === name)) {
    for (const p of m.sum.dataPoints) out[attr(p.attributes, key) ?? ''] = Number(p.asInt ?? p.asDouble);
  }
  return out;
}

describe('recordUsage / recordCommand', () => {
  it('sends declared events as real attributes, and drops and counts everything undeclared', async () => {
    const r = await runTool(['acme', '--plant'], { ACME_TELEMETRY: '1' });
    const usage = r.spans.filter((s) => s.name === 'usage');
    const events = usage.filter((s) => attr(s.attributes, 'usage.name') === 'optimize');
    // The declared one in full, and the planted one with its declared attributes only.
    expect(events.map((s) => Object.fromEntries(s.attributes.map((a: any) => [a.key, attr(s.attributes, a.key)])))).toEqual([
      { 'usage.name': 'optimize', 'usage.compiler': 'onnxruntime', 'usage.latency_ms': 12.5, 'usage.cached': false },
      { 'usage.name': 'optimize', 'usage.compiler': 'onnxruntime', 'usage.latency_ms': 3 },
      { 'usage.name': 'optimize' },
    ]);
    expect(events[0].attributes.find((a: any) => a.key === 'usage.latency_ms').value).toEqual({ doubleValue: 12.5 });
    expect(events[0].attributes.find((a: any) => a.key === 'usage.cached').value).toEqual({ boolValue: false });
    // Commands: duration and outcome; on failure the error's type only.
    const commands = usage.filter((s) => attr(s.attributes, 'usage.name') === 'command');
    expect(commands.map((s) => [attr(s.attributes, 'usage.command'), s.status?.code ?? 0, attr(s.attributes, 'error.type')])).toEqual([
      ['optimize', 0, undefined],
      ['optimize', 2, 'RangeError'],
    ]);
    expect(Number(commands[0].endTimeUnixNano) - Number(commands[0].startTimeUnixNano)).toBeGreaterThan(0);
    const failed = commands[1];
    expect(JSON.stringify(failed)).not.toContain('too big');
    // Nothing planted left the process, in any form.
    const all = rx.allBytes();
    for (const planted of ['alice', 'secret-model', 'upload_dataset', 'custom-compiler', 'rm_rf', 'never recorded', 'user_path', 'hostname', '"train"']) expect(all).not.toContain(planted);
    expect(usage.some((s) => s.attributes.some((a: any) => a.key === 'usage.attributes'))).toBe(false);
    // Dropped, by reason.
    expect(counterBy(r.metrics, 'telemetry_agent.usage.dropped', 'usage.dropped.reason')).toEqual({
      undeclared_attribute: 2,
      value_not_allowed: 1,
      wrong_type: 2,
      undeclared_event: 2,
      undeclared_command: 1,
    });
    // The tool's resource: its own name and version, its own install ID.
    expect(attr(usage[0].resource.attributes, 'service.name')).toBe('acme');
    expect(attr(usage[0].resource.attributes, 'service.version')).toBe('1.2.3');
  });

  it('an invalid description is one stderr line naming each problem; nothing is sent and the tool runs', async () => {
    const home = tempHome();
    const before = rx.received.length;
    const script = `import { start, recordUsage, shutdown } from 'telemetry-agent/api';
      const r = start({ product: 'acme', enableEnv: ['ACME_TELEMETRY'], endpoint: ${JSON.stringify(rx.endpoint)}, events: { 'bad name': {}, ok: { size: { type: 'int' }, mode: { type: 'string' } } } });
      recordUsage('ok', {}); await shutdown(); console.log(JSON.stringify(r));`;
    const r = await runNode(['--input-type=module', '-e', script], { env: cleanEnv(home, { ACME_TELEMETRY: '1' }) });
    expect(r.code).toBe(0);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/event "bad name": the name is not a simple identifier/);
    expect(lines[0]).toMatch(/attribute "size": unknown type "int"/);
    expect(lines[0]).toMatch(/attribute "mode": a string attribute needs "values"/);
    expect(JSON.parse(r.stdout)).toMatchObject({ enabled: false });
    expect(rx.received.length).toBe(before);
  });
});

describe('a tool\'s consent is its own', () => {
  it('the tool\'s opt-out variable turns it off; DO_NOT_TRACK too; OTEL_SDK_DISABLED too', async () => {
    const cases: Record<string, string>[] = [{ ACME_TELEMETRY_DISABLED: '1' }, { DO_NOT_TRACK: '1' }, { TELEMETRY_AGENT_DISABLED: 'yes' }, { OTEL_SDK_DISABLED: 'true' }];
    for (const extra of cases) {
      const r = await runTool(['acme'], { ACME_TELEMETRY: '1', ...extra });
      expect(r.got, JSON.stringify(extra)).toHaveLength(0);
      expect(JSON.parse(r.stdout.split('\n')[0]!)).toMatchObject({ enabled: false });
    }
  });

  it('TELEMETRY_AGENT_ENABLED does not enable a tool; a tool\'s enable variable does not enable another tool', async () => {
    expect((await runTool(['acme'], { TELEMETRY_AGENT_ENABLED: '1' })).got).toHaveLength(0);
    expect((await runTool(['acme'], { OTHER_TELEMETRY: '1' })).got).toHaveLength(0);
    const other = await runTool(['other'], { OTHER_TELEMETRY: '1' });
    expect(other.spans.some((s) => s.name === 'usage')).toBe(true);
    // `telemetry-agent enable` (the agent's own product) does not enable a tool either.
    const home = tempHome();
    expect((await runNode([join(REPO, 'dist', 'cli.mjs'), 'enable'], { env: cleanEnv(home) })).code).toBe(0);
    expect((await runTool(['acme'], {}, home)).got).toHaveLength(0);
  });

  it('two tools never share an install ID; the first run of each counts one new install', async () => {
    const home = tempHome();
    const a1 = await runTool(['acme'], { ACME_TELEMETRY: '1' }, home);
    const b1 = await runTool(['other'], { OTHER_TELEMETRY: '1' }, home);
    const a2 = await runTool(['acme'], { ACME_TELEMETRY: '1' }, home);
    const idOf = (r: { spans: any[] }) => attr(r.spans[0].resource.attributes, 'telemetry.install.id');
    expect(idOf(a1)).toMatch(/^[0-9a-f-]{36}$/);
    expect(idOf(b1)).toMatch(/^[0-9a-f-]{36}$/);
    expect(idOf(a1)).not.toBe(idOf(b1));
    expect(idOf(a2)).toBe(idOf(a1));
    const installs = (r: { metrics: any[] }) => r.metrics.filter((m) => m.name === 'telemetry_agent.install.created').flatMap((m) => m.sum.dataPoints.map((p: any) => Number(p.asInt ?? p.asDouble)));
    expect(installs(a1)).toEqual([1]);
    expect(installs(b1)).toEqual([1]);
    expect(installs(a2)).toEqual([]);
  });

  it('consent(product).enable() from the tool turns on that tool only, and the agent\'s own product stays off', async () => {
    const home = tempHome();
    const script = (product: string) => `import { consent } from 'telemetry-agent/api'; const c = consent(${JSON.stringify(product)}); console.log(JSON.stringify({ before: c.status().enabled, msg: c.enable().message, after: c.status().enabled, reason: c.status().reason, id: c.id() ?? null }));`;
    const r = await runNode(['--input-type=module', '-e', script('acme')], { env: cleanEnv(home) });
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ before: false, after: true, id: null });
    expect(out.msg).toMatch(/telemetry enabled for acme/);
    expect(out.reason).toMatch(/enabled in the user consent file .*products\/acme\/consent\.json/);
    expect((await runTool(['acme'], {}, home)).spans.some((s) => s.name === 'usage')).toBe(true);
    expect((await runTool(['other'], {}, home)).got).toHaveLength(0);
    const own = await runNode([join(REPO, 'dist', 'cli.mjs'), 'status', '--json', '--product', 'telemetry-agent'], { env: cleanEnv(home) });
    expect(JSON.parse(own.stdout).products[0]).toMatchObject({ enabled: false, rule: 5 });
  });

  it('consent saved for one list of declared events no longer counts when a release declares more', async () => {
    const home = tempHome();
    const enabled = await runTool(['acme', '--enable'], {}, home);
    expect(enabled.got).toHaveLength(0);
    expect(enabled.stdout).toMatch(/telemetry enabled for acme/);
    expect((await runTool(['acme'], {}, home)).spans.some((s) => s.name === 'usage')).toBe(true);
    const newer = await runTool(['acme'], { TOOL_EXTRA_EVENT: '1' }, home);
    expect(newer.got).toHaveLength(0);
    expect(JSON.parse(newer.stdout.split('\n')[0]!).reason).toMatch(/saved for a different list of usage events than this version declares; run `telemetry-agent enable --product acme` again/);
    // Enabling again, from the new release, counts.
    await runTool(['acme', '--enable'], { TOOL_EXTRA_EVENT: '1' }, home);
    expect((await runTool(['acme'], { TOOL_EXTRA_EVENT: '1' }, home)).spans.some((s) => s.name === 'usage')).toBe(true);
  });

  it('each consent rule, in order, through the tool: opt-out default, CI, a project file that can only deny', async () => {
    const sent = (r: { spans: any[] }) => r.spans.some((s) => s.name === 'usage');
    // Rule 5: an opt-out tool sends when nobody decided, except in CI.
    expect(sent(await runTool(['acme'], { TOOL_OPT_OUT: '1' }))).toBe(true);
    expect(sent(await runTool(['acme'], { TOOL_OPT_OUT: '1', CI: 'true' }))).toBe(false);
    expect(sent(await runTool(['acme'], { TOOL_OPT_OUT: '1', GITHUB_ACTIONS: 'true' }))).toBe(false);
    // Rule 3 beats CI: the tool's own enable variable, explicitly.
    expect(sent(await runTool(['acme'], { CI: 'true', ACME_TELEMETRY: '1' }))).toBe(true);
    expect(sent(await runTool(['acme'], { TOOL_OPT_OUT: '1', ACME_TELEMETRY: '0' }))).toBe(false);
    // Rule 4: a project file denies this tool (or every product), never grants.
    const project = mkdtempSync(join(tmpdir(), 'ta-tool-project-'));
    writeFileSync(join(project, 'package.json'), '{"name":"p","private":true}');
    writeFileSync(join(project, '.telemetry-agent.json'), JSON.stringify({ products: { acme: { enabled: false } } }));
    expect(sent(await runTool(['acme'], { TOOL_OPT_OUT: '1' }, tempHome(), project))).toBe(false);
    expect(sent(await runTool(['other'], { TOOL_OPT_OUT: '1' }, tempHome(), project))).toBe(true);
    writeFileSync(join(project, '.telemetry-agent.json'), JSON.stringify({ enabled: true }));
    expect(sent(await runTool(['acme'], {}, tempHome(), project))).toBe(false);
    writeFileSync(join(project, '.telemetry-agent.json'), JSON.stringify({ enabled: false }));
    expect(sent(await runTool(['acme'], { TOOL_OPT_OUT: '1' }, tempHome(), project))).toBe(false);
  });
});

