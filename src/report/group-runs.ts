// Flattens OTLP JSON requests into spans and metric points, grouped by run: one run is one
// process, identified by the resource's service.instance.id (random per process run).

import {
  arr,
  attributes,
  enumValue,
  nanosToMs,
  num,
  obj,
  STATUS_CODES,
  str,
  TEMPORALITIES,
  type Attrs,
} from './otlp-json-values.js';

export interface SpanEvent {
  readonly name: string;
  readonly timeMs: number;
  readonly attributes: Attrs;
}

export interface SpanRecord {
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId: string;
  readonly name: string;
  readonly startMs: number;
  readonly endMs: number;
  readonly attributes: Attrs;
  readonly statusCode: number;
  readonly statusMessage: string;
  readonly events: SpanEvent[];
}

export interface HistogramValue {
  readonly count: number;
  readonly sum?: number;
  readonly min?: number;
  readonly max?: number;
  /** Explicit upper bounds; `counts` has one more entry (the overflow bucket). */
  readonly bounds: number[];
  readonly counts: number[];
}

export type PointKind = 'gauge' | 'sum' | 'histogram' | 'exponentialHistogram' | 'summary';

export interface MetricPoint {
  readonly metric: string;
  readonly unit: string;
  readonly kind: PointKind;
  /** 1 delta, 2 cumulative, 0 unspecified (gauges). */
  readonly temporality: number;
  readonly startMs: number;
  readonly timeMs: number;
  readonly attributes: Attrs;
  readonly value?: number;
  readonly histogram?: HistogramValue;
}

export interface RunData {
  readonly key: string;
  readonly instanceId?: string;
  readonly serviceName: string;
  readonly serviceVersion?: string;
  readonly resource: Attrs;
  readonly spans: SpanRecord[];
  readonly points: MetricPoint[];
  readonly startMs: number;
  readonly endMs: number;
}

interface RunBuilder {
  key: string;
  resource: Attrs;
  spans: Map<string, SpanRecord>;
  points: Map<string, MetricPoint>;
}

export function groupRuns(traceRequests: readonly unknown[], metricRequests: readonly unknown[]): RunData[] {
  const runs = new Map<string, RunBuilder>();
  const runFor = (resource: Attrs): RunBuilder => {
    const key = runKey(resource);
    let run = runs.get(key);
    if (!run) {
      run = { key, resource: {}, spans: new Map(), points: new Map() };
      runs.set(key, run);
    }
    // Trace and metric exports of one process carry the same resource; union them anyway.
    Object.assign(run.resource, resource);
    return run;
  };

  for (const request of traceRequests) {
    for (const resourceSpans of arr(obj(request).resourceSpans)) {
      const run = runFor(attributes(obj(obj(resourceSpans).resource).attributes));
      for (const scopeSpans of arr(obj(resourceSpans).scopeSpans)) {
        for (const raw of arr(obj(scopeSpans).spans)) {
          const span = toSpan(raw);
          // The agent re-sends queued batches after a failure: keep one copy.
          run.spans.set(`${span.traceId}/${span.spanId}/${span.name}/${span.startMs}`, span);
        }
      }
    }
  }
  for (const request of metricRequests) {
    for (const resourceMetrics of arr(obj(request).resourceMetrics)) {
      const run = runFor(attributes(obj(obj(resourceMetrics).resource).attributes));
      for (const scopeMetrics of arr(obj(resourceMetrics).scopeMetrics)) {
        for (const metric of arr(obj(scopeMetrics).metrics)) {
          for (const point of toPoints(metric)) {
            run.points.set(`${point.metric}/${JSON.stringify(point.attributes)}/${point.startMs}/${point.timeMs}`, point);
          }
        }
      }
    }
  }
  return [...runs.values()].map(finishRun).sort((a, b) => b.startMs - a.startMs);
}

function runKey(resource: Attrs): string {
  const id = resource['service.instance.id'];
  if (typeof id === 'string' && id) return `id:${id}`;
  return `service:${String(resource['service.name'] ?? '')}`;
}

