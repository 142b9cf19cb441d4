import { describe, expect, it } from 'vitest';
import { AggregationTemporality, InstrumentType, MeterProvider, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { AgentMetricReader, temporalityFor } from '../../src/deliver/metric-reader.js';

const { DELTA, CUMULATIVE } = AggregationTemporality;

describe('metrics temporality preference', () => {
  it('follows the specification table per instrument kind', () => {
    const kinds = [InstrumentType.COUNTER, InstrumentType.OBSERVABLE_COUNTER, InstrumentType.HISTOGRAM, InstrumentType.UP_DOWN_COUNTER, InstrumentType.OBSERVABLE_UP_DOWN_COUNTER, InstrumentType.GAUGE, InstrumentType.OBSERVABLE_GAUGE];
    const table = (p: 'cumulative' | 'delta' | 'lowmemory') => kinds.map((k) => temporalityFor(p, k));
    expect(table('cumulative')).toEqual([CUMULATIVE, CUMULATIVE, CUMULATIVE, CUMULATIVE, CUMULATIVE, CUMULATIVE, CUMULATIVE]);
    expect(table('delta')).toEqual([DELTA, DELTA, DELTA, CUMULATIVE, CUMULATIVE, CUMULATIVE, CUMULATIVE]);
    expect(table('lowmemory')).toEqual([DELTA, CUMULATIVE, DELTA, CUMULATIVE, CUMULATIVE, CUMULATIVE, CUMULATIVE]);
  });

  it('a real MeterProvider exports counter deltas per collection and a cumulative up-down counter', async () => {
    const exported: ResourceMetrics[] = [];
    const reader = new AgentMetricReader(60_000, async (rm) => { exported.push(rm); }, 'delta');
    const provider = new MeterProvider({ readers: [reader] });
    const meter = provider.getMeter('t');
    const counter = meter.createCounter('c');
    const updown = meter.createUpDownCounter('u');
    counter.add(3);
    updown.add(3);
    await reader.collectAndExport();
    counter.add(4);
    updown.add(4);
    await reader.collectAndExport();
    const value = (rm: ResourceMetrics, name: string) => {
      const m = rm.scopeMetrics[0]!.metrics.find((x) => x.descriptor.name === name)!;
      return { t: m.aggregationTemporality, v: m.dataPoints[0]!.value };
    };
    expect(exported.map((rm) => value(rm, 'c'))).toEqual([{ t: DELTA, v: 3 }, { t: DELTA, v: 4 }]);
    expect(exported.map((rm) => value(rm, 'u'))).toEqual([{ t: CUMULATIVE, v: 3 }, { t: CUMULATIVE, v: 7 }]);
    await provider.shutdown();
  });
});
