// The node-llama-cpp instrumentation against the real node-llama-cpp 3.x (ESM namespace, CPU
// prebuilt binaries, no build), with the tiny random GGUF of examples/models/tiny-gguf.mjs.
// Token counts are compared with the library's own token meter read by the test itself.
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { nodeLlamaCppInstrumentation } from '../../../src/collect/instrumentations/node-llama-cpp.js';
import { GENAI_METRIC } from '../../../src/genai-conventions.js';
import { HAS_NODE_LLAMA_CPP, NEEDS_NODE_LLAMA_CPP, NODE_LLAMA_CPP } from '../../helpers/installed.js';
import { patch, unpatchModule } from './patching.js';
import { RecordingSignals, throwingSignals, type RecordedSpan } from './recording-signals.js';

interface TinyGgufModule {
  writeTinyGguf(filePath: string, options?: { name?: string }): Promise<string>;
  TINY_GGUF_NAME: string;
}
const fixtureUrl = new URL('../../../examples/models/tiny-gguf.mjs', import.meta.url).href;

/* eslint-disable @typescript-eslint/no-explicit-any */
let L: any; // the module namespace
let version: string;
let dir: string;
let modelPath: string;
let llama: any;
let model: any;
let rec: RecordingSignals;
const MARKER = 'ZQXMARKER';

beforeAll(async () => {
  if (!HAS_NODE_LLAMA_CPP) return;
  L = await import(NODE_LLAMA_CPP); // computed: typechecking must not need it installed
  version = JSON.parse(readFileSync(new URL('../../../node_modules/node-llama-cpp/package.json', import.meta.url), 'utf8')).version;
  dir = mkdtempSync(join(tmpdir(), 'ta-llama-'));
  const fixture = (await import(fixtureUrl)) as TinyGgufModule;
  modelPath = await fixture.writeTinyGguf(join(dir, 'private-name-of-the-file.gguf'));
  llama = await L.getLlama({ gpu: false, build: 'never' });
});

beforeEach(() => {
  rec = new RecordingSignals();
});

