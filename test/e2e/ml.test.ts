// End-to-end: unchanged ML scripts under the preload produce the spans and metrics docs/privacy.md lists.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { TestReceiver, attr } from '../helpers/otlp-test-receiver.js';
import { REPO, cleanEnv, runNode, tempHome } from '../helpers/run-node.js';

let rx: TestReceiver;
beforeAll(async () => { rx = await TestReceiver.start(); });
afterAll(async () => { await rx.close(); });

async function run(args: string[], extra: Record<string, string> = {}) {
  const before = rx.received.length;
  const r = await runNode(args, { env: cleanEnv(tempHome(), { OTEL_EXPORTER_OTLP_ENDPOINT: rx.endpoint, TELEMETRY_AGENT_ENABLED: '1', ...extra }), timeoutMs: 60_000 });
  const got = new TestReceiver();
  got.received.push(...rx.received.slice(before));
  return { r, got };
}

const file = (p: string) => join(REPO, p);
const spanAttr = (s: any, k: string) => attr(s.attributes, k);

/** Last cumulative value of a metric's points matching `where`. */
function points(rxd: TestReceiver, name: string) {
  return rxd.metrics().filter((m) => m.name === name).flatMap((m) => (m.gauge ?? m.sum ?? m.histogram).dataPoints);
}

