import { ValueType, type Attributes } from '@opentelemetry/api';
import type { HrTime } from '@opentelemetry/api';
import { AggregationTemporality, DataPointType, type MetricData } from '@opentelemetry/sdk-metrics';
import type { MetricSpec } from '../catalog.js';

/** Seconds; fine at the low end because tiny models run in microseconds. */
export const INFERENCE_BUCKETS: readonly number[] = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export interface Series {
  readonly attributes: Attributes;
  readonly counts: Float64Array;
  count: number;
  sum: number;
  min: number;
  max: number;
}

/**
 * Cumulative explicit-bucket histograms kept by hand, one series per attribute set. Recording is
 * a bucket search and four additions: the SDK's histogram hashes the attributes on every call,
 * which cost more than the inference itself on small models. Exported as OTLP histogram points
 * next to the SDK's metrics, and readable synchronously at exit.
 */
export class Histograms {
  private readonly byObject = new WeakMap<object, Series>();
  private readonly byKey = new Map<string, Series>();
  private readonly specs = new Map<string, MetricSpec>();
  private readonly series = new Map<string, Series[]>();

  /** `key` is the caller's attributes object (reused across calls on hot paths); `safe` what may be sent. */
  record(spec: MetricSpec, value: number, key: object, safe: () => Attributes): void {
    let s = this.byObject.get(key);
    if (!s) {
      s = this.seriesFor(spec, safe());
      this.byObject.set(key, s);
    }
    Histograms.add(s, value);
  }

  static add(s: Series, value: number): void {
    const b = INFERENCE_BUCKETS;
    let i = 0;
    while (i < b.length && value > b[i]!) i++;
    s.counts[i]!++;
    s.count++;
    s.sum += value;
    if (value < s.min) s.min = value;
    if (value > s.max) s.max = value;
  }

  metricData(start: HrTime, end: HrTime): MetricData[] {
    const out: MetricData[] = [];
    for (const [name, list] of this.series) {
      const spec = this.specs.get(name)!;
      out.push({
        descriptor: { name, description: spec.description, unit: spec.unit, valueType: ValueType.DOUBLE },
        aggregationTemporality: AggregationTemporality.CUMULATIVE,
        dataPointType: DataPointType.HISTOGRAM,
        dataPoints: list.filter((s) => s.count > 0).map((s) => ({
          startTime: start,
          endTime: end,
          attributes: s.attributes,
          value: { buckets: { boundaries: [...INFERENCE_BUCKETS], counts: Array.from(s.counts) }, count: s.count, sum: s.sum, min: s.min, max: s.max },
        })),
      });
    }
    return out;
  }

  /** The series for an attribute set (already allow-listed and redacted). */
  seriesFor(spec: MetricSpec, attributes: Attributes): Series {
    // Equal attribute sets share one series, whichever object they came in.
    const key = `${spec.name}\0${JSON.stringify(Object.entries(attributes).sort())}`;
    let s = this.byKey.get(key);
    if (!s) {
      s = { attributes, counts: new Float64Array(INFERENCE_BUCKETS.length + 1), count: 0, sum: 0, min: Infinity, max: -Infinity };
      this.byKey.set(key, s);
      this.specs.set(spec.name, spec);
      const list = this.series.get(spec.name) ?? [];
      list.push(s);
      this.series.set(spec.name, list);
    }
    return s;
  }
}
