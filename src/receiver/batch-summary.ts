// What one received batch contained, for the one-line log. Tolerates any JSON shape:
// JSON bodies are checked only at the top level, so nothing here may assume more.

export interface BatchSummary {
  readonly services: string[];
  readonly spans: number;
  readonly errorSpans: number;
  readonly points: number;
  readonly logRecords: number;
}

const STATUS_CODE_ERROR = 2;
const POINT_HOLDERS = ['gauge', 'sum', 'histogram', 'exponentialHistogram', 'summary'] as const;

export function summarizeTraces(request: unknown): BatchSummary {
  const services = new Set<string>();
  let spans = 0;
  let errorSpans = 0;
  for (const resourceSpans of list(field(request, 'resourceSpans'))) {
    addService(services, resourceSpans);
    for (const scopeSpans of list(field(resourceSpans, 'scopeSpans'))) {
      for (const span of list(field(scopeSpans, 'spans'))) {
        spans++;
        const code = field(field(span, 'status'), 'code');
        if (code === STATUS_CODE_ERROR || code === 'STATUS_CODE_ERROR') errorSpans++;
      }
    }
  }
  return { services: [...services], spans, errorSpans, points: 0, logRecords: 0 };
}

export function summarizeMetrics(request: unknown): BatchSummary {
  const services = new Set<string>();
  let points = 0;
  for (const resourceMetrics of list(field(request, 'resourceMetrics'))) {
    addService(services, resourceMetrics);
    for (const scopeMetrics of list(field(resourceMetrics, 'scopeMetrics'))) {
      for (const metric of list(field(scopeMetrics, 'metrics'))) {
        for (const holder of POINT_HOLDERS) points += list(field(field(metric, holder), 'dataPoints')).length;
      }
    }
  }
  return { services: [...services], spans: 0, errorSpans: 0, points, logRecords: 0 };
}

export function summarizeLogs(request: unknown): BatchSummary {
  const services = new Set<string>();
  let logRecords = 0;
  for (const resourceLogs of list(field(request, 'resourceLogs'))) {
    addService(services, resourceLogs);
    for (const scopeLogs of list(field(resourceLogs, 'scopeLogs'))) logRecords += list(field(scopeLogs, 'logRecords')).length;
  }
  return { services: [...services], spans: 0, errorSpans: 0, points: 0, logRecords };
}

export function formatBatchLine(signal: 'traces' | 'metrics' | 'logs', summary: BatchSummary, now = new Date()): string {
  const time = now.toTimeString().slice(0, 8);
  const service = summary.services.length > 0 ? summary.services.join(',') : '(no service.name)';
  const counts =
    signal === 'traces'
      ? `${plural(summary.spans, 'span')}, ${plural(summary.errorSpans, 'error')}`
      : signal === 'metrics'
        ? plural(summary.points, 'metric point')
        : plural(summary.logRecords, 'log record');
  return `${time} ${signal.padEnd(7)} ${service}: ${counts}`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function addService(services: Set<string>, resourceHolder: unknown): void {
  for (const kv of list(field(field(resourceHolder, 'resource'), 'attributes'))) {
    if (field(kv, 'key') !== 'service.name') continue;
    const value = field(field(kv, 'value'), 'stringValue');
    // Service names come from the network: keep the log line one line.
    if (typeof value === 'string') services.add(value.replace(/[\x00-\x1f\x7f]/g, '?').slice(0, 80));
  }
}

function field(value: unknown, key: string): unknown {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>)[key] : undefined;
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}
