// NODE_OPTIONS="--import telemetry-agent" npm run ...: npm stays passive, the app reports once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { realpathSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { TestReceiver, attr } from '../helpers/otlp-test-receiver.js';
import { REPO, cleanEnv, runNode, tempHome, tempProject } from '../helpers/run-node.js';

let rx: TestReceiver;
beforeAll(async () => { rx = await TestReceiver.start(); });
afterAll(async () => { await rx.close(); });

describe('through a package manager', () => {
  it('npm run with the preload in NODE_OPTIONS: exactly one exporting process, the app', async () => {
    const project = tempProject();
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'p', private: true, scripts: { go: `node ${JSON.stringify(join(REPO, 'examples/custom-loop.mjs'))}` } }));
    // The npm on PATH (bin/npm links to npm-cli.js), run by this Node.
    const npmCli = realpathSync(execFileSync('which', ['npm'], { encoding: 'utf8' }).trim());
    const env = cleanEnv(tempHome(), { OTEL_EXPORTER_OTLP_ENDPOINT: rx.endpoint, TELEMETRY_AGENT_ENABLED: '1', NODE_OPTIONS: '--import telemetry-agent', OTEL_SERVICE_NAME: 'via-npm' });
    // Put this Node first on PATH, so `node` in the script is the same (supported) one.
    env.PATH = `${dirname(process.execPath)}:${env.PATH}`;
    // Asynchronously: the receiver runs in this process and must keep answering meanwhile.
    const npm = await runNode([npmCli, 'run', '--silent', 'go'], { cwd: project, env, timeoutMs: 60_000 });
    expect(npm.stdout).toContain('step 200/200');
    expect(npm.code).toBe(0);
    await new Promise((r) => setTimeout(r, 300));
    const ids = new Set(rx.resources().map((r) => attr(r.attributes, 'service.instance.id')));
    expect(ids.size).toBe(1);
    expect(new Set(rx.resources().map((r) => attr(r.attributes, 'service.name')))).toEqual(new Set(['via-npm']));
    // The spans come from the app (a progress() run), so the exporting process is the app, not npm.
    expect(rx.spans().filter((s) => s.name === 'ml.train')).toHaveLength(1);
  });
});