afterAll(async () => {
  if (!HAS_NODE_LLAMA_CPP) return;
  unpatchModule(nodeLlamaCppInstrumentation, L);
  await model?.dispose();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** One thread: llama.cpp's spinning worker threads are very slow on a busy machine. */
const newContext = (m: any) => m.createContext({ contextSize: 512, threads: 1 });

const meter = (seq: any) => seq.tokenMeter.getState() as { usedInputTokens: number; usedOutputTokens: number };

function only(name: RegExp): RecordedSpan {
  const spans = rec.spans.filter((s) => name.test(s.name));
  expect(spans, rec.spans.map((s) => s.name).join(', ')).toHaveLength(1);
  return spans[0]!;
}

describe.skipIf(!HAS_NODE_LLAMA_CPP)(`node-llama-cpp${NEEDS_NODE_LLAMA_CPP}`, () => {
  it('patches the prototypes of a supported version, and leaves an unsupported one alone', () => {
    patch(nodeLlamaCppInstrumentation, L, () => rec, '2.8.0');
    expect(rec.debugLines.join('\n')).toContain('not patched: node-llama-cpp version 2.8.0');
    patch(nodeLlamaCppInstrumentation, L, () => rec, version);
    expect(rec.debugLines.join('\n')).toContain(`instrumented node-llama-cpp@${version}`);
    expect(rec.debugLines.join('\n')).not.toContain('node-llama-cpp: not patched');
  });

  it('records the model load with its GGUF name (hashed: not allow-listed) and file size, never the path', async () => {
    model = await llama.loadModel({ modelPath });
    const load = only(/^ml\.model\.load$/);
    expect(load.ended).toBe(true);
    expect(load.attributes).toMatchObject({
      'ml.framework': 'node-llama-cpp',
      'ml.operation': 'loadModel',
      'ml.model.file.size': statSync(modelPath).size,
    });
    expect(load.attributes['ml.model.name']).toBe(rec.modelName('tiny-random-llama'));
    expect(rec.allStrings().join('\n')).not.toContain('private-name-of-the-file');
    expect(rec.unknownNames()).toEqual([]);
    // CPU only: nothing GPU-shaped
    expect(rec.metrics.filter((m) => m.metric.startsWith('hw.gpu'))).toEqual([]);
  });

  it('a completion: one text_completion span whose token counts equal the token meter, the same text, and the app\'s onToken calls unchanged', async () => {
    const run = async (instrumented: boolean) => {
      if (!instrumented) unpatchModule(nodeLlamaCppInstrumentation, L);
      else patch(nodeLlamaCppInstrumentation, L, () => rec, version);
      const context = await newContext(model);
      try {
        const sequence = context.getSequence();
        const completion = new L.LlamaCompletion({ contextSequence: sequence });
        const calls: number[][] = [];
        const before = meter(sequence);
        const text = await completion.generateCompletion(`hello ${MARKER} world`, {
          maxTokens: 12,
          temperature: 0,
          topK: 40,
          topP: 0.9,
          onToken: (tokens: number[]) => void calls.push([...tokens]),
        });
        const after = meter(sequence);
        return { text, calls, input: after.usedInputTokens - before.usedInputTokens, output: after.usedOutputTokens - before.usedOutputTokens };
      } finally {
        await context.dispose();
      }
    };
    const bare = await run(false);
    rec.reset();
    const withAgent = await run(true);
    expect(withAgent.text).toBe(bare.text);
    expect(withAgent.calls).toEqual(bare.calls);

    const span = only(/^text_completion /);
    expect(span.name).toBe(`text_completion ${rec.modelName('tiny-random-llama')}`);
    expect(span.attributes).toMatchObject({
      'gen_ai.operation.name': 'text_completion',
      'gen_ai.provider.name': 'node-llama-cpp',
      'gen_ai.request.model': rec.modelName('tiny-random-llama'),
      'gen_ai.request.max_tokens': 12,
      'gen_ai.request.temperature': 0,
      'gen_ai.request.top_k': 40,
      'gen_ai.request.top_p': 0.9,
      'gen_ai.usage.input_tokens': withAgent.input,
      'gen_ai.usage.output_tokens': withAgent.output,
      'gen_ai.response.finish_reasons': ['length'],
    });
    expect(withAgent.input).toBeGreaterThan(0);
    expect(span.ended).toBe(true);

    expect(rec.metricValues(GENAI_METRIC.tokenUsage, { 'gen_ai.token.type': 'input' })).toEqual([withAgent.input]);
    expect(rec.metricValues(GENAI_METRIC.tokenUsage, { 'gen_ai.token.type': 'output' })).toEqual([withAgent.output]);
    const [duration] = rec.metricValues(GENAI_METRIC.operationDuration);
    const [ttft] = rec.metricValues(GENAI_METRIC.timeToFirstToken);
    const [tpot] = rec.metricValues(GENAI_METRIC.timePerOutputToken);
    expect(ttft).toBeGreaterThan(0);
    expect(ttft!).toBeLessThanOrEqual(duration!);
    expect(tpot).toBeGreaterThanOrEqual(0);
    for (const m of rec.metrics.filter((x) => x.metric.startsWith('gen_ai.'))) {
      expect(m.attributes).toMatchObject({ 'gen_ai.operation.name': 'text_completion', 'gen_ai.provider.name': 'node-llama-cpp' });
    }
    expect(rec.unknownNames()).toEqual([]);
    expect(JSON.stringify([rec.spans.map((s) => [s.name, s.attributes]), rec.metrics])).not.toContain(MARKER);
  });

  it('a chat prompt: one chat span per prompt, counts equal the meter (system prompt and template included), history kept by the library', async () => {
    patch(nodeLlamaCppInstrumentation, L, () => rec, version);
    const context = await newContext(model);
    try {
      const sequence = context.getSequence();
      const session = new L.LlamaChatSession({ contextSequence: sequence, systemPrompt: 'Be brief.' });
      const counts: Array<{ input: number; output: number }> = [];
      for (const prompt of [`hi ${MARKER}`, 'and again']) {
        const before = meter(sequence);
        await session.prompt(prompt, { maxTokens: 6 });
        const after = meter(sequence);
        counts.push({ input: after.usedInputTokens - before.usedInputTokens, output: after.usedOutputTokens - before.usedOutputTokens });
      }
      const spans = rec.spans.filter((s) => s.name.startsWith('chat '));
      expect(spans).toHaveLength(2);
      expect(spans.map((s) => [s.attributes['gen_ai.usage.input_tokens'], s.attributes['gen_ai.usage.output_tokens']])).toEqual(
        counts.map((c) => [c.input, c.output]),
      );
      expect(spans.every((s) => s.ended && s.attributes['gen_ai.operation.name'] === 'chat')).toBe(true);
      expect(JSON.stringify(rec.spans.map((s) => [s.name, s.attributes]))).not.toContain(MARKER);
    } finally {
      await context.dispose();
    }
  });

  it('embeddings: one embeddings span with the input tokens the library evaluated, no output tokens, no time to first token', async () => {
    patch(nodeLlamaCppInstrumentation, L, () => rec, version);
    const embedding = await model.createEmbeddingContext({ contextSize: 128, threads: 1 });
    try {
      const text = `embed ${MARKER} this`;
      const expected = embedding.calculateInputLength(text);
      const vector = await embedding.getEmbeddingFor(text);
      expect(vector.vector.length).toBe(32);
      const span = only(/^embeddings /);
      expect(span.attributes['gen_ai.usage.input_tokens']).toBe(expected);
      expect(span.attributes['gen_ai.usage.output_tokens']).toBeUndefined();
      expect(rec.metricValues(GENAI_METRIC.tokenUsage, { 'gen_ai.operation.name': 'embeddings', 'gen_ai.token.type': 'input' })).toEqual([expected]);
      expect(rec.metricValues(GENAI_METRIC.timeToFirstToken)).toEqual([]);
      expect(JSON.stringify(rec.spans.map((s) => [s.name, s.attributes]))).not.toContain(MARKER);
    } finally {
      await embedding.dispose();
    }
  });

  it('errors: the same error object reaches the app, the span has it, and no latency metrics are recorded', async () => {
    patch(nodeLlamaCppInstrumentation, L, () => rec, version);
    const context = await newContext(model);
    const completion = new L.LlamaCompletion({ contextSequence: context.getSequence() });
    await context.dispose();
    let caught: unknown;
    try {
      await completion.generateCompletion('hello', { maxTokens: 4 });
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(Error);
    // The disposed sequence no longer knows its model: the span is named by the operation alone.
    const span = only(/^text_completion$/);
    expect(span.errors).toEqual([caught]);
    expect(span.ended).toBe(true);
    const durations = rec.metrics.filter((m) => m.metric === GENAI_METRIC.operationDuration);
    expect(durations).toHaveLength(1);
    // The error's own class: node-llama-cpp's DisposedError (its `name` is the generic "Error").
    expect(durations[0]!.attributes['error.type']).toBe('DisposedError');
    expect((caught as Error).constructor.name).toBe('DisposedError');
    expect(rec.metricValues(GENAI_METRIC.timeToFirstToken)).toEqual([]);
  });

  it('a facade that throws everywhere changes nothing for the app', async () => {
    unpatchModule(nodeLlamaCppInstrumentation, L);
    patch(nodeLlamaCppInstrumentation, L, throwingSignals, version);
    const context = await newContext(model);
    try {
      const completion = new L.LlamaCompletion({ contextSequence: context.getSequence() });
      const tokens: number[] = [];
      const text = await completion.generateCompletion('hello world', { maxTokens: 5, onToken: (t: number[]) => void tokens.push(...t) });
      expect(typeof text).toBe('string');
      expect(tokens.length).toBeGreaterThan(0);
    } finally {
      await context.dispose();
      unpatchModule(nodeLlamaCppInstrumentation, L);
    }
  });
});
