#!/usr/bin/env node
// Transformers.js text classification, fully offline: a tiny model is built locally (the Hub is
// not needed), then classified three sentences.
//
//   TELEMETRY_AGENT_ENABLED=1 node --import telemetry-agent examples/pipeline-transformers.mjs
//
// With the agent: `ml.model.load` for the model, one `ml.inference` span per pipeline call with
// ml.task, and the onnxruntime calls it makes as its children.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { env, pipeline } from '@huggingface/transformers';
import { writeTinyTransformersModel } from './models/tiny-transformers.mjs';

const dir = await mkdtemp(join(tmpdir(), 'tiny-transformers-'));
try {
  const { modelId } = await writeTinyTransformersModel(dir);
  env.allowRemoteModels = false;
  env.localModelPath = dir;
  const classify = await pipeline('text-classification', modelId);
  for (const text of ['I love this movie!', 'This was awful and slow.', 'What a great result']) {
    const [r] = await classify(text);
    console.log(`${JSON.stringify(text)} -> ${r.label} (${r.score.toFixed(3)})`);
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}
