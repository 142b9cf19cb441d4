// `telemetry-agent docs`: the generated page matches the description and the code — it names every
// declared event, attribute, value and variable, names nothing the agent would not send, and its
// example payload is what the tool really sends.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FORBIDDEN_RESOURCE_KEYS, METRIC_NAMES, RESOURCE_ATTRIBUTES, RESOURCE_KEYS, SIGNAL_ATTRIBUTE_KEYS, SPAN_NAMES } from '../../src/catalog.js';
import { declaredUsageKeys, type TelemetryDescription } from '../../src/api/description.js';
import { TestReceiver } from '../helpers/otlp-test-receiver.js';
import { REPO, cleanEnv, runNode, tempHome } from '../helpers/run-node.js';

const CLI = join(REPO, 'dist', 'cli.mjs');
const DESCRIPTION = join(REPO, 'examples', 'speedy', 'telemetry.json');
const PAGE = join(REPO, 'examples', 'speedy', 'TELEMETRY.md');
const d = JSON.parse(readFileSync(DESCRIPTION, 'utf8')) as TelemetryDescription;

let page = '';
beforeAll(async () => {
  const r = await runNode([CLI, 'docs', DESCRIPTION], { env: cleanEnv(tempHome()) });
  expect(r.code, r.stderr).toBe(0);
  page = r.stdout;
});

const exampleOf = (markdown: string) => JSON.parse(/```json\n([\s\S]*?)\n```/.exec(markdown)![1]!);

describe('the telemetry page of the example tool', () => {
  it('is checked in exactly as generated (UPDATE_DOCS=1 rewrites it)', () => {
    if (process.env.UPDATE_DOCS === '1') writeFileSync(PAGE, page);
    expect(readFileSync(PAGE, 'utf8')).toBe(page);
  });

  it('names every declared event, attribute, value and unit, every variable and command, the contact, retention and destination', () => {
    for (const [event, attrs] of Object.entries(d.events!)) {
      expect(page).toContain(`\`${event}\``);
      for (const [name, a] of Object.entries(attrs)) {
        expect(page).toContain(`\`usage.${name}\``);
        if (a.type === 'string') for (const v of a.values) expect(page).toContain(`\`${v}\``);
        if (a.type === 'number' && a.unit) expect(page).toContain(`number (${a.unit})`);
      }
    }
    for (const v of [...d.optOutEnv!, ...d.enableEnv!, 'DO_NOT_TRACK', 'TELEMETRY_AGENT_DISABLED', 'OTEL_SDK_DISABLED', 'TELEMETRY_AGENT_INSPECT']) expect(page).toContain(v);
    for (const verb of ['status', 'enable', 'disable', 'id', 'reset']) expect(page).toContain(`\`${d.consentCommand} ${verb}\``);
    for (const c of d.commands!) expect(page).toContain(`\`${c}\``);
    for (const text of [d.why!, d.deletionContact!, d.retention!, d.endpoint!, 'In CI']) expect(page).toContain(text);
    for (const a of RESOURCE_ATTRIBUTES) {
      expect(a.harmless, a.key).toBeTruthy();
      expect(page).toContain(`| \`${a.key}\` | ${a.description.replace(/\|/g, '\\|')} | ${a.harmless} |`);
    }
  });

  it('names nothing the agent would not send: every telemetry name on it is in the catalog or declared', () => {
    const sendable = new Set([...RESOURCE_KEYS, ...SIGNAL_ATTRIBUTE_KEYS, ...METRIC_NAMES, ...SPAN_NAMES, ...declaredUsageKeys(d)]);
    const never = new Set(FORBIDDEN_RESOURCE_KEYS);
    const names = [...page.matchAll(/`([a-z_][a-z0-9_]*(?:\.[a-z0-9_]+)+)`/g)].map((m) => m[1]!).filter((n) => !/\.(json|md|dev|example)$/.test(n));
    expect(names.length).toBeGreaterThan(40);
    for (const n of names) expect(sendable.has(n) || never.has(n), n).toBe(true);
    // The only usage.* attributes are the declared ones and the agent's own.
    const usage = new Set(names.filter((n) => n.startsWith('usage.')));
    expect([...usage].sort()).toEqual([...declaredUsageKeys(d), 'usage.name', 'usage.command'].sort());
  });

  it('shows the payload the tool really sends, with placeholders for IDs and this machine', async () => {
    const example = exampleOf(page);
    const exampleSpans = example.resourceSpans[0].scopeSpans[0].spans;
    expect(exampleSpans.map((s: any) => s.traceId)).toEqual(exampleSpans.map(() => '<trace-id-1>'));
    const resource = Object.fromEntries(example.resourceSpans[0].resource.attributes.map((a: any) => [a.key, Object.values(a.value)[0]]));
    expect(resource).toMatchObject({ 'service.name': 'speedy', 'service.version': d.serviceVersion, 'telemetry.install.id': '<telemetry.install.id>', 'host.cpu.model.name': '<host.cpu.model.name>' });
    // The tool, run with consent against a local collector, sends usage spans with exactly these keys.
    const rx = await TestReceiver.start();
    try {
      const r = await runNode([join(REPO, 'examples', 'speedy', 'speedy.mjs'), 'optimize', '--runs', '5'], { env: cleanEnv(tempHome(), { SPEEDY_TELEMETRY: '1', SPEEDY_TELEMETRY_ENDPOINT: rx.endpoint, TELEMETRY_AGENT_EXIT_SENDER: '0' }) });
      expect(r.code, r.stderr).toBe(0);
      const keysOf = (spans: any[]) => new Set(spans.filter((s) => s.name === 'usage').map((s) => s.attributes.map((a: any) => a.key).sort().join(',')));
      expect(keysOf(rx.spans())).toEqual(keysOf(exampleSpans));
      const sentResourceKeys = new Set(rx.spans()[0].resource.attributes.map((a: any) => a.key));
      for (const k of Object.keys(resource)) expect(sentResourceKeys.has(k), k).toBe(true);
    } finally {
      await rx.close();
    }
  });

  it('an invalid description: exit 2, one line per problem naming the file', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'ta-docs-')), 'bad.json');
    writeFileSync(file, JSON.stringify({ product: 'acme', events: { 'run-fast': { mode: { type: 'string' }, n: { type: 'integer' } } } }));
    const r = await runNode([CLI, 'docs', file], { env: cleanEnv(tempHome()) });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(3);
    for (const l of lines) expect(l).toMatch(/^telemetry-agent docs: .*bad\.json: event "run-fast"/);
    const missing = await runNode([CLI, 'docs', file + '.nope'], { env: cleanEnv(tempHome()) });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/no such file/);
  });
});

afterAll(() => {
  if (page) console.log(`telemetry page of examples/speedy: ${Buffer.byteLength(page)} bytes`);
});
