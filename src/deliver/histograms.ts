import { ValueType, type Attributes } from '@opentelemetry/api';
import type { HrTime } from '@opentelemetry/api';
import { AggregationTemporality, DataPointType, type MetricData } from '@opentelemetry/sdk-metrics';
import type { MetricSpec } from '../catalog.js';
import { CARDINALITY_LIMIT, OVERFLOW_ATTRIBUTES } from './cardinality.js';

/** Seconds; fine at the low end because tiny models run in microseconds. */
export const INFERENCE_BUCKETS: readonly number[] = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export interface Series {
  readonly attributes: Attributes;
  /** Bucket upper bounds: the metric's own (catalog `buckets`) or INFERENCE_BUCKETS. */
  readonly boundaries: readonly number[];
  readonly counts: Float64Array;
  count: number;
  sum: number;
  min: number;
  max: number;
}

/**
 * Explicit-bucket histograms (cumulative, or delta on request) kept by hand, one series per attribute set. Recording is
 * a bucket search and four additions: the SDK's histogram hashes the attributes on every call,
 * which cost more than the inference itself on small models. Exported as OTLP histogram points
 * next to the SDK's metrics, and readable synchronously at exit.
 */
export class Histograms {
  /** Per metric: the caller's attributes object → its series (one object may serve several metrics). */
  private readonly byObject = new Map<string, WeakMap<object, Series>>();
  private readonly byKey = new Map<string, Series>();
  private readonly specs = new Map<string, MetricSpec>();
  private readonly series = new Map<string, Series[]>();

  /** `key` is the caller's attributes object (reused across calls on hot paths); `safe` what may be sent. */
  record(spec: MetricSpec, value: number, key: object, safe: () => Attributes): void {
    let objects = this.byObject.get(spec.name);
    if (!objects) this.byObject.set(spec.name, (objects = new WeakMap()));
    let s = objects.get(key);
    if (!s) {
      s = this.seriesFor(spec, safe());
      objects.set(key, s);
    }
    Histograms.add(s, value);
  }

  static add(s: Series, value: number): void {
    const b = s.boundaries;
    let i = 0;
    while (i < b.length && value > b[i]!) i++;
    s.counts[i]!++;
    s.count++;
    s.sum += value;
    if (value < s.min) s.min = value;
    if (value > s.max) s.max = value;
  }

  /** End of the last delta collection: the start of the next delta interval. */
  private deltaStart: HrTime | undefined;

  /**
   * The histograms as OTLP metric data. Cumulative: everything since `start`. Delta (the
   * temporality preference asked for it): what was recorded since the previous collection, after
   * which the series restart from zero; series with nothing new are left out.
   */
  metricData(start: HrTime, end: HrTime, delta = false): MetricData[] {
    const out: MetricData[] = [];
    const from = delta ? (this.deltaStart ?? start) : start;
    for (const [name, list] of this.series) {
      const spec = this.specs.get(name)!;
      const points = list.filter((s) => s.count > 0).map((s) => ({
        startTime: from,
        endTime: end,
        attributes: s.attributes,
        value: { buckets: { boundaries: [...s.boundaries], counts: Array.from(s.counts) }, count: s.count, sum: s.sum, min: s.min, max: s.max },
      }));
      if (delta) for (const s of list) Histograms.reset(s);
      if (delta && points.length === 0) continue;
      out.push({
        descriptor: { name, description: spec.description, unit: spec.unit, valueType: ValueType.DOUBLE },
        aggregationTemporality: delta ? AggregationTemporality.DELTA : AggregationTemporality.CUMULATIVE,
        dataPointType: DataPointType.HISTOGRAM,
        dataPoints: points,
      });
    }
    if (delta) this.deltaStart = end;
    return out;
  }

  private static reset(s: Series): void {
    s.counts.fill(0);
    s.count = 0;
    s.sum = 0;
    s.min = Infinity;
    s.max = -Infinity;
  }

  /**
   * The series for an attribute set (already allow-listed and redacted); past the metric's
   * cardinality limit, its overflow series.
   */
  seriesFor(spec: MetricSpec, attributes: Attributes): Series {
    // Equal attribute sets share one series, whichever object they came in.
    let key = `${spec.name}\0${JSON.stringify(Object.entries(attributes).sort())}`;
    let s = this.byKey.get(key);
    if (!s && (this.series.get(spec.name)?.length ?? 0) >= CARDINALITY_LIMIT - 1) {
      attributes = OVERFLOW_ATTRIBUTES;
      key = `${spec.name}\0overflow`;
      s = this.byKey.get(key);
    }
    if (!s) {
      const boundaries = spec.buckets ?? INFERENCE_BUCKETS;
      s = { attributes, boundaries, counts: new Float64Array(boundaries.length + 1), count: 0, sum: 0, min: Infinity, max: -Infinity };
      this.byKey.set(key, s);
      this.specs.set(spec.name, spec);
      const list = this.series.get(spec.name) ?? [];
      list.push(s);
      this.series.set(spec.name, list);
    }
    return s;
  }
}