function finishRun(run: RunBuilder): RunData {
  const spans = [...run.spans.values()].sort((a, b) => a.startMs - b.startMs);
  const points = [...run.points.values()].sort((a, b) => a.timeMs - b.timeMs);
  // A loop, not Math.min(...): spreading a long run's points would overflow the stack.
  let startMs = Infinity;
  let endMs = -Infinity;
  const see = (t: number) => {
    if (t <= 0) return;
    if (t < startMs) startMs = t;
    if (t > endMs) endMs = t;
  };
  for (const s of spans) {
    see(s.startMs);
    see(s.endMs);
  }
  for (const p of points) see(p.timeMs);
  const id = run.resource['service.instance.id'];
  const version = run.resource['service.version'];
  return {
    key: run.key,
    instanceId: typeof id === 'string' && id ? id : undefined,
    serviceName: String(run.resource['service.name'] ?? '') || 'unknown service',
    serviceVersion: typeof version === 'string' && version ? version : undefined,
    resource: run.resource,
    spans,
    points,
    startMs: Number.isFinite(startMs) ? startMs : 0,
    endMs: Number.isFinite(endMs) ? endMs : 0,
  };
}

function toSpan(raw: unknown): SpanRecord {
  const s = obj(raw);
  const status = obj(s.status);
  const startMs = nanosToMs(s.startTimeUnixNano);
  return {
    traceId: str(s.traceId),
    spanId: str(s.spanId),
    parentSpanId: str(s.parentSpanId),
    name: str(s.name),
    startMs,
    endMs: Math.max(startMs, nanosToMs(s.endTimeUnixNano)),
    attributes: attributes(s.attributes),
    statusCode: enumValue(status.code, STATUS_CODES),
    statusMessage: str(status.message),
    events: arr(s.events).map((e) => ({ name: str(obj(e).name), timeMs: nanosToMs(obj(e).timeUnixNano), attributes: attributes(obj(e).attributes) })),
  };
}

const KINDS: readonly PointKind[] = ['gauge', 'sum', 'histogram', 'exponentialHistogram', 'summary'];

function toPoints(raw: unknown): MetricPoint[] {
  const m = obj(raw);
  const kind = KINDS.find((k) => k in m && m[k] !== null && typeof m[k] === 'object');
  if (!kind) return [];
  const data = obj(m[kind]);
  const temporality = enumValue(data.aggregationTemporality, TEMPORALITIES);
  return arr(data.dataPoints).map((rawPoint) => {
    const p = obj(rawPoint);
    const base = {
      metric: str(m.name),
      unit: str(m.unit),
      kind,
      temporality,
      startMs: nanosToMs(p.startTimeUnixNano),
      timeMs: nanosToMs(p.timeUnixNano),
      attributes: attributes(p.attributes),
    };
    if (kind === 'gauge' || kind === 'sum') return { ...base, value: num(p.asDouble) ?? num(p.asInt) };
    if (kind === 'histogram') return { ...base, histogram: explicitHistogram(p) };
    if (kind === 'exponentialHistogram') return { ...base, histogram: exponentialAsExplicit(p) };
    return { ...base, value: num(p.sum) };
  });
}

function explicitHistogram(p: Record<string, unknown>): HistogramValue {
  const bounds = arr(p.explicitBounds).map((b) => num(b) ?? Number.NaN);
  const counts = arr(p.bucketCounts).map((c) => num(c) ?? 0);
  const count = num(p.count) ?? counts.reduce((a, b) => a + b, 0);
  // Producers may omit bucketCounts when only count/sum are known.
  const valid = counts.length === bounds.length + 1 && bounds.every(Number.isFinite);
  return { count, sum: num(p.sum), min: num(p.min), max: num(p.max), bounds: valid ? bounds : [], counts: valid ? counts : [count] };
}

/**
 * Exponential buckets as explicit ones: bucket i of scale s covers (base^i, base^(i+1)],
 * base = 2^(2^-s). Negative values are counted in the lowest bucket (latencies are never
 * negative, so precision there does not matter).
 */
function exponentialAsExplicit(p: Record<string, unknown>): HistogramValue {
  const scale = num(p.scale) ?? 0;
  const positive = obj(p.positive);
  const offset = num(positive.offset) ?? 0;
  const buckets = arr(positive.bucketCounts).map((c) => num(c) ?? 0);
  const negative = arr(obj(p.negative).bucketCounts).reduce<number>((a, c) => a + (num(c) ?? 0), 0);
  const count = num(p.count) ?? 0;
  const base = 2 ** (2 ** -scale);
  const bounds = buckets.length ? [base ** offset, ...buckets.map((_, i) => base ** (offset + i + 1))] : [];
  const counts = buckets.length ? [(num(p.zeroCount) ?? 0) + negative, ...buckets, 0] : [count];
  return { count, sum: num(p.sum), min: num(p.min), max: num(p.max), bounds, counts };
}