describe.each([
  ['ESM via --import', ['--import', 'telemetry-agent', file('examples/train-tfjs.mjs')]],
  ['CJS via --require', ['--require', 'telemetry-agent', file('examples/train-tfjs.cjs')]],
])('tfjs training (%s)', (_label, args) => {
  it('produces one ml.train with ten epoch children, progress reaching 1, and the loss of every epoch', async () => {
    const bare = await runNode(args.slice(2), { env: cleanEnv(tempHome()) });
    const { r, got } = await run(args);
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n').filter((l) => l.startsWith('epoch'))).toEqual(bare.stdout.split('\n').filter((l) => l.startsWith('epoch')).map((l) => expect.stringMatching(new RegExp(`^${l.slice(0, 11)}`))));
    const spans = got.spans();
    const train = spans.filter((s) => s.name === 'ml.train');
    expect(train).toHaveLength(1);
    expect(spanAttr(train[0], 'ml.framework')).toBe('tfjs');
    expect(spanAttr(train[0], 'ml.training.epochs.total')).toBe(10);
    expect(spanAttr(train[0], 'ml.training.batch_size')).toBe(32);
    const epochs = spans.filter((s) => s.name === 'ml.train.epoch');
    expect(epochs).toHaveLength(10);
    for (const e of epochs) {
      expect(e.parentSpanId).toBe(train[0].spanId);
      expect(e.traceId).toBe(train[0].traceId);
      expect(typeof spanAttr(e, 'ml.training.loss')).toBe('number');
    }
    expect(epochs.map((e) => spanAttr(e, 'ml.training.epoch')).sort((a: number, b: number) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const progress = points(got, 'ml.training.progress').map((p) => p.asDouble);
    expect(Math.max(...progress)).toBe(1);
    // a curve: every epoch's training and validation loss as its own point
    const loss = points(got, 'ml.training.loss');
    expect(loss.filter((p: any) => attr(p.attributes, 'ml.metric.split') === 'train')).toHaveLength(10);
    expect(loss.filter((p: any) => attr(p.attributes, 'ml.metric.split') === 'validation')).toHaveLength(10);
    expect(points(got, 'ml.training.metric').filter((p: any) => attr(p.attributes, 'ml.metric.name') === 'mae')).toHaveLength(20);
    expect(Math.max(...points(got, 'ml.training.epochs.completed').map((p) => Number(p.asInt ?? p.asDouble)))).toBe(10);
    expect(points(got, 'ml.tfjs.memory.tensors').length).toBeGreaterThan(0);
    expect(spans.filter((s) => s.name === 'ml.inference').length).toBeGreaterThan(0); // the final predict()
  });
});

describe('onnxruntime inference', () => {
  it('records the model load, every run in the histogram, and no path anywhere', async () => {
    const { r, got } = await run(['--import', 'telemetry-agent', file('examples/infer-onnx.mjs')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('300 runs');
    const load = got.spans().filter((s) => s.name === 'ml.model.load');
    expect(load).toHaveLength(1);
    expect(spanAttr(load[0], 'ml.framework')).toBe('onnxruntime');
    expect(spanAttr(load[0], 'ml.model.name')).toMatch(/^sha256:[0-9a-f]{16}$/);
    const hist = points(got, 'ml.inference.duration').filter((p: any) => attr(p.attributes, 'ml.framework') === 'onnxruntime');
    expect(Math.max(...hist.map((p: any) => Number(p.count)))).toBe(300);
    const sampled = got.spans().filter((s) => s.name === 'ml.inference');
    expect(sampled.length).toBeGreaterThan(0);
    expect(sampled.length).toBeLessThan(300);
    const bytes = got.allBytes();
    expect(bytes).not.toContain('infer-onnx-');
    expect(bytes).not.toContain(tmpRoot());
  });

  it('an error in session.run reaches the app unchanged and is recorded', async () => {
    const bare = await runNode([file('test/fixtures/apps/run-error.mjs')], { env: cleanEnv(tempHome()) });
    const { r, got } = await run(['--import', 'telemetry-agent', file('test/fixtures/apps/run-error.mjs')]);
    expect(r.stdout).toBe(bare.stdout);
    expect(r.stdout).toMatch(/^caught Error: /);
    const failed = got.spans().filter((s) => s.name === 'ml.inference' && s.status?.code === 2);
    expect(failed).toHaveLength(1);
    expect(failed[0].events[0].name).toBe('exception');
    const errors = points(got, 'ml.errors');
    expect(errors.length).toBeGreaterThan(0);
    expect(got.allBytes()).not.toContain('private-model');
  });
});

describe('tfjs errors', () => {
  it('an error thrown inside fit reaches the app unchanged and is recorded on ml.train', async () => {
    const bare = await runNode([file('test/fixtures/apps/fit-error.mjs')], { env: cleanEnv(tempHome()) });
    const { r, got } = await run(['--import', 'telemetry-agent', file('test/fixtures/apps/fit-error.mjs')]);
    expect(r.stdout).toBe(bare.stdout);
    expect(r.stdout).toMatch(/^caught \w*Error: /);
    const train = got.spans().filter((s) => s.name === 'ml.train');
    expect(train).toHaveLength(1);
    expect(train[0].status.code).toBe(2);
    expect(attr(train[0].events[0].attributes, 'exception.type')).toMatch(/Error$/);
  });
});

describe('custom loop with the progress API', () => {
  it('reports ml.train with ml.framework=custom and progress reaching 1', async () => {
    const { r, got } = await run(['--import', 'telemetry-agent', file('examples/custom-loop.mjs')]);
    expect(r.code).toBe(0);
    const train = got.spans().filter((s) => s.name === 'ml.train');
    expect(train).toHaveLength(1);
    expect(spanAttr(train[0], 'ml.framework')).toBe('custom');
    expect(spanAttr(train[0], 'ml.training.steps.total')).toBe(200);
    expect(Math.max(...points(got, 'ml.training.progress').map((p) => p.asDouble))).toBe(1);
    expect(Math.max(...points(got, 'ml.training.batches.completed').map((p) => Number(p.asInt ?? p.asDouble)))).toBe(200);
  });

  it('is a silent no-op without consent', async () => {
    const before = rx.received.length;
    const r = await runNode(['--import', 'telemetry-agent', file('examples/custom-loop.mjs')], { env: cleanEnv(tempHome(), { OTEL_EXPORTER_OTLP_ENDPOINT: rx.endpoint }) });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(rx.received.length).toBe(before);
  });
});

describe('Transformers.js (ESM-only package, hooked with module.registerHooks)', () => {
  it('records the model load and pipeline calls, with onnxruntime spans as children of the pipeline span', async () => {
    const { r, got } = await run(['--import', 'telemetry-agent', file('examples/pipeline-transformers.mjs')]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('"I love this movie!" -> POSITIVE');
    const spans = got.spans();
    const loads = spans.filter((s) => s.name === 'ml.model.load' && spanAttr(s, 'ml.framework') === 'transformers.js');
    expect(loads.length).toBeGreaterThan(0);
    const calls = spans.filter((s) => s.name === 'ml.inference' && spanAttr(s, 'ml.framework') === 'transformers.js');
    expect(calls).toHaveLength(3);
    expect(spanAttr(calls[0], 'ml.task')).toBe('text-classification');
    expect(spanAttr(calls[0], 'ml.model.name')).toMatch(/^sha256:/); // local-org is not a public organisation
    const ortCalls = spans.filter((s) => s.name === 'ml.inference' && spanAttr(s, 'ml.framework') === 'onnxruntime');
    expect(ortCalls.length).toBeGreaterThan(0);
    const pipelineIds = new Set(calls.map((c) => c.spanId));
    for (const o of ortCalls) expect(pipelineIds.has(o.parentSpanId)).toBe(true);
  });
});

function tmpRoot(): string {
  return tmpdir();
}
