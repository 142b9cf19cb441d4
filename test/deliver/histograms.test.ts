import { describe, expect, it } from 'vitest';
import { AggregationTemporality, DataPointType } from '@opentelemetry/sdk-metrics';
import { METRICS } from '../../src/catalog.js';
import { Histograms, INFERENCE_BUCKETS } from '../../src/deliver/histograms.js';

const spec = METRICS.find((m) => m.name === 'ml.inference.duration')!;

describe('hand-kept histograms', () => {
  it('counts every value in the right bucket with sum, min and max', () => {
    const h = new Histograms();
    const attrs = { 'ml.framework': 'onnxruntime' };
    for (const v of [0.00005, 0.0002, 0.0002, 0.003, 50]) h.record(spec, v, attrs, () => attrs);
    const [m] = h.metricData([1, 0], [2, 0]);
    expect(m!.dataPointType).toBe(DataPointType.HISTOGRAM);
    const p = m!.dataPoints[0]! as any;
    expect(p.value.count).toBe(5);
    expect(p.value.sum).toBeCloseTo(50.00345, 8);
    expect(p.value.min).toBe(0.00005);
    expect(p.value.max).toBe(50);
    expect(p.value.buckets.boundaries).toEqual(INFERENCE_BUCKETS);
    expect(p.value.buckets.counts.length).toBe(INFERENCE_BUCKETS.length + 1);
    expect(p.value.buckets.counts[0]).toBe(1); // ≤ 0.0001
    expect(p.value.buckets.counts[1]).toBe(2); // ≤ 0.00025
    expect(p.value.buckets.counts[INFERENCE_BUCKETS.length]).toBe(1); // > 30
  });

  it('equal attribute sets share one series whichever object they came in; different ones do not', () => {
    const h = new Histograms();
    h.record(spec, 0.001, { a: 1 }, () => ({ 'ml.framework': 'tfjs' }));
    h.record(spec, 0.001, { a: 2 }, () => ({ 'ml.framework': 'tfjs' }));
    h.record(spec, 0.001, { a: 3 }, () => ({ 'ml.framework': 'onnxruntime' }));
    const points = h.metricData([0, 0], [1, 0])[0]!.dataPoints as any[];
    expect(points.map((p) => p.value.count).sort()).toEqual([1, 2]);
  });

  it('delta temporality: each collection reports what came since the previous one, then starts from zero', () => {
    const h = new Histograms();
    const attrs = { 'ml.framework': 'onnxruntime' };
    for (const v of [0.001, 0.002]) h.record(spec, v, attrs, () => attrs);
    const [first] = h.metricData([1, 0], [2, 0], true);
    expect(first!.aggregationTemporality).toBe(AggregationTemporality.DELTA);
    expect((first!.dataPoints[0] as any).value.count).toBe(2);
    expect(first!.dataPoints[0]!.startTime).toEqual([1, 0]);
    expect(h.metricData([1, 0], [3, 0], true)).toEqual([]); // nothing new
    h.record(spec, 0.5, attrs, () => attrs);
    const [third] = h.metricData([1, 0], [4, 0], true);
    const p = third!.dataPoints[0] as any;
    expect(p.value).toMatchObject({ count: 1, sum: 0.5, min: 0.5, max: 0.5 });
    expect(p.startTime).toEqual([3, 0]);
  });
});

describe('per-metric series and buckets', () => {
  const tokens = METRICS.find((m) => m.name === 'gen_ai.client.token.usage')!;
  const ttft = METRICS.find((m) => m.name === 'gen_ai.server.time_to_first_token')!;

  it('one attributes object used for two metrics feeds two series, each with its own buckets', () => {
    const h = new Histograms();
    const attrs = { 'gen_ai.operation.name': 'chat' };
    h.record(tokens, 300, attrs, () => attrs);
    h.record(ttft, 0.002, attrs, () => attrs);
    h.record(ttft, 0.003, attrs, () => attrs);
    const byName = Object.fromEntries(h.metricData([0, 0], [1, 0]).map((m) => [m.descriptor.name, m.dataPoints[0] as any]));
    expect(byName['gen_ai.client.token.usage'].value.count).toBe(1);
    expect(byName['gen_ai.client.token.usage'].value.buckets.boundaries).toEqual(tokens.buckets);
    expect(byName['gen_ai.client.token.usage'].value.buckets.counts[5]).toBe(1); // 256 < 300 ≤ 1024
    expect(byName['gen_ai.server.time_to_first_token'].value.count).toBe(2);
    expect(byName['gen_ai.server.time_to_first_token'].value.buckets.boundaries).toEqual(ttft.buckets);
  });
});
