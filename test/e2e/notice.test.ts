// The one-time notice appears only on a terminal (driven here through `script`, which gives the
// child a pseudo-terminal), never in CI, once per data-list version; it never blocks.
import { describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO, cleanEnv, tempHome } from '../helpers/run-node.js';

const hasScript = spawnSync('script', ['--version']).status === 0;
const app = join(REPO, 'test/fixtures/apps/trivial.mjs');

function onTerminal(env: Record<string, string>): string {
  const cmd = `${JSON.stringify(process.execPath)} --import telemetry-agent ${JSON.stringify(app)}`;
  return execFileSync('script', ['-qec', cmd, '/dev/null'], { cwd: REPO, env, encoding: 'utf8', timeout: 20_000 });
}

describe.skipIf(!hasScript)('the consent notice on a terminal', () => {
  it('is shown once, then not again; the app output follows it', () => {
    const env = cleanEnv(tempHome());
    const first = onTerminal(env);
    expect(first).toMatch(/telemetry-agent: this program can send anonymous telemetry/);
    expect(first).toMatch(/Nothing is sent until you turn it on/);
    expect(first).toContain('hello from a trivial app');
    const second = onTerminal(env);
    expect(second).not.toMatch(/telemetry-agent:/);
    expect(second).toContain('hello from a trivial app');
  });

  it('is never shown in CI or once consent is decided', () => {
    expect(onTerminal(cleanEnv(tempHome(), { CI: 'true' }))).not.toMatch(/telemetry-agent:/);
    expect(onTerminal(cleanEnv(tempHome(), { DO_NOT_TRACK: '1' }))).not.toMatch(/telemetry-agent:/);
  });

  it('says what changed when consent was saved for an older data list, which no longer counts', () => {
    const home = tempHome();
    mkdirSync(join(home, '.config', 'telemetry-agent'), { recursive: true });
    writeFileSync(join(home, '.config', 'telemetry-agent', 'consent.json'), JSON.stringify({ enabled: true, dataVersion: 0 }));
    const out = onTerminal(cleanEnv(home));
    expect(out).toMatch(/What is collected changed since you enabled it: first release/);
    expect(out).toMatch(/Nothing is sent until you turn it on/);
  });

  it('is per product: a tool\'s notice names the tool, its variables and its command; each product shows its own once', async () => {
    const env = cleanEnv(tempHome(), { TOOL_ENDPOINT: 'http://127.0.0.1:9' });
    const tool = `${JSON.stringify(process.execPath)} ${JSON.stringify(join(REPO, 'test/fixtures/apps/tool-usage.mjs'))} acme`;
    const run = (cmd: string) => execFileSync('script', ['-qec', cmd, '/dev/null'], { cwd: REPO, env, encoding: 'utf8', timeout: 20_000 });
    const first = run(tool);
    expect(first).toMatch(/acme: this program can send anonymous usage telemetry/);
    expect(first).toMatch(/on: `telemetry-agent enable --product acme` or ACME_TELEMETRY=1/);
    expect(first).toMatch(/off: `telemetry-agent disable --product acme` or DO_NOT_TRACK=1 or ACME_TELEMETRY_DISABLED=1/);
    expect(first).not.toMatch(/telemetry-agent: this program/);
    expect(first).toContain('tool done');
    expect(run(tool)).not.toMatch(/this program can send/);
    // The agent's own product has not shown its notice yet: it still does, once.
    expect(onTerminal(env)).toMatch(/telemetry-agent: this program can send anonymous telemetry/);
  });
});

