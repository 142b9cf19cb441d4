// The report's Generation panel, from what a real `node --import telemetry-agent` run of
// examples/chat-llama.mjs sends: its calls and exact token counts equal what the example printed
// from the library's own meter.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { generationSummaries } from '../../src/report/generation-views.js';
import { groupRuns } from '../../src/report/group-runs.js';
import { renderRun } from '../../src/report/render-run.js';
import { HAS_NODE_LLAMA_CPP, NEEDS_NODE_LLAMA_CPP } from '../helpers/installed.js';
import { TestReceiver } from '../helpers/otlp-test-receiver.js';
import { REPO, cleanEnv, runNode, tempHome } from '../helpers/run-node.js';

let rx: TestReceiver;
beforeAll(async () => { rx = await TestReceiver.start(); });
afterAll(async () => { await rx.close(); });

describe.skipIf(!HAS_NODE_LLAMA_CPP)(`Generation panel${NEEDS_NODE_LLAMA_CPP}`, () => {
  it('shows per operation the calls and the tokens the library counted, TTFT and tokens/s', async () => {
    const r = await runNode(['--import', 'telemetry-agent', join(REPO, 'examples/chat-llama.mjs')], {
      env: cleanEnv(tempHome(), { OTEL_EXPORTER_OTLP_ENDPOINT: rx.endpoint, TELEMETRY_AGENT_ENABLED: '1' }),
      timeoutMs: 120_000,
    });
    expect(r.code).toBe(0);
    const printed = [...r.stdout.matchAll(/^(chat|completion).*: (\d+) input, (\d+) output tokens$/gm)].map((m) => ({ op: m[1] === 'chat' ? 'chat' : 'text_completion', input: Number(m[2]), output: Number(m[3]) }));
    expect(printed).toHaveLength(4);
    const traces = rx.received.filter((g) => g.path === '/v1/traces').map((g) => g.json);
    const metrics = rx.received.filter((g) => g.path === '/v1/metrics').map((g) => g.json);
    const [run] = groupRuns(traces, metrics);
    const rows = generationSummaries(run!.points);
    const row = (op: string) => rows.find((x) => x.label.startsWith(`node-llama-cpp · ${op} · `))!;
    const sum = (op: string, k: 'input' | 'output') => printed.filter((p) => p.op === op).reduce((a, p) => a + p[k], 0);
    expect(row('chat')).toMatchObject({ calls: 3, inputTokens: sum('chat', 'input'), outputTokens: sum('chat', 'output') });
    expect(row('text_completion')).toMatchObject({ calls: 1, inputTokens: sum('text_completion', 'input'), outputTokens: sum('text_completion', 'output') });
    expect(row('embeddings').calls).toBe(1);
    expect(row('chat').ttftP50).toBeGreaterThan(0);
    expect(row('chat').tokensPerSecondP50).toBeGreaterThan(0);
    const page = String(renderRun(run!, 'run-1'));
    expect(page).toContain('Generation');
    expect(page).toContain('tokens/s p50');
  });
});
