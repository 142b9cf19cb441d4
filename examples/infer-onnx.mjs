#!/usr/bin/env node
// ONNX Runtime inference: writes the tiny ONNX model (examples/models/tiny-onnx.mjs) to a
// temporary directory, runs 300 `session.run` calls and prints a summary.
//
//   TELEMETRY_AGENT_ENABLED=1 node --import telemetry-agent examples/infer-onnx.mjs
//
// With the agent: one `ml.model.load` span (the model name is a salted hash, never the path),
// every call in the `ml.inference.duration` histogram, and sampled `ml.inference` spans.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ort from 'onnxruntime-node'; // a CommonJS package: default import = module.exports
import { TINY_ONNX_EXPECTED, TINY_ONNX_INPUT, writeTinyOnnxModel } from './models/tiny-onnx.mjs';

const CALLS = 300;

const dir = await mkdtemp(join(tmpdir(), 'infer-onnx-'));
try {
  const modelPath = await writeTinyOnnxModel(join(dir, 'tiny.onnx'));
  const session = await ort.InferenceSession.create(modelPath);
  const x = new ort.Tensor('float32', Float32Array.from(TINY_ONNX_INPUT), [1, 4]);

  const latencies = [];
  let output;
  const started = performance.now();
  for (let i = 0; i < CALLS; i++) {
    const t0 = performance.now();
    output = await session.run({ x });
    latencies.push(performance.now() - t0);
  }
  const total = performance.now() - started;
  await session.release();

  latencies.sort((a, b) => a - b);
  const at = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
  const y = Array.from(output.y.data);
  const ok = y.length === TINY_ONNX_EXPECTED.length && y.every((v, i) => v === TINY_ONNX_EXPECTED[i]);
  console.log(`${CALLS} runs in ${total.toFixed(1)} ms: p50 ${(at(0.5) * 1000).toFixed(0)} µs, p95 ${(at(0.95) * 1000).toFixed(0)} µs`);
  console.log(`y = [${y.join(', ')}] ${ok ? '(as expected)' : `(expected [${TINY_ONNX_EXPECTED.join(', ')}])`}`);
  if (!ok) process.exitCode = 1;
} finally {
  await rm(dir, { recursive: true, force: true });
}
