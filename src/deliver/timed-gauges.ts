import { ValueType, type Attributes } from '@opentelemetry/api';
import { millisToHrTime } from '@opentelemetry/core';
import { AggregationTemporality, DataPointType, type MetricData } from '@opentelemetry/sdk-metrics';
import type { MetricSpec } from '../catalog.js';

/** Points kept per series between two exports; beyond it every other point is dropped (the curve keeps its shape). */
export const MAX_POINTS_PER_SERIES = 1024;
/** Series kept per metric: attribute sets beyond it are not recorded (counted in `dropped`). */
export const MAX_SERIES_PER_METRIC = 256;

interface TimedSeries {
  readonly spec: MetricSpec;
  readonly attributes: Attributes;
  times: number[];
  values: number[];
  /** Thinning stride: after an overflow only every `stride`-th new point is kept. */
  stride: number;
  skipped: number;
}

/**
 * Gauges whose every value is its own data point with the time it was observed (catalog
 * `timed: true`, e.g. the loss of each epoch): a run shorter than the export interval still sends
 * a curve, not one last value. Points wait here, bounded, until the next export takes them; the
 * export and the exit path both read them synchronously.
 */
export class TimedGauges {
  private readonly byKey = new Map<string, TimedSeries>();
  private readonly keys = new WeakMap<object, string>();
  private readonly perMetric = new Map<string, number>();
  dropped = 0;

  /** `attributes` are the already allow-listed, redacted ones (cached per caller object). */
  add(spec: MetricSpec, value: number, attributes: Attributes, timeMs: number): void {
    let k = this.keys.get(attributes);
    if (k === undefined) this.keys.set(attributes, (k = JSON.stringify(Object.entries(attributes).sort())));
    const key = `${spec.name}\0${k}`;
    let s = this.byKey.get(key);
    if (!s) {
      const n = this.perMetric.get(spec.name) ?? 0;
      if (n >= MAX_SERIES_PER_METRIC) {
        this.dropped++;
        return;
      }
      this.perMetric.set(spec.name, n + 1);
      s = { spec, attributes, times: [], values: [], stride: 1, skipped: 0 };
      this.byKey.set(key, s);
    }
    if (s.stride > 1 && ++s.skipped % s.stride !== 0) return;
    s.times.push(timeMs);
    s.values.push(value);
    if (s.times.length >= MAX_POINTS_PER_SERIES) {
      s.times = s.times.filter((_, i) => i % 2 === 1);
      s.values = s.values.filter((_, i) => i % 2 === 1);
      s.stride *= 2;
      s.skipped = 0;
    }
  }

  /** The points recorded since the last call, as OTLP gauge data (each point at its own time), and forgets them. */
  take(): MetricData[] {
    const byName = new Map<string, MetricData>();
    for (const s of this.byKey.values()) {
      if (s.times.length === 0) continue;
      let m = byName.get(s.spec.name);
      if (!m) {
        m = {
          descriptor: { name: s.spec.name, description: s.spec.description, unit: s.spec.unit, valueType: ValueType.DOUBLE },
          aggregationTemporality: AggregationTemporality.CUMULATIVE,
          dataPointType: DataPointType.GAUGE,
          dataPoints: [],
        };
        byName.set(s.spec.name, m);
      }
      for (let i = 0; i < s.times.length; i++) {
        const t = millisToHrTime(s.times[i]!);
        (m.dataPoints as Array<{ startTime: typeof t; endTime: typeof t; attributes: Attributes; value: number }>).push({ startTime: t, endTime: t, attributes: s.attributes, value: s.values[i]! });
      }
      s.times = [];
      s.values = [];
      s.stride = 1;
      s.skipped = 0;
    }
    return [...byName.values()];
  }
}
