#!/usr/bin/env node
// Transformers.js text generation, fully offline: a tiny local causal language model (it always
// writes the same sentence), a short chat, a completion with a streamer, and a summarization with a
// tiny encoder-decoder model.
//
//   TELEMETRY_AGENT_ENABLED=1 node --import telemetry-agent examples/generate-transformers.mjs
//
// With the agent: one `chat …`/`text_completion …` span per generation with exact token counts,
// time to first token and time per output token through the streamer — never the text.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BaseStreamer, env, pipeline } from '@huggingface/transformers';
import { writeTinyCausalLm } from './models/tiny-causal-lm.mjs';
import { writeTinySeq2Seq } from './models/tiny-seq2seq.mjs';

const dir = await mkdtemp(join(tmpdir(), 'generate-transformers-'));
try {
  const { modelId } = await writeTinyCausalLm(dir);
  const { modelId: seq2seqId } = await writeTinySeq2Seq(dir);
  env.allowRemoteModels = false;
  env.localModelPath = dir;
  const generate = await pipeline('text-generation', modelId);
  const chat = [{ role: 'user', content: 'hello' }];
  const [reply] = await generate(chat, { max_new_tokens: 32 });
  console.log(`chat reply: ${reply.generated_text.at(-1).content.trim()}`);
  let steps = 0;
  const streamer = new (class extends BaseStreamer { put() { steps++; } end() {} })();
  const [completion] = await generate('Tell me something', { max_new_tokens: 6, streamer });
  console.log(`completion: ${completion.generated_text} (${steps - 1} tokens streamed)`);
  const summarize = await pipeline('summarization', seq2seqId);
  const [summary] = await summarize('tell me about the weather', { max_new_tokens: 32 });
  console.log(`summary: ${summary.summary_text}`);
} finally {
  await rm(dir, { recursive: true, force: true });
}
