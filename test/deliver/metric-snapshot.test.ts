import { describe, expect, it } from 'vitest';
import { emptyResource } from '@opentelemetry/resources';
import { AggregationTemporality } from '@opentelemetry/sdk-metrics';
import { METRICS } from '../../src/catalog.js';
import { MetricSnapshot } from '../../src/deliver/metric-snapshot.js';

const spec = (n: string) => METRICS.find((m) => m.name === n)!;
const scope = { name: 't', version: '0' };
const metric = (s: MetricSnapshot, name: string, delta: boolean) =>
  s.toResourceMetrics(emptyResource(), scope, delta).scopeMetrics[0]!.metrics.find((m) => m.descriptor.name === name);

describe('exit snapshot', () => {
  it('cumulative: counters hold their totals', () => {
    const s = new MetricSnapshot();
    s.note(spec('ml.errors'), 2, {});
    s.markCollected();
    s.note(spec('ml.errors'), 3, {});
    const m = metric(s, 'ml.errors', false)!;
    expect(m.aggregationTemporality).toBe(AggregationTemporality.CUMULATIVE);
    expect(m.dataPoints[0]!.value).toBe(5);
  });

  it('delta: counters report only what came after the last SDK collection; nothing new, no point; gauges keep their value', () => {
    const s = new MetricSnapshot();
    s.note(spec('ml.errors'), 2, {});
    s.note(spec('ml.training.progress'), 0.5, {});
    s.markCollected();
    expect(metric(s, 'ml.errors', true)).toBeUndefined();
    s.note(spec('ml.errors'), 3, {});
    const m = metric(s, 'ml.errors', true)!;
    expect(m.aggregationTemporality).toBe(AggregationTemporality.DELTA);
    expect(m.dataPoints[0]!.value).toBe(3);
    expect(metric(s, 'ml.training.progress', true)!.dataPoints[0]!.value).toBe(0.5);
  });
});
