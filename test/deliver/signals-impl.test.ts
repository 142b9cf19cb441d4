// SignalsImpl in-process with the real OpenTelemetry SDK: what instrumentations record becomes
// spans and metric points as the catalog and the allow-list say, bounded, and never throws.
import { describe, expect, it } from 'vitest';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { MeterProvider, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { emptyResource } from '@opentelemetry/resources';
import { millisToHrTime } from '@opentelemetry/core';
import { SignalsImpl } from '../../src/deliver/signals-impl.js';
import { Histograms } from '../../src/deliver/histograms.js';
import { MetricSnapshot } from '../../src/deliver/metric-snapshot.js';
import { AgentMetricReader } from '../../src/deliver/metric-reader.js';
import { CARDINALITY_LIMIT } from '../../src/deliver/cardinality.js';

function setup() {
  const exporter = new InMemorySpanExporter();
  const tracerProvider = new TracerProvider({ resource: emptyResource(), spanProcessors: [new SimpleSpanProcessor({ exporter })] });
  const exported: ResourceMetrics[] = [];
  const reader = new AgentMetricReader(60_000, async (rm) => { exported.push(rm); });
  const meterProvider = new MeterProvider({ resource: emptyResource(), readers: [reader] });
  const debug: string[] = [];
  const histograms = new Histograms();
  const snapshot = new MetricSnapshot();
  const signals = new SignalsImpl({ tracer: tracerProvider.getTracer('t'), meter: meterProvider.getMeter('t'), modelName: (x) => `name:${String(x)}`, debug: (m) => debug.push(m), histograms, snapshot });
  const collect = async () => {
    exported.length = 0;
    await reader.collectAndExport();
    return exported.flatMap((rm) => rm.scopeMetrics.flatMap((s) => s.metrics));
  };
  return { signals, spans: async () => { await tracerProvider.forceFlush(); return exporter.getFinishedSpans(); }, collect, debug, histograms, snapshot };
}

const attrsOf = (p: { attributes: Record<string, unknown> }) => p.attributes;

describe('SignalsImpl', () => {
  it('spans: allow-listed attributes only; children nest under the current span', async () => {
    const { signals, spans } = setup();
    const parent = signals.startSpan('ml.train', { 'ml.framework': 'custom', 'user.secret': 'x' });
    signals.withSpan(parent, () => signals.startSpan('ml.train.epoch', { 'ml.training.epoch': 0 }).end());
    parent.end();
    const [child, p] = await spans();
    expect(p!.attributes).toEqual({ 'ml.framework': 'custom' });
    expect(child!.parentSpanContext?.spanId).toBe(p!.spanContext().spanId);
    expect(child!.endTime[0] * 1e9 + child!.endTime[1]).toBeLessThanOrEqual(p!.endTime[0] * 1e9 + p!.endTime[1]);
  });

  it('counters and gauges by the catalog; an unknown metric or a NaN is not recorded (one debug line), never a throw', async () => {
    const { signals, collect, debug } = setup();
    signals.record('ml.training.epochs.completed', 1, { 'ml.framework': 'custom' });
    signals.record('ml.training.epochs.completed', 1, { 'ml.framework': 'custom' });
    signals.record('ml.training.progress', 0.25, { 'ml.framework': 'custom' });
    signals.record('no.such.metric', 1);
    signals.record('ml.training.progress', Number.NaN);
    const metrics = await collect();
    const epochs = metrics.find((m) => m.descriptor.name === 'ml.training.epochs.completed')!;
    expect(epochs.dataPoints.map((p) => p.value)).toEqual([2]);
    expect(metrics.find((m) => m.descriptor.name === 'ml.training.progress')!.dataPoints.map((p) => p.value)).toEqual([0.25]);
    expect(debug.filter((l) => l.includes('no.such.metric'))).toHaveLength(1);
  });

  it('inference: every call in the histogram, spans only for the first calls then about one per second', async () => {
    const { signals, spans, histograms } = setup();
    const attrs = { 'ml.framework': 'custom', 'ml.operation': 'run' };
    const t0 = performance.now();
    for (let i = 0; i < 100; i++) signals.inference(0.001, attrs, undefined, t0 + i * 0.01);
    const data = histograms.metricData(millisToHrTime(Date.now()), millisToHrTime(Date.now()));
    expect(data[0]!.dataPoints.map((p) => (p.value as { count: number }).count)).toEqual([100]);
    expect((await spans()).filter((s) => s.name === 'ml.inference')).toHaveLength(10);
  });

  it('errors: status ERROR always, the exception event at most 10 per type per minute, every error counted', async () => {
    const { signals, spans, collect } = setup();
    for (let i = 0; i < 15; i++) {
      const s = signals.startSpan('ml.train', { 'ml.framework': 'custom' });
      s.recordError(Object.assign(new Error('boom'), { name: 'ValueError' }));
      s.end();
    }
    const ended = await spans();
    expect(ended.every((s) => s.status.code === 2)).toBe(true);
    expect(ended.filter((s) => s.events.some((e) => e.name === 'exception'))).toHaveLength(10);
    expect(ended[0]!.events[0]!.attributes!['exception.type']).toBe('ValueError');
    const errors = (await collect()).find((m) => m.descriptor.name === 'ml.errors')!;
    expect(errors.dataPoints.map((p) => [attrsOf(p)['error.type'], p.value])).toEqual([['ValueError', 15]]);
  });

  it(`cardinality: ${CARDINALITY_LIMIT} series per metric (the SDK's, the histograms' and the exit snapshot's alike), the rest in the overflow series`, async () => {
    const { signals, collect, histograms, snapshot } = setup();
    const n = CARDINALITY_LIMIT + 500;
    for (let i = 0; i < n; i++) signals.countError(Object.assign(new Error('x'), { name: `E${i}` }));
    for (let i = 0; i < n; i++) signals.inference(0.001, { 'ml.framework': 'custom', 'ml.model.name': `m${i}` });
    const overflowOf = (points: readonly { attributes: Record<string, unknown>; value: unknown }[]): any[] => points.filter((p) => p.attributes['otel.metric.overflow'] === true);

    const errors = (await collect()).find((m) => m.descriptor.name === 'ml.errors')!;
    expect(errors.dataPoints).toHaveLength(CARDINALITY_LIMIT);
    expect(overflowOf(errors.dataPoints).map((p) => p.value)).toEqual([n - (CARDINALITY_LIMIT - 1)]);

    const hist = histograms.metricData(millisToHrTime(Date.now()), millisToHrTime(Date.now()))[0]!;
    expect(hist.dataPoints).toHaveLength(CARDINALITY_LIMIT);
    expect(overflowOf(hist.dataPoints).map((p) => (p.value as { count: number }).count)).toEqual([n - (CARDINALITY_LIMIT - 1)]);

    const atExit = snapshot.toResourceMetrics(emptyResource(), { name: 't', version: '0' }).scopeMetrics[0]!.metrics.find((m) => m.descriptor.name === 'ml.errors')!;
    expect(atExit.dataPoints).toHaveLength(CARDINALITY_LIMIT);
    expect(overflowOf(atExit.dataPoints).map((p) => p.value)).toEqual([n - (CARDINALITY_LIMIT - 1)]);
  });

  it('a model name that throws, or attributes that throw, never reach the app', () => {
    const exploding = new SignalsImpl({ ...({} as object), tracer: new TracerProvider().getTracer('t'), meter: new MeterProvider().getMeter('t'), modelName: () => { throw new Error('x'); }, debug: () => {}, histograms: new Histograms() });
    expect(exploding.modelName('a/b')).toBeUndefined();
    const hostile = new Proxy({}, { ownKeys: () => { throw new Error('no'); } });
    expect(() => exploding.record('ml.training.progress', 1, hostile as never)).not.toThrow();
    expect(() => exploding.startSpan('ml.train', hostile as never).end()).not.toThrow();
  });
});
