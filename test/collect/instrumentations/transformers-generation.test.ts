// Transformers.js generation (src/collect/instrumentations/transformers.ts) against the real
// @huggingface/transformers 4.x, offline, with the tiny causal LM and seq2seq models of
// examples/models/: exact token counts from the tokenizer output and the streamer, the app's own
// streamer receiving exactly what it received before, chat vs text_completion, and feature
// extraction as an `embeddings` operation.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { transformersInstrumentation } from '../../../src/collect/instrumentations/transformers.js';
import { GENAI_METRIC } from '../../../src/genai-conventions.js';
import { patch, unpatchModule } from './patching.js';
import { RecordingSignals } from './recording-signals.js';

const fixture = (name: string) => new URL(`../../../examples/models/${name}`, import.meta.url).href;
const require = createRequire(import.meta.url);
/* eslint-disable @typescript-eslint/no-explicit-any */
let T: any;
let version: string;
let dir: string;
let rec: RecordingSignals;
let STEPS: number;
const MARKER = 'tell'; // a vocabulary word of the tiny model, used as the planted prompt content

beforeAll(async () => {
  T = await import('@huggingface/transformers');
  version = JSON.parse(readFileSync(join(dirname(require.resolve('@huggingface/transformers')), '..', 'package.json'), 'utf8')).version;
  dir = mkdtempSync(join(tmpdir(), 'ta-generation-'));
  const causal = await import(fixture('tiny-causal-lm.mjs'));
  STEPS = causal.TINY_CAUSAL_LM_STEPS;
  await causal.writeTinyCausalLm(dir);
  await (await import(fixture('tiny-seq2seq.mjs'))).writeTinySeq2Seq(dir);
  await (await import(fixture('tiny-transformers.mjs'))).writeTinyTransformersModel(dir);
  T.env.allowRemoteModels = false;
  T.env.localModelPath = dir;
});

beforeEach(() => {
  rec = new RecordingSignals();
});

