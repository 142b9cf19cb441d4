// The short run's hand-written OTLP JSON against OpenTelemetry's own serializer for the same data.
import { describe, expect, it } from 'vitest';
import { ValueType } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { AggregationTemporality, DataPointType, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { JsonMetricsSerializer } from '@opentelemetry/otlp-transformer';
import { encodeGauges, unixNanos, type ResourceValue } from '../../src/deliver/otlp-json-gauges.js';
import { RUNTIME_GAUGES } from '../../src/collect/runtime-metrics.js';

const decode = (b: Uint8Array) => JSON.parse(Buffer.from(b).toString('utf8'));

describe('encodeGauges', () => {
  it('writes what JsonMetricsSerializer writes for a resource and gauge points', () => {
    const resource: Record<string, ResourceValue> = {
      'service.name': 'svc "quoted" ✓',
      'host.cpu.logical_count': 8,
      'host.memory.total': 25_276_059_648,
      'ratio': 0.25,
      'flag': true,
      'host.gpu.model.names': ['NVIDIA A100', 'NVIDIA L4'],
    };
    const at = 1_796_217_049_257;
    const values = [54_984_704, 5_981_496.5];
    const scope = { name: 'telemetry-agent', version: '0.1.0' };
    const ours = decode(encodeGauges(resource, scope, RUNTIME_GAUGES.map((g, i) => ({ spec: g.spec, value: values[i]! })), at).json);

    const hr: [number, number] = [Math.floor(at / 1000), (at % 1000) * 1e6];
    const rm = {
      resource: resourceFromAttributes(resource as Record<string, string | number | boolean | string[]>),
      scopeMetrics: [{
        scope,
        metrics: RUNTIME_GAUGES.map((g, i) => ({
          descriptor: { name: g.spec.name, description: g.spec.description, unit: g.spec.unit, valueType: ValueType.DOUBLE },
          aggregationTemporality: AggregationTemporality.CUMULATIVE,
          dataPointType: DataPointType.GAUGE,
          dataPoints: [{ startTime: hr, endTime: hr, attributes: {}, value: values[i]! }],
        })),
      }],
    } as unknown as ResourceMetrics;
    const theirs = decode(JsonMetricsSerializer.serializeRequest(rm)!);
    expect(ours).toEqual(theirs);
  });

  it('counts one item per point', () => {
    expect(encodeGauges({}, { name: 's', version: '1' }, RUNTIME_GAUGES.map((g) => ({ spec: g.spec, value: 1 })), 0).items).toBe(RUNTIME_GAUGES.length);
  });
});

describe('unixNanos', () => {
  it('milliseconds since the epoch as decimal nanoseconds, beyond double precision', () => {
    expect(unixNanos(1_796_217_049_257)).toBe('1796217049257000000');
    expect(unixNanos(1_796_217_049_257.5)).toBe('1796217049257500000');
    expect(unixNanos(0)).toBe('0');
  });
});
