// The protect gate in-process, fed by the real SignalsImpl and the real OpenTelemetry SDK:
// every outgoing string is redacted exactly once, at the gate, and only allow-listed names,
// keys and events leave.
import { describe, expect, it } from 'vitest';
import { MeterProvider, MetricReader, AggregationTemporality } from '@opentelemetry/sdk-metrics';
import { TracerProvider, type ReadableSpan, type SpanProcessor } from '@opentelemetry/sdk-trace';
import { emptyResource } from '@opentelemetry/resources';
import { createProtectGate } from '../../src/protect/gate.js';
import { createRedactor, MAX_STACK_LENGTH, MAX_STRING_LENGTH } from '../../src/protect/redaction-engine.js';
import { SignalsImpl } from '../../src/deliver/signals-impl.js';
import { Histograms } from '../../src/deliver/histograms.js';
import { CORPUS_CONTEXT, REDACT_CORPUS } from './redact-corpus.js';

class Collect implements SpanProcessor {
  readonly ended: ReadableSpan[] = [];
  onStart(): void {}
  onEnd(s: ReadableSpan): void { this.ended.push(s); }
  async forceFlush(): Promise<void> {}
  async shutdown(): Promise<void> {}
}
class Reader extends MetricReader {
  constructor() { super({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE }); }
  protected async onForceFlush(): Promise<void> {}
  protected async onShutdown(): Promise<void> {}
}

function setup() {
  const calls: Array<{ text: string; cap: number | undefined }> = [];
  const real = createRedactor(CORPUS_CONTEXT);
  const redactor = (text: string, cap?: number) => { calls.push({ text, cap }); return real(text, cap); };
  const spans = new Collect();
  const reader = new Reader();
  const tracerProvider = new TracerProvider({ resource: emptyResource(), spanProcessors: [spans] });
  const meterProvider = new MeterProvider({ resource: emptyResource(), readers: [reader] });
  const signals = new SignalsImpl({
    tracer: tracerProvider.getTracer('t'),
    meter: meterProvider.getMeter('t'),
    modelName: (x) => (typeof x === 'string' ? 'sha256:0123456789abcdef' : undefined),
    debug: () => {},
    histograms: new Histograms(),
  });
  return { calls, redactor, spans, reader, signals, gate: createProtectGate(redactor) };
}

const row = REDACT_CORPUS.find((x) => x.category === 'api-key')!;
const pathRow = REDACT_CORPUS.find((x) => x.category === 'path-posix')!;

