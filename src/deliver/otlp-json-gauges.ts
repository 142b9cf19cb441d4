// OTLP JSON for the one request a short run sends (resource + gauge points), written by hand so
// the short-run exit path does not load the OpenTelemetry serializers (about 10 ms of a 30 ms
// run). It produces what `JsonMetricsSerializer` produces for the same data — the test in
// test/deliver/otlp-json-gauges.test.ts holds the two side by side — and nothing more general.
import type { MetricSpec } from '../catalog.js';
import type { Encoded } from './encoded.js';

export type ResourceValue = string | number | boolean | readonly string[];

export interface GaugePoint {
  readonly spec: Pick<MetricSpec, 'name' | 'unit' | 'description'>;
  readonly value: number;
}

/** A JSON attribute value as the OpenTelemetry serializer writes it (integers as intValue). */
function anyValue(v: ResourceValue): Record<string, unknown> {
  if (typeof v === 'string') return { stringValue: v };
  if (typeof v === 'boolean') return { boolValue: v };
  if (typeof v === 'number') return Number.isInteger(v) ? { intValue: v } : { doubleValue: v };
  return { arrayValue: { values: v.map((x) => ({ stringValue: x })) } };
}

/** Milliseconds since the epoch as OTLP's decimal nanoseconds (too large for a double). */
export function unixNanos(ms: number): string {
  const whole = Math.floor(ms);
  const micros = Math.round((ms - whole) * 1000);
  return whole === 0 && micros === 0 ? '0' : `${whole}${String(micros).padStart(3, '0')}000`;
}

/**
 * One metrics request: `resource` (already through the protect gate) and one gauge point per
 * metric, observed at `atMs`.
 */
export function encodeGauges(resource: Readonly<Record<string, ResourceValue>>, scope: { name: string; version: string }, points: readonly GaugePoint[], atMs: number): Encoded {
  const time = unixNanos(atMs);
  const body = {
    resourceMetrics: [{
      resource: { attributes: Object.entries(resource).map(([key, value]) => ({ key, value: anyValue(value) })), droppedAttributesCount: 0 },
      scopeMetrics: [{
        scope,
        metrics: points.map((p) => ({
          name: p.spec.name,
          description: p.spec.description,
          unit: p.spec.unit,
          gauge: { dataPoints: [{ attributes: [], startTimeUnixNano: time, timeUnixNano: time, asDouble: p.value }] },
        })),
      }],
    }],
  };
  return { json: Buffer.from(JSON.stringify(body)), items: points.length };
}
