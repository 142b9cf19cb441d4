// End-to-end: real TensorFlow.js training under `node --import telemetry-agent`, against the test
// receiver: every value tfjs hands the callbacks arrives (training and validation loss, accuracy),
// each epoch as its own point, with throughput counters and one run identity across fit calls.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { TestReceiver, attr } from '../helpers/otlp-test-receiver.js';
import { REPO, cleanEnv, runNode, tempHome } from '../helpers/run-node.js';

let rx: TestReceiver;
beforeAll(async () => { rx = await TestReceiver.start(); });
afterAll(async () => { await rx.close(); });

const APP = join(REPO, 'test/fixtures/apps/tfjs-training.mjs');

async function train(mode: string) {
  const before = rx.received.length;
  const r = await runNode(['--import', 'telemetry-agent', APP, mode], {
    env: cleanEnv(tempHome(), { OTEL_EXPORTER_OTLP_ENDPOINT: rx.endpoint, TELEMETRY_AGENT_ENABLED: '1' }),
    timeoutMs: 60_000,
  });
  expect(r.stderr).not.toMatch(/Error/);
  expect(r.code).toBe(0);
  const got = new TestReceiver();
  got.received.push(...rx.received.slice(before));
  const seen = r.stdout.split('\n').filter((l) => l.startsWith('SEEN ')).map((l) => JSON.parse(l.slice(5)));
  return { r, got, seen };
}

interface Point { value: number; timeMs: number; attributes: Record<string, unknown> }

function points(got: TestReceiver, name: string): Point[] {
  return got.metrics().filter((m) => m.name === name).flatMap((m) => (m.gauge ?? m.sum).dataPoints).map((p: any) => ({
    value: p.asDouble ?? Number(p.asInt),
    timeMs: Number(BigInt(p.timeUnixNano) / 1_000_000n),
    attributes: Object.fromEntries(p.attributes.map((a: any) => [a.key, attr(p.attributes, a.key)])),
  }));
}

const where = (ps: Point[], filter: Record<string, unknown>) => ps.filter((p) => Object.entries(filter).every(([k, v]) => p.attributes[k] === v));
const total = (ps: Point[]) => Math.max(0, ...ps.map((p) => p.value)); // cumulative counters: the last is the largest
const spanAttr = (s: any, k: string) => attr(s.attributes, k);