afterAll(() => {
  unpatchModule(transformersInstrumentation, T);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** A streamer recording every call it gets, like an app's own. */
function recordingStreamer() {
  const calls: string[] = [];
  const s = new (class extends T.BaseStreamer {
    put(value: bigint[][]) { calls.push(`put ${JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? Number(v) : v))}`); }
    end() { calls.push('end'); }
  })();
  return { s, calls };
}

describe('Transformers.js generation', () => {
  it('text-generation: same text and same streamer calls as without the agent; one text_completion span with exact counts', async () => {
    const run = async () => {
      const generate = await T.pipeline('text-generation', 'local-org/tiny-causal-lm');
      const { s, calls } = recordingStreamer();
      const out = await generate(`${MARKER} me something`, { max_new_tokens: 50, streamer: s });
      await generate.dispose();
      return { out, calls };
    };
    unpatchModule(transformersInstrumentation, T);
    const bare = await run();
    patch(transformersInstrumentation, T, () => rec, version);
    const withAgent = await run();
    expect(withAgent.out).toEqual(bare.out);
    expect(withAgent.calls).toEqual(bare.calls);

    const span = rec.spans.find((x) => x.name.startsWith('text_completion'))!;
    expect(span, rec.spans.map((x) => x.name).join()).toBeDefined();
    expect(span.name).toBe(`text_completion ${rec.modelName('local-org/tiny-causal-lm')}`);
    expect(span.attributes).toMatchObject({
      'gen_ai.operation.name': 'text_completion',
      'gen_ai.provider.name': 'transformers.js',
      'gen_ai.request.max_tokens': 50,
      'gen_ai.usage.input_tokens': 3, // tell me something (no special tokens)
      'gen_ai.usage.output_tokens': STEPS, // the sentence and </s>
      'gen_ai.response.finish_reasons': ['stop'],
    });
    // The pipeline's ml.inference span stays, and the generation is its child.
    expect(span.parent?.name).toBe('ml.inference');
    expect(rec.metricValues(GENAI_METRIC.tokenUsage, { 'gen_ai.token.type': 'output' })).toEqual([STEPS]);
    expect(rec.metricValues(GENAI_METRIC.timeToFirstToken)).toHaveLength(1);
    expect(rec.metricValues(GENAI_METRIC.timePerOutputToken)).toHaveLength(1);
    expect(rec.unknownNames()).toEqual([]);
    expect(JSON.stringify(rec.spans.map((x) => [x.name, x.attributes]))).not.toContain(MARKER);
  });

  it('max_new_tokens reached → finish reason length; chat input → a chat span; batches count every sequence', async () => {
    patch(transformersInstrumentation, T, () => rec, version);
    const generate = await T.pipeline('text-generation', 'local-org/tiny-causal-lm');
    await generate('hello', { max_new_tokens: 3 });
    await generate([{ role: 'user', content: 'hello' }], { max_new_tokens: 50 });
    await generate(['hello', 'tell me something'], { max_new_tokens: 2 });
    await generate.dispose();
    const spans = rec.spans.filter((x) => /^(chat|text_completion) /.test(x.name));
    expect(spans.map((x) => x.attributes['gen_ai.operation.name'])).toEqual(['text_completion', 'chat', 'text_completion']);
    expect(spans[0]!.attributes).toMatchObject({ 'gen_ai.usage.input_tokens': 1, 'gen_ai.usage.output_tokens': 3, 'gen_ai.response.finish_reasons': ['length'] });
    // the template's text "user: hello\nassistant:" → user : hello assistant :
    expect(spans[1]!.attributes).toMatchObject({ 'gen_ai.usage.input_tokens': 5, 'gen_ai.usage.output_tokens': STEPS, 'gen_ai.response.finish_reasons': ['stop'] });
    // Left-padded batch: the mask counts 1 + 3 real tokens; 2 steps × 2 sequences generated.
    expect(spans[2]!.attributes).toMatchObject({ 'gen_ai.usage.input_tokens': 4, 'gen_ai.usage.output_tokens': 4, 'gen_ai.response.finish_reasons': ['length', 'length'] });
  });

  it('seq2seq pipelines (text2text, summarization, translation): input tokens are the encoder\'s, output the generated ones', async () => {
    patch(transformersInstrumentation, T, () => rec, version);
    for (const task of ['text2text-generation', 'summarization', 'translation']) {
      const p = await T.pipeline(task, 'local-org/tiny-seq2seq');
      await p('tell me about the weather', { max_new_tokens: 50 });
      await p.dispose();
    }
    const spans = rec.spans.filter((x) => x.name.startsWith('text_completion '));
    expect(spans).toHaveLength(3);
    for (const x of spans) expect(x.attributes).toMatchObject({ 'gen_ai.usage.input_tokens': 5, 'gen_ai.usage.output_tokens': STEPS });
  });

  it('direct model.generate() with the tokenizer output is recorded too', async () => {
    patch(transformersInstrumentation, T, () => rec, version);
    const tokenizer = await T.AutoTokenizer.from_pretrained('local-org/tiny-causal-lm');
    const model = await T.AutoModelForCausalLM.from_pretrained('local-org/tiny-causal-lm');
    const inputs = tokenizer('hello there', { add_special_tokens: false });
    const out = await model.generate({ ...inputs, max_new_tokens: 4 });
    expect(out.dims).toEqual([1, 2 + 4]);
    const span = rec.spans.find((x) => x.name.startsWith('text_completion '))!;
    expect(span.attributes).toMatchObject({ 'gen_ai.usage.input_tokens': 2, 'gen_ai.usage.output_tokens': 4 });
    expect(span.parent).toBeUndefined();
    await model.dispose();
  });

  it('feature extraction is an embeddings operation with the tokenizer\'s input tokens; the pipeline span stays', async () => {
    patch(transformersInstrumentation, T, () => rec, version);
    const extract = await T.pipeline('feature-extraction', 'local-org/tiny-classifier');
    await extract(['I love this movie', 'bad']);
    await extract.dispose();
    const pipelineSpan = rec.spans.find((x) => x.name === 'ml.inference')!;
    expect(pipelineSpan.attributes['ml.task']).toBe('feature-extraction');
    const span = rec.spans.find((x) => x.name.startsWith('embeddings '))!;
    expect(span.parent).toBe(pipelineSpan);
    // [CLS] i love this movie [SEP] + [CLS] bad [SEP] (padding excluded)
    expect(span.attributes).toMatchObject({ 'gen_ai.operation.name': 'embeddings', 'gen_ai.usage.input_tokens': 9 });
    expect(span.attributes['gen_ai.usage.output_tokens']).toBeUndefined();
    expect(rec.metricValues(GENAI_METRIC.tokenUsage, { 'gen_ai.operation.name': 'embeddings', 'gen_ai.token.type': 'input' })).toEqual([9]);
  });

  it('an error inside generate reaches the app as the same object and is on the span', async () => {
    patch(transformersInstrumentation, T, () => rec, version);
    const generate = await T.pipeline('text-generation', 'local-org/tiny-causal-lm');
    const boom = new Error('streamer failed');
    const s = new (class extends T.BaseStreamer { put() { throw boom; } end() {} })();
    await expect(generate('hello', { max_new_tokens: 3, streamer: s })).rejects.toBe(boom);
    await generate.dispose();
    const span = rec.spans.find((x) => x.name.startsWith('text_completion '))!;
    expect(span.errors).toEqual([boom]);
    expect(rec.metricValues(GENAI_METRIC.timeToFirstToken)).toEqual([]);
  });
});
