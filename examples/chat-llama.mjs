#!/usr/bin/env node
// node-llama-cpp chat and completion, fully offline: a tiny random GGUF model is written locally
// (its text is gibberish; the numbers are what matters), then a short chat loop, a completion and
// an embedding. Each call prints what the library itself counted.
//
//   TELEMETRY_AGENT_ENABLED=1 node --import telemetry-agent examples/chat-llama.mjs
//
// With the agent: `ml.model.load`, one `chat …`/`text_completion …`/`embeddings …` span per call
// with the same token counts, and time to first token / time per output token — never the text.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getLlama, LlamaChatSession, LlamaCompletion } from 'node-llama-cpp';
import { writeTinyGguf } from './models/tiny-gguf.mjs';

const dir = await mkdtemp(join(tmpdir(), 'chat-llama-'));
try {
  const llama = await getLlama({ gpu: false, build: 'never' });
  const model = await llama.loadModel({ modelPath: await writeTinyGguf(join(dir, 'tiny.gguf')) });
  const context = await model.createContext({ contextSize: 1024, threads: 1 });
  const sequence = context.getSequence();
  const used = async (what, fn) => {
    const before = sequence.tokenMeter.getState();
    await fn();
    const after = sequence.tokenMeter.getState();
    console.log(`${what}: ${after.usedInputTokens - before.usedInputTokens} input, ${after.usedOutputTokens - before.usedOutputTokens} output tokens`);
  };
  const session = new LlamaChatSession({ contextSequence: sequence, systemPrompt: 'Be brief.' });
  for (const question of ['Hello!', 'What is a GGUF file?', 'Thanks.']) {
    await used(`chat ${JSON.stringify(question)}`, () => session.prompt(question, { maxTokens: 16 }));
  }
  session.dispose({ disposeSequence: false });
  await sequence.clearHistory();
  const completion = new LlamaCompletion({ contextSequence: sequence });
  await used('completion', () => completion.generateCompletion('Once upon a time', { maxTokens: 32 }));
  await context.dispose();
  const embedding = await model.createEmbeddingContext({ contextSize: 128, threads: 1 });
  console.log(`embedding: ${(await embedding.getEmbeddingFor('hello world')).vector.length} dimensions`);
  await embedding.dispose();
  await model.dispose();
} finally {
  await rm(dir, { recursive: true, force: true });
}
