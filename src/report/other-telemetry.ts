// Everything in the directory that the run sections do not draw: spans and metrics other than
// the ML ones of src/catalog.ts (an app's own instrumentation, another SDK) and log records,
// listed by service and name with counts, so a user sees everything the directory holds.

import { METRIC_NAMES, SPAN_NAMES } from '../catalog.js';
import { arr, attributes, obj, str } from './otlp-json-values.js';

export interface NamedCount {
  readonly service: string;
  readonly name: string;
  readonly count: number;
}

export interface OtherTelemetry {
  /** Spans not in the catalog, counted. */
  readonly spans: NamedCount[];
  /** Metrics not in the catalog, with their data points counted. */
  readonly metrics: NamedCount[];
  /** Log records by service and severity text. */
  readonly logs: NamedCount[];
  readonly logRecords: number;
}

const POINT_HOLDERS = ['gauge', 'sum', 'histogram', 'exponentialHistogram', 'summary'] as const;
const ML_SPANS = new Set(SPAN_NAMES);
const ML_METRICS = new Set(METRIC_NAMES);

export function otherTelemetry(traceRequests: readonly unknown[], metricRequests: readonly unknown[], logRequests: readonly unknown[]): OtherTelemetry {
  const spans = new Counter();
  for (const request of traceRequests) {
    for (const rs of arr(obj(request).resourceSpans)) {
      const service = serviceOf(rs);
      for (const ss of arr(obj(rs).scopeSpans)) {
        for (const span of arr(obj(ss).spans)) {
          const name = str(obj(span).name);
          if (!ML_SPANS.has(name)) spans.add(service, name, 1);
        }
      }
    }
  }
  const metrics = new Counter();
  for (const request of metricRequests) {
    for (const rm of arr(obj(request).resourceMetrics)) {
      const service = serviceOf(rm);
      for (const sm of arr(obj(rm).scopeMetrics)) {
        for (const metric of arr(obj(sm).metrics)) {
          const name = str(obj(metric).name);
          if (ML_METRICS.has(name)) continue;
          let points = 0;
          for (const holder of POINT_HOLDERS) points += arr(obj(obj(metric)[holder]).dataPoints).length;
          metrics.add(service, name, points);
        }
      }
    }
  }
  const logs = new Counter();
  let logRecords = 0;
  for (const request of logRequests) {
    for (const rl of arr(obj(request).resourceLogs)) {
      const service = serviceOf(rl);
      for (const sl of arr(obj(rl).scopeLogs)) {
        for (const record of arr(obj(sl).logRecords)) {
          logRecords++;
          logs.add(service, str(obj(record).severityText) || str(obj(record).eventName), 1);
        }
      }
    }
  }
  return { spans: spans.list(), metrics: metrics.list(), logs: logs.list(), logRecords };
}

function serviceOf(resourceHolder: unknown): string {
  const name = attributes(obj(obj(resourceHolder).resource).attributes)['service.name'];
  return typeof name === 'string' && name ? name : 'unknown service';
}

class Counter {
  private readonly counts = new Map<string, NamedCount>();

  add(service: string, name: string, count: number): void {
    const key = JSON.stringify([service, name]);
    const current = this.counts.get(key);
    this.counts.set(key, { service, name, count: (current?.count ?? 0) + count });
  }

  /** By service, then most first, then by name. */
  list(): NamedCount[] {
    return [...this.counts.values()].sort((a, b) => a.service.localeCompare(b.service) || b.count - a.count || a.name.localeCompare(b.name));
  }
}