describe('tfjs training end to end', () => {
  it("fit with validationSplit and metrics ['acc']: the printed losses and accuracies arrive exactly, one point per epoch at its own time", async () => {
    const { got, seen } = await train('fit-validation');
    expect(seen).toHaveLength(6);
    const loss = points(got, 'ml.training.loss');
    const metric = points(got, 'ml.training.metric');
    const byTime = (ps: Point[]) => [...ps].sort((a, b) => a.timeMs - b.timeMs).map((p) => p.value);
    expect(byTime(where(loss, { 'ml.metric.split': 'train', 'ml.framework': 'tfjs' }))).toEqual(seen.map((s) => s.loss));
    expect(byTime(where(loss, { 'ml.metric.split': 'validation' }))).toEqual(seen.map((s) => s.val_loss));
    expect(byTime(where(metric, { 'ml.metric.name': 'acc', 'ml.metric.split': 'train' }))).toEqual(seen.map((s) => s.acc));
    expect(byTime(where(metric, { 'ml.metric.name': 'acc', 'ml.metric.split': 'validation' }))).toEqual(seen.map((s) => s.val_acc));
    // six distinct timestamps: a curve, although the run is far shorter than the export interval
    expect(new Set(where(loss, { 'ml.metric.split': 'train' }).map((p) => p.timeMs)).size).toBe(6);
    // throughput: 48 training samples (validation excluded) × 6 epochs, 6 batches × 6 epochs
    expect(total(points(got, 'ml.training.samples.completed'))).toBe(288);
    expect(total(points(got, 'ml.training.batches.completed'))).toBe(36);
    expect(total(points(got, 'ml.training.epochs.completed'))).toBe(6);
    const [run] = got.spans().filter((s) => s.name === 'ml.train');
    expect(spanAttr(run, 'ml.training.samples.completed')).toBe(288);
    expect(spanAttr(run, 'ml.model.name')).toMatch(/^sequential_\d+$/);
    const epochs = got.spans().filter((s) => s.name === 'ml.train.epoch');
    expect(epochs).toHaveLength(6);
    const events = epochs[0].events.filter((e: any) => e.name === 'ml.training.metric').map((e: any) => `${attr(e.attributes, 'ml.metric.name')}/${attr(e.attributes, 'ml.metric.split')}`);
    expect(events.sort()).toEqual(['acc/train', 'acc/validation', 'loss/train', 'loss/validation']);
    expect(points(got, 'ml.tfjs.memory.bytes').length).toBeGreaterThan(0);
  });

  it('fitDataset with a validation dataset: validation values and training samples only', async () => {
    const { got, seen } = await train('fit-dataset');
    expect(seen).toHaveLength(3);
    expect(where(points(got, 'ml.training.loss'), { 'ml.metric.split': 'validation' }).map((p) => p.value).sort()).toEqual(seen.map((s) => s.val_loss).sort());
    expect(total(points(got, 'ml.training.samples.completed'))).toBe(144); // 48 × 3
    const [run] = got.spans().filter((s) => s.name === 'ml.train');
    expect(spanAttr(run, 'ml.operation')).toBe('fitDataset');
  });

  it('repeated fit({ epochs: 1 }): one model instance id, fit index 0…4, every epoch inside its fit', async () => {
    const { got, seen } = await train('repeated');
    expect(seen).toHaveLength(5);
    const trains = got.spans().filter((s) => s.name === 'ml.train').sort((a, b) => spanAttr(a, 'ml.training.fit.index') - spanAttr(b, 'ml.training.fit.index'));
    expect(trains.map((s) => spanAttr(s, 'ml.training.fit.index'))).toEqual([0, 1, 2, 3, 4]);
    expect(new Set(trains.map((s) => spanAttr(s, 'ml.model.instance.id'))).size).toBe(1);
    expect(spanAttr(trains[0], 'ml.model.instance.id')).toMatch(/^[0-9a-f]{16}$/);
    const epochs = got.spans().filter((s) => s.name === 'ml.train.epoch');
    expect(epochs).toHaveLength(5);
    for (const e of epochs) {
      const parent = trains.find((t) => t.spanId === e.parentSpanId)!;
      // sub-millisecond times; a child never ends after its parent
      expect(BigInt(e.startTimeUnixNano) >= BigInt(parent.startTimeUnixNano)).toBe(true);
      expect(BigInt(e.endTimeUnixNano) <= BigInt(parent.endTimeUnixNano)).toBe(true);
    }
    expect(trains.some((t) => BigInt(t.startTimeUnixNano) % 1_000_000n !== 0n)).toBe(true);
    // the losses the app got back from each fit, as they arrived
    const loss = where(points(got, 'ml.training.loss'), { 'ml.metric.split': 'train' }).sort((a, b) => a.timeMs - b.timeMs).map((p) => p.value);
    expect(loss).toEqual(seen.map((s) => s.loss));
  });

  it('a custom optimizer.minimize loop: 30 steps of an ml.operation=minimize run, the cost the app asked for, tf memory', async () => {
    const { got, seen } = await train('minimize');
    expect(seen).toHaveLength(3);
    const steps = where(points(got, 'ml.training.batches.completed'), { 'ml.framework': 'tfjs', 'ml.operation': 'minimize' });
    expect(total(steps)).toBe(30);
    const [run] = got.spans().filter((s) => s.name === 'ml.train');
    expect(spanAttr(run, 'ml.operation')).toBe('minimize');
    expect(spanAttr(run, 'ml.training.batches.completed')).toBe(30);
    const loss = where(points(got, 'ml.training.loss'), { 'ml.operation': 'minimize' });
    expect(loss.length).toBeGreaterThan(0);
    expect(loss.at(-1)!.value).toBe(seen.at(-1).cost);
    expect(points(got, 'ml.tfjs.memory.tensors').length).toBeGreaterThan(0);
  });
});
