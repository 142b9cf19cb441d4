import { ValueType, type Attributes } from '@opentelemetry/api';
import { millisToHrTime } from '@opentelemetry/core';
import type { Resource } from '@opentelemetry/resources';
import { AggregationTemporality, DataPointType, type MetricData, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { METRICS, type MetricSpec } from '../catalog.js';
import { CARDINALITY_LIMIT, OVERFLOW_ATTRIBUTES } from './cardinality.js';

const spec = (name: string) => METRICS.find((m) => m.name === name)!;

/**
 * A synchronous mirror of the gauges and counters, for the exits where the SDK's asynchronous
 * collection cannot run (a crash, process.exit(), a signal): there the last values are
 * serialised from here. Histograms are not mirrored: that would put work on the hot path.
 */
export class MetricSnapshot {
  private readonly series = new Map<string, { spec: MetricSpec; attributes: Attributes; value: number; collected: number }>();
  /** When the SDK last collected: the start of a delta interval. */
  private collectedAt: ReturnType<typeof millisToHrTime> | undefined;
  private readonly keys = new WeakMap<object, string>();
  /** Series per metric name: past the cardinality limit, values go to the overflow series (as in the SDK). */
  private readonly perMetric = new Map<string, number>();
  private readonly start = millisToHrTime(Date.now());

  /** Called with the same (already allow-listed and redacted) attributes the SDK instrument gets. */
  note(s: MetricSpec, value: number, attributes: Attributes): void {
    if (s.kind === 'histogram') return;
    let k = this.keys.get(attributes);
    if (k === undefined) this.keys.set(attributes, (k = JSON.stringify(Object.entries(attributes).sort())));
    let key = `${s.name}\0${k}`;
    let prev = this.series.get(key);
    if (!prev) {
      const n = this.perMetric.get(s.name) ?? 0;
      if (n >= CARDINALITY_LIMIT - 1) {
        key = `${s.name}\0overflow`;
        attributes = OVERFLOW_ATTRIBUTES;
        prev = this.series.get(key);
      } else this.perMetric.set(s.name, n + 1);
    }
    const next = s.kind === 'counter' ? (prev?.value ?? 0) + value : value;
    this.series.set(key, { spec: s, attributes, value: next, collected: prev?.collected ?? 0 });
  }

  /** The SDK collected: with delta temporality, the exit path reports only what came after this. */
  markCollected(): void {
    this.collectedAt = millisToHrTime(Date.now());
    for (const s of this.series.values()) s.collected = s.value;
  }

  /** `deltaCounters`: counters report what was added since the SDK's last collection (delta temporality). */
  toResourceMetrics(resource: Resource, scope: { name: string; version: string }, deltaCounters = false): ResourceMetrics {
    const now = millisToHrTime(Date.now());
    const counterTemporality = deltaCounters ? AggregationTemporality.DELTA : AggregationTemporality.CUMULATIVE;
    const counterStart = deltaCounters ? (this.collectedAt ?? this.start) : this.start;
    const byName = new Map<string, MetricData>();
    const add = (s: MetricSpec, value: number, attributes: Attributes) => {
      let m = byName.get(s.name);
      if (!m) {
        const descriptor = { name: s.name, description: s.description, unit: s.unit, valueType: ValueType.DOUBLE };
        m = s.kind === 'counter'
          ? { descriptor, aggregationTemporality: counterTemporality, dataPointType: DataPointType.SUM, isMonotonic: true, dataPoints: [] }
          : { descriptor, aggregationTemporality: AggregationTemporality.CUMULATIVE, dataPointType: DataPointType.GAUGE, dataPoints: [] };
        byName.set(s.name, m);
      }
      const startTime = s.kind === 'counter' ? counterStart : this.start;
      (m.dataPoints as Array<{ startTime: typeof now; endTime: typeof now; attributes: Attributes; value: number }>).push({ startTime, endTime: now, attributes, value });
    };
    add(spec('process.memory.usage'), process.memoryUsage.rss(), {});
    add(spec('v8js.memory.heap.used'), process.memoryUsage().heapUsed, {});
    for (const s of this.series.values()) {
      if (deltaCounters && s.spec.kind === 'counter') {
        if (s.value - s.collected > 0) add(s.spec, s.value - s.collected, s.attributes);
      } else add(s.spec, s.value, s.attributes);
    }
    return { resource, scopeMetrics: [{ scope, metrics: [...byName.values()] }] };
  }
}
