import { describe, expect, it } from 'vitest';
import { ValueType } from '@opentelemetry/api';
import { emptyResource } from '@opentelemetry/resources';
import { AggregationTemporality, DataPointType, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { encodeMetrics } from '../../src/deliver/encode.js';
import { splitOtlpJson } from '../../src/deliver/split-otlp-json.js';

const t = [1_700_000_000, 0] as [number, number];
function metrics(points: number, pad = 0): ResourceMetrics {
  return {
    resource: emptyResource(),
    scopeMetrics: [{
      scope: { name: 'test' },
      metrics: ['a', 'b'].map((name) => ({
        descriptor: { name, description: '', unit: '1', valueType: ValueType.DOUBLE },
        aggregationTemporality: AggregationTemporality.CUMULATIVE,
        dataPointType: DataPointType.SUM,
        isMonotonic: true,
        dataPoints: Array.from({ length: points }, (_, i) => ({ startTime: t, endTime: t, attributes: { 'error.type': `${name}${i}${'x'.repeat(pad)}` }, value: 1 })),
      })),
    }],
  } as ResourceMetrics;
}
const decode = (b: Uint8Array) => JSON.parse(Buffer.from(b).toString('utf8'));
const pointsIn = (json: any) => json.resourceMetrics.flatMap((r: any) => r.scopeMetrics.flatMap((s: any) => s.metrics.flatMap((m: any) => m.sum.dataPoints)));

describe('encodeMetrics', () => {
  it('one body when it fits', () => {
    const out = encodeMetrics(metrics(10));
    expect(out).toHaveLength(1);
    expect(out[0]!.items).toBe(20);
  });

  it('splits by data points into bodies under the bound, losing none and keeping each metric\'s descriptor', () => {
    const whole = encodeMetrics(metrics(2000, 100), Infinity)[0]!.json.byteLength;
    const bound = 64 * 1024;
    const out = encodeMetrics(metrics(2000, 100), bound);
    expect(whole).toBeGreaterThan(bound);
    expect(out.length).toBeGreaterThan(1);
    for (const e of out) expect(e.json.byteLength).toBeLessThanOrEqual(bound);
    const all = out.flatMap((e) => pointsIn(decode(e.json)));
    expect(all).toHaveLength(4000);
    expect(out.reduce((n, e) => n + e.items, 0)).toBe(4000);
    expect(new Set(all.map((p: any) => p.attributes[0].value.stringValue)).size).toBe(4000);
    expect(out.every((e) => e.protobuf?.() instanceof Uint8Array)).toBe(true);
  });
});

describe('splitOtlpJson (a 413, also for a queued payload)', () => {
  it('halves metric data points and spans; one item cannot be split', () => {
    const [a, b] = splitOtlpJson(encodeMetrics(metrics(3))[0]!.json)!;
    expect(pointsIn(decode(a.json)).length + pointsIn(decode(b.json)).length).toBe(6);
    expect([a.items, b.items]).toEqual([3, 3]);
    const spans = Buffer.from(JSON.stringify({ resourceSpans: [{ resource: {}, scopeSpans: [{ scope: { name: 's' }, spans: [{ name: 'x' }, { name: 'y' }, { name: 'z' }] }] }] }));
    const [s1, s2] = splitOtlpJson(spans)!;
    expect(decode(s1.json).resourceSpans[0].scopeSpans[0].spans.map((s: any) => s.name)).toEqual(['x', 'y']);
    expect(decode(s2.json).resourceSpans[0].scopeSpans[0].spans.map((s: any) => s.name)).toEqual(['z']);
    expect(splitOtlpJson(Buffer.from(JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [{ name: 'only' }] }] }] })))).toBeUndefined();
    expect(splitOtlpJson(Buffer.from('not json'))).toBeUndefined();
  });
});
