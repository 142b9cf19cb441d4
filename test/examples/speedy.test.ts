// The example tool: its own `speedy telemetry` commands, its opt-out variable, and what it sends.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { TestReceiver, attr } from '../helpers/otlp-test-receiver.js';
import { REPO, cleanEnv, runNode, tempHome } from '../helpers/run-node.js';

const SPEEDY = join(REPO, 'examples', 'speedy', 'speedy.mjs');
let rx: TestReceiver;
beforeAll(async () => { rx = await TestReceiver.start(); });
afterAll(async () => { await rx.close(); });

const speedy = (home: string, args: string[], extra: Record<string, string> = {}) =>
  runNode([SPEEDY, ...args], { env: cleanEnv(home, { SPEEDY_TELEMETRY_ENDPOINT: rx.endpoint, TELEMETRY_AGENT_EXIT_SENDER: '0', ...extra }) });

async function optimize(home: string, extra: Record<string, string> = {}) {
  const before = rx.received.length;
  const r = await speedy(home, ['optimize', '--runs', '5'], extra);
  expect(r.code, r.stderr).toBe(0);
  expect(r.stdout).toMatch(/fastest: onnxruntime with/);
  return rx.received.slice(before);
}

describe('speedy, the example tool', () => {
  it('sends nothing by default (opt-in), and its notice-free output is unchanged', async () => {
    expect(await optimize(tempHome())).toHaveLength(0);
  });

  it('speedy telemetry enable → status on → optimize sends compiler, technique, latency and the command; disable stops it', async () => {
    const home = tempHome();
    expect((await speedy(home, ['telemetry', 'status'])).stdout).toMatch(/^telemetry: off \(nobody decided yet/);
    expect((await speedy(home, ['telemetry', 'id'])).stdout).toMatch(/^no install ID yet/);
    expect((await speedy(home, ['telemetry', 'enable'])).stdout).toMatch(/telemetry enabled for speedy; saved in .*products\/speedy\/consent\.json/);
    expect((await speedy(home, ['telemetry', 'status'])).stdout).toMatch(/^telemetry: on \(enabled in the user consent file/);
    const got = await optimize(home);
    const spans = got.filter((g) => g.path === '/v1/traces').flatMap((g) => g.json.resourceSpans.flatMap((rs: any) => rs.scopeSpans.flatMap((ss: any) => ss.spans)));
    const events = spans.filter((s: any) => s.name === 'usage' && attr(s.attributes, 'usage.name') === 'optimize');
    expect(events.map((s: any) => attr(s.attributes, 'usage.technique'))).toEqual(['none', 'basic', 'extended', 'all']);
    for (const s of events) {
      expect(attr(s.attributes, 'usage.compiler')).toBe('onnxruntime');
      expect(attr(s.attributes, 'usage.latency_ms')).toBeGreaterThan(0);
      expect(typeof attr(s.attributes, 'usage.improved')).toBe('boolean');
    }
    const command = spans.find((s: any) => attr(s.attributes, 'usage.name') === 'command');
    expect(attr(command.attributes, 'usage.command')).toBe('optimize');
    // No drops: the tool records only what it declares.
    const metrics = got.filter((g) => g.path === '/v1/metrics').flatMap((g) => g.json.resourceMetrics.flatMap((rm: any) => rm.scopeMetrics.flatMap((sm: any) => sm.metrics)));
    expect(metrics.some((m: any) => m.name === 'telemetry_agent.usage.dropped')).toBe(false);
    const id = (await speedy(home, ['telemetry', 'id'])).stdout.trim();
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(attr(got.find((g) => g.path === '/v1/traces')!.json.resourceSpans[0].resource.attributes, 'telemetry.install.id')).toBe(id);
    // The generic status knows the tool's variables and declared events from its saved profile.
    const generic = await runNode([join(REPO, 'dist', 'cli.mjs'), 'status', '--product', 'speedy'], { env: cleanEnv(home) });
    expect(generic.stdout).toMatch(/opt out: DO_NOT_TRACK, TELEMETRY_AGENT_DISABLED, SPEEDY_TELEMETRY_DISABLED   enable: SPEEDY_TELEMETRY/);
    expect(generic.stdout).toMatch(/usage events .*: optimize \(usage\.compiler, usage\.technique, usage\.latency_ms, usage\.improved\)/);
    // Its consent is its own: the agent's own product stays off.
    const own = await runNode([join(REPO, 'dist', 'cli.mjs'), 'status', '--json'], { env: cleanEnv(home) });
    expect(JSON.parse(own.stdout).products.find((p: any) => p.product === 'telemetry-agent')).toMatchObject({ enabled: false });
    const dis = await speedy(home, ['telemetry', 'disable']);
    expect(dis.stdout).toMatch(/telemetry disabled for speedy[\s\S]*deleted 0 queued payloads for speedy/);
    expect(await optimize(home)).toHaveLength(0);
  });

  it('SPEEDY_TELEMETRY_DISABLED=1 wins over SPEEDY_TELEMETRY=1 and over a saved "on"', async () => {
    const home = tempHome();
    await speedy(home, ['telemetry', 'enable']);
    expect(await optimize(home, { SPEEDY_TELEMETRY: '1', SPEEDY_TELEMETRY_DISABLED: '1' })).toHaveLength(0);
    const s = await speedy(home, ['telemetry', 'status'], { SPEEDY_TELEMETRY_DISABLED: '1' });
    expect(s.stdout).toMatch(/^telemetry: off \(SPEEDY_TELEMETRY_DISABLED=1 is set\)/);
  });
});
