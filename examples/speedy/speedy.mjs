#!/usr/bin/env node
// speedy: a tiny example tool that "optimizes" a model and embeds telemetry-agent the way a
// maintainer would. It tries each ONNX Runtime graph optimisation level (or TensorFlow.js) on the
// tiny ONNX model and reports the fastest. What it may send is declared in telemetry.json,
// published as TELEMETRY.md (generated: `telemetry-agent docs examples/speedy/telemetry.json`).
//
//   node examples/speedy/speedy.mjs optimize [--compiler onnxruntime|tfjs] [--runs 200]
//   node examples/speedy/speedy.mjs telemetry status|enable|disable|id|reset
//
// Telemetry is opt-in: SPEEDY_TELEMETRY=1 (one run) or `speedy telemetry enable` (saved).
// SPEEDY_TELEMETRY_ENDPOINT points it at another collector while you develop (e.g. the local
// one from `telemetry-agent collect`).
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { consent, recordCommand, recordUsage, shutdown, start } from 'telemetry-agent/api';
import { TINY_ONNX_BIAS, TINY_ONNX_INPUT, TINY_ONNX_WEIGHTS, writeTinyOnnxModel } from '../models/tiny-onnx.mjs';

const description = JSON.parse(readFileSync(new URL('./telemetry.json', import.meta.url), 'utf8'));
if (process.env.SPEEDY_TELEMETRY_ENDPOINT) description.endpoint = process.env.SPEEDY_TELEMETRY_ENDPOINT;

const [command, ...rest] = process.argv.slice(2);

if (command === 'telemetry') {
  // The tool's own consent commands: a few lines on top of consent().
  const c = consent(description);
  const verb = rest[0] ?? 'status';
  if (verb === 'status') {
    const s = c.status();
    console.log(`telemetry: ${s.enabled ? 'on' : 'off'} (${s.reason})`);
    console.log(`install id: ${s.installId ?? 'none yet'}`);
    console.log(`opt out: ${s.optOutEnv.join(' or ')}=1   details: ${description.docsUrl}`);
  } else if (verb === 'enable' || verb === 'disable' || verb === 'reset') {
    console.log(c[verb]().message);
  } else if (verb === 'id') {
    console.log(c.id() ?? 'no install ID yet: nothing has been sent from this machine');
  } else {
    console.error(`speedy telemetry: unknown command ${JSON.stringify(verb)}; use status, enable, disable, id or reset`);
    process.exitCode = 2;
  }
} else if (command === 'optimize') {
  const { values } = parseArgs({ args: rest, options: { compiler: { type: 'string', default: 'onnxruntime' }, runs: { type: 'string', default: '200' } } });
  const runs = Math.max(1, Number(values.runs) || 200);
  start(description);
  try {
    await recordCommand('optimize', () => (values.compiler === 'tfjs' ? optimizeTfjs(runs) : optimizeOnnx(runs)));
  } catch (e) {
    console.error(`speedy: ${e.message}`);
    process.exitCode = 1;
  }
  await shutdown();
} else {
  console.log('usage: speedy optimize [--compiler onnxruntime|tfjs] [--runs N]\n       speedy telemetry status|enable|disable|id|reset');
  process.exitCode = command === undefined || command === '--help' ? 0 : 2;
}

async function meanLatencyMs(runs, once) {
  await once(); // warm-up
  const t0 = performance.now();
  for (let i = 0; i < runs; i++) await once();
  return (performance.now() - t0) / runs;
}

async function optimizeOnnx(runs) {
  const ort = (await import('onnxruntime-node')).default;
  const dir = await mkdtemp(join(tmpdir(), 'speedy-'));
  try {
    const model = await writeTinyOnnxModel(join(dir, 'model.onnx'));
    const x = new ort.Tensor('float32', Float32Array.from(TINY_ONNX_INPUT), [1, 4]);
    const results = [];
    for (const technique of ['disabled', 'basic', 'extended', 'all']) {
      const session = await ort.InferenceSession.create(model, { graphOptimizationLevel: technique });
      const latency = await meanLatencyMs(runs, () => session.run({ x }));
      await session.release();
      results.push({ technique: technique === 'disabled' ? 'none' : technique, latency });
    }
    report('onnxruntime', results);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function optimizeTfjs(runs) {
  const tf = await import('@tensorflow/tfjs');
  const w = tf.tensor2d(TINY_ONNX_WEIGHTS, [4, 2]);
  const b = tf.tensor1d(TINY_ONNX_BIAS);
  const x = tf.tensor2d(TINY_ONNX_INPUT, [1, 4]);
  const latency = await meanLatencyMs(runs, async () => { const y = tf.add(tf.matMul(x, w), b); await y.data(); y.dispose(); });
  tf.dispose([w, b, x]);
  report('tfjs', [{ technique: 'none', latency }]);
}

function report(compiler, results) {
  const baseline = results[0].latency;
  for (const r of results) {
    // Only declared attributes with declared values: anything else would be dropped and counted.
    recordUsage('optimize', { compiler, technique: r.technique, latency_ms: Number(r.latency.toFixed(4)), improved: r.latency < baseline });
    console.log(`${compiler.padEnd(11)} ${r.technique.padEnd(8)} ${(r.latency * 1000).toFixed(1).padStart(8)} µs per run`);
  }
  const best = results.reduce((a, r) => (r.latency < a.latency ? r : a));
  console.log(`fastest: ${compiler} with ${best.technique}`);
}
