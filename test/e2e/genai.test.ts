// End-to-end generative inference: real `node --import telemetry-agent` processes running
// node-llama-cpp (ESM, and CJS through import()) and Transformers.js generation against the local
// receiver. The apps print what the library itself counted; the spans must say the same. A marker
// planted in every prompt must appear in no byte that leaves the process, is printed by inspect,
// or is queued on disk.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { TestReceiver, attr } from '../helpers/otlp-test-receiver.js';
import { HAS_NODE_LLAMA_CPP, NEEDS_NODE_LLAMA_CPP } from '../helpers/installed.js';
import { REPO, cleanEnv, runNode, tempHome } from '../helpers/run-node.js';

let rx: TestReceiver;
beforeAll(async () => { rx = await TestReceiver.start(); });
afterAll(async () => { await rx.close(); });

const file = (p: string) => join(REPO, p);
const spanAttr = (s: any, k: string) => attr(s.attributes, k);
const SPAN_KIND_INTERNAL = 1;
const LLAMA_MARKER = 'GENMARKq7v3z9';

async function run(args: string[], extra: Record<string, string> = {}, home = tempHome()) {
  const before = rx.received.length;
  const r = await runNode(args, { env: cleanEnv(home, { OTEL_EXPORTER_OTLP_ENDPOINT: rx.endpoint, TELEMETRY_AGENT_ENABLED: '1', ...extra }), timeoutMs: 120_000 });
  const got = new TestReceiver();
  got.received.push(...rx.received.slice(before));
  return { r, got };
}

/** `METER <op> <input> <output>` lines: what the library counted, in call order. */
function meterLines(stdout: string): Array<{ op: string; input: number; output: number }> {
  return stdout.split('\n').filter((l) => l.startsWith('METER ')).map((l) => {
    const [, op, input, output] = l.split(' ');
    return { op: op!, input: Number(input), output: Number(output) };
  });
}

/** Tokens the app's own onToken received per call of `op` (from its `TEXT <op> … onToken=[…]` lines). */
function onTokenCounts(stdout: string, op: string): number[] {
  return stdout.split('\n').filter((l) => l.startsWith(`TEXT ${op} `)).map((l) => {
    const m = /onToken=(\[[\d,]*\])$/.exec(l);
    return (JSON.parse(m![1]!) as number[]).reduce((a, b) => a + b, 0);
  });
}

function histogramPoints(got: TestReceiver, name: string): any[] {
  return got.metrics().filter((m) => m.name === name).flatMap((m) => m.histogram.dataPoints);
}

/** Every file under `dir`, read as text (the on-disk queue and anything else the agent wrote). */
function allFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((f) => join(dir, f))
    .filter((p) => statSync(p).isFile())
    .map((p) => readFileSync(p).toString('latin1'));
}