describe('protect gate', () => {
  it('records strings as given and redacts each outgoing string exactly once, at the gate', () => {
    const { calls, spans, signals, gate } = setup();
    const span = signals.startSpan('ml.train', { 'ml.run.name': row.template, 'ml.framework': 'custom', 'host.name': 'box' });
    const err = new RangeError(pathRow.template);
    span.recordError(err);
    span.end();
    expect(calls).toEqual([]); // nothing redacted while recording
    const recorded = spans.ended[0];
    expect(recorded.attributes['ml.run.name']).toBe(row.template);
    expect(recorded.attributes['host.name']).toBeUndefined(); // the allow-list applies at once

    const out = gate.spans(spans.ended, emptyResource());
    const wire = JSON.stringify(out.map((s) => ({ a: s.attributes, e: s.events, st: s.status })));
    expect(wire).not.toContain(row.secret);
    expect(wire).not.toContain(pathRow.secret);
    // Exactly once per outgoing string: run name, status message, exception type/message/stack.
    // (The message is sent twice, as status and event attribute: the same string, redacted once.)
    const texts = calls.map((c) => c.text);
    expect(new Set(texts).size).toBe(texts.length);
    expect(texts).toContain(pathRow.template);
    expect(texts.filter((t) => t === row.template)).toHaveLength(1);
    expect(texts.filter((t) => t === err.stack)).toHaveLength(1);
    expect(calls.find((c) => c.text === err.stack)!.cap).toBe(MAX_STACK_LENGTH);
    expect(calls.find((c) => c.text === row.template)!.cap).toBe(MAX_STRING_LENGTH);
    const ev = out[0].events[0];
    expect(ev.name).toBe('exception');
    expect(ev.attributes!['exception.type']).toBe('RangeError');
  });

  it('drops span names, events and keys outside the catalog', () => {
    const { spans, signals, gate } = setup();
    signals.startSpan('my.custom.span', { 'ml.framework': 'x' }).end();
    signals.startSpan('usage', { 'usage.name': 'e', 'process.command_args': 'secret' }).end();
    const out = gate.spans(spans.ended, emptyResource());
    expect(out.map((s) => s.name)).toEqual(['usage']);
    expect(Object.keys(out[0].attributes)).toEqual(['usage.name']);
  });

  it('metrics: catalog names only, point attributes redacted once per export, overflow marker kept', async () => {
    const { calls, reader, signals, gate } = setup();
    signals.record('ml.errors', 1, { 'error.type': 'ValueError' });
    signals.record('ml.errors', 3, { 'otel.metric.overflow': true });
    signals.record('ml.training.loss', 0.5, { 'ml.framework': row.template });
    const { resourceMetrics } = await reader.collect();
    const out = gate.metrics(resourceMetrics, emptyResource());
    const wire = JSON.stringify(out.scopeMetrics);
    expect(wire).not.toContain(row.secret);
    const errors = out.scopeMetrics.flatMap((s) => s.metrics).find((m) => m.descriptor.name === 'ml.errors')!;
    expect(errors.dataPoints.map((p) => p.attributes)).toEqual([{ 'error.type': 'ValueError' }, { 'otel.metric.overflow': true }]);
    const before = calls.length;
    gate.metrics(resourceMetrics, emptyResource()); // the next export: same strings, remembered
    expect(calls.length).toBe(before);
  });

  it('resource: allow-listed keys, strings redacted, generated IDs only as UUIDs', () => {
    const { gate } = setup();
    const res = gate.resource({ 'service.name': `svc ${row.template}`, 'host.name': 'box', 'service.instance.id': '0d5c8a3e-3f5e-4c1a-9c55-1e2f3a4b5c6d', 'telemetry.install.id': 'not-a-uuid' });
    expect(res['service.name']).not.toContain(row.secret);
    expect(res['host.name']).toBeUndefined();
    expect(res['service.instance.id']).toBe('0d5c8a3e-3f5e-4c1a-9c55-1e2f3a4b5c6d');
    expect(res['telemetry.install.id']).toBeUndefined();
  });
});

describe('one redaction step', () => {
  it('the redactor is made in one place (process-gate.ts) and called from one place: the gate', async () => {
    const { readdirSync, readFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { REPO } = await import('../helpers/run-node.js');
    const files = (readdirSync(join(REPO, 'src'), { recursive: true }) as string[]).filter((f) => f.endsWith('.ts'));
    const text = (f: string) => readFileSync(join(REPO, 'src', f), 'utf8');
    // Nobody calls the engine's factory directly: it is handed to processGate, which makes the one redactor.
    expect(files.filter((f) => /\bcreateRedactor\(/.test(text(f)) && !f.endsWith('redaction-engine.ts'))).toEqual([]);
    expect(text(join('protect', 'process-gate.ts')).match(/loadFactory\(\)\(ctx\)/g)).toHaveLength(1);
    const gate = text(join('protect', 'gate.ts'));
    expect(gate.match(/\bredactor\(/g)).toHaveLength(1);
    // Nothing else uses the engine's Redactor type to call one.
    const users = files.filter((f) => /\bRedactor\b/.test(text(f)));
    expect(users.sort()).toEqual([join('protect', 'gate.ts'), join('protect', 'process-gate.ts'), join('protect', 'redaction-engine.ts')].sort());
  });
});