describe.skipIf(!HAS_NODE_LLAMA_CPP).each([
  ['ESM', 'test/fixtures/apps/llama-generate.mjs'],
  ['CJS through import()', 'test/fixtures/apps/llama-generate.cjs'],
])(`node-llama-cpp (%s)${NEEDS_NODE_LLAMA_CPP}`, (_label, app) => {
  it('token counts equal the library\'s meter, output is unchanged, spans and metrics follow the GenAI names, no content anywhere', async () => {
    // A fixed marker (nowhere else in the repo's outputs): the generated tokens depend on the prompt.
    const marker = LLAMA_MARKER;
    const bare = await runNode([file(app)], { env: cleanEnv(tempHome(), { GEN_MARKER: marker }), timeoutMs: 120_000 });
    expect(bare.code).toBe(0);
    const home = tempHome();
    const inspect = join(home, 'inspect.log');
    const { r, got } = await run(['--import', 'telemetry-agent', file(app)], { GEN_MARKER: marker, TELEMETRY_AGENT_INSPECT: '1', TELEMETRY_AGENT_INSPECT_FILE: inspect }, home);
    expect(r.code).toBe(0);
    // Same generated text, same onToken calls, same meter: the app is unchanged.
    expect(r.stdout).toBe(bare.stdout);
    expect(r.stderr).toBe(bare.stderr);

    const library = meterLines(r.stdout);
    expect(library.map((m) => m.op)).toEqual(['chat', 'chat', 'text_completion', 'embeddings']);
    const spans = got.spans();
    const load = spans.filter((s) => s.name === 'ml.model.load');
    expect(load).toHaveLength(1);
    expect(spanAttr(load[0], 'ml.framework')).toBe('node-llama-cpp');
    const model = spanAttr(load[0], 'ml.model.name');
    expect(model).toMatch(/^sha256:[0-9a-f]{16}$/); // "tiny-random-llama" is not allow-listed
    expect(spanAttr(load[0], 'ml.model.file.size')).toBeGreaterThan(100_000);

    const generative = spans.filter((s) => /^(chat|text_completion|embeddings) /.test(s.name));
    generative.sort((a, b) => (BigInt(a.startTimeUnixNano) < BigInt(b.startTimeUnixNano) ? -1 : 1));
    expect(generative.map((s) => s.name)).toEqual(library.map((m) => `${m.op} ${model}`));
    for (const [i, s] of generative.entries()) {
      expect(s.kind).toBe(SPAN_KIND_INTERNAL);
      expect(spanAttr(s, 'gen_ai.operation.name')).toBe(library[i]!.op);
      expect(spanAttr(s, 'gen_ai.provider.name')).toBe('node-llama-cpp');
      expect(spanAttr(s, 'gen_ai.request.model')).toBe(model);
      expect(spanAttr(s, 'gen_ai.usage.input_tokens')).toBe(library[i]!.input);
      if (library[i]!.op !== 'embeddings') expect(spanAttr(s, 'gen_ai.usage.output_tokens')).toBe(library[i]!.output);
    }
    expect(spanAttr(generative[0], 'gen_ai.request.max_tokens')).toBe(8);
    expect(spanAttr(generative[1], 'gen_ai.request.temperature')).toBe(0);
    expect(spanAttr(generative[2], 'gen_ai.request.top_k')).toBe(20);
    expect(spanAttr(generative[2], 'gen_ai.request.top_p')).toBe(0.9);
    expect(spanAttr(generative[0], 'gen_ai.response.finish_reasons')).toEqual(['length']);

    // Token usage histograms: per operation and type, the sum is what the library counted.
    const usage = histogramPoints(got, 'gen_ai.client.token.usage');
    const sumOf = (op: string, type: string) => Math.max(0, ...usage
      .filter((p) => attr(p.attributes, 'gen_ai.operation.name') === op && attr(p.attributes, 'gen_ai.token.type') === type)
      .map((p) => Number(p.sum)));
    const libSum = (op: string, k: 'input' | 'output') => library.filter((m) => m.op === op).reduce((a, m) => a + m[k], 0);
    expect(sumOf('chat', 'input')).toBe(libSum('chat', 'input'));
    expect(sumOf('chat', 'output')).toBe(libSum('chat', 'output'));
    expect(sumOf('text_completion', 'output')).toBe(libSum('text_completion', 'output'));
    expect(sumOf('embeddings', 'input')).toBe(libSum('embeddings', 'input'));
    // Latency metrics: every call has a duration; time to first token needs a streamed token, time
    // per output token two (the prompt carries a random marker, so a chat may end at once).
    const streamed = onTokenCounts(r.stdout, 'chat');
    expect(streamed[0]).toBeGreaterThan(1); // with this marker the first chat streams tokens
    const expectedCounts: Record<string, number> = {
      'gen_ai.client.operation.duration': 2,
      'gen_ai.server.time_to_first_token': streamed.filter((n) => n > 0).length,
      'gen_ai.server.time_per_output_token': streamed.filter((n) => n > 1).length,
    };
    for (const [name, expected] of Object.entries(expectedCounts)) {
      const pts = histogramPoints(got, name).filter((p) => attr(p.attributes, 'gen_ai.operation.name') === 'chat');
      expect(Math.max(0, ...pts.map((p) => Number(p.count))), name).toBe(expected);
      for (const p of pts) {
        expect(attr(p.attributes, 'gen_ai.provider.name')).toBe('node-llama-cpp');
        expect(attr(p.attributes, 'gen_ai.request.model')).toBe(model);
      }
    }
    // On the CPU: nothing GPU-shaped from the library.
    expect(got.metrics().filter((m) => m.name.startsWith('hw.gpu') && m.gauge?.dataPoints.some((p: any) => attr(p.attributes, 'ml.framework') === 'node-llama-cpp'))).toEqual([]);

    // Never content: not on the wire, not in inspect output, not the model's file name.
    const printed = readFileSync(inspect, 'utf8');
    expect(printed).toContain('gen_ai.usage.input_tokens'); // inspect really printed the payloads
    for (const text of [got.allBytes(), printed]) {
      expect(text).not.toContain(marker);
      expect(text).not.toContain('my-private-model');
      expect(text).not.toContain('tiny-random-llama');
    }
  });
});

describe.skipIf(!HAS_NODE_LLAMA_CPP)(`node-llama-cpp, collector down${NEEDS_NODE_LLAMA_CPP}`, () => {
  it('queues the payloads on disk, and the marker is in no queued byte', async () => {
    const marker = `GENMARK${Math.random().toString(36).slice(2, 10)}`;
    const home = tempHome();
    const down = await TestReceiver.start();
    const endpoint = down.endpoint;
    await down.close(); // nothing listens there any more
    const r = await runNode(['--import', 'telemetry-agent', file('test/fixtures/apps/llama-generate.mjs')], {
      env: cleanEnv(home, { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, TELEMETRY_AGENT_ENABLED: '1', GEN_MARKER: marker, TELEMETRY_AGENT_EXIT_SENDER: '0' }),
      timeoutMs: 120_000,
    });
    expect(r.code).toBe(0);
    const queued = allFiles(join(home, '.cache'));
    expect(queued.join('\n')).toContain('gen_ai.usage.input_tokens'); // the generation really was queued
    for (const text of queued) expect(text).not.toContain(marker);
  });
});
