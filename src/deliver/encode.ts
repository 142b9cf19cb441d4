import type { ResourceMetrics } from '@opentelemetry/sdk-metrics';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { JsonMetricsSerializer, JsonTraceSerializer, ProtobufMetricsSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';

/** One request body, ready to send. */
export interface Encoded {
  /** OTLP JSON request body: what inspect prints and what the disk queue stores. */
  readonly json: Uint8Array;
  /** The protobuf encoding, built only when the protocol asks for it. */
  readonly protobuf?: () => Uint8Array | undefined;
  /** How many spans or data points it carries (what a drop loses). */
  readonly items: number;
}

/**
 * Largest request body the agent sends. Common collector front ends refuse bigger ones (the local
 * receiver at 8 MiB); a larger export is split into several requests. See docs/delivery.md.
 */
export const MAX_PAYLOAD_BYTES = 4 * 1024 * 1024;

/**
 * Serialises spans that passed the protect gate into request bodies of at most `maxBytes` each
 * (splitting the batch as needed). Shared by the normal export and the synchronous exit path.
 */
export function encodeSpans(safe: readonly ReadableSpan[], maxBytes = MAX_PAYLOAD_BYTES): Encoded[] {
  if (safe.length === 0) return [];
  const json = JsonTraceSerializer.serializeRequest(safe as ReadableSpan[]);
  if (!json) return [];
  if (json.byteLength > maxBytes && safe.length > 1) {
    const half = Math.ceil(safe.length / 2);
    return [...encodeSpans(safe.slice(0, half), maxBytes), ...encodeSpans(safe.slice(half), maxBytes)];
  }
  return [{ json, items: safe.length, protobuf: () => ProtobufTraceSerializer.serializeRequest(safe as ReadableSpan[]) }];
}

/** Metrics that passed the protect gate, in bodies of at most `maxBytes` (split by data points). */
export function encodeMetrics(safe: ResourceMetrics, maxBytes = MAX_PAYLOAD_BYTES): Encoded[] {
  const items = pointCount(safe);
  if (items === 0) return [];
  const json = JsonMetricsSerializer.serializeRequest(safe);
  if (!json) return [];
  if (json.byteLength > maxBytes && items > 1) {
    const [a, b] = splitMetrics(safe, Math.ceil(items / 2));
    return [...encodeMetrics(a, maxBytes), ...encodeMetrics(b, maxBytes)];
  }
  return [{ json, items, protobuf: () => ProtobufMetricsSerializer.serializeRequest(safe) }];
}

function pointCount(rm: ResourceMetrics): number {
  let n = 0;
  for (const sm of rm.scopeMetrics) for (const m of sm.metrics) n += m.dataPoints.length;
  return n;
}

/** The first `n` data points (in order) and the rest, each with its metric's descriptor. */
function splitMetrics(rm: ResourceMetrics, n: number): [ResourceMetrics, ResourceMetrics] {
  const first: ResourceMetrics['scopeMetrics'] = [];
  const rest: ResourceMetrics['scopeMetrics'] = [];
  let left = n;
  for (const sm of rm.scopeMetrics) {
    const a: typeof sm.metrics = [];
    const b: typeof sm.metrics = [];
    for (const m of sm.metrics) {
      const take = Math.min(left, m.dataPoints.length);
      left -= take;
      if (take > 0) a.push({ ...m, dataPoints: m.dataPoints.slice(0, take) } as typeof m);
      if (take < m.dataPoints.length) b.push({ ...m, dataPoints: m.dataPoints.slice(take) } as typeof m);
    }
    if (a.length > 0) first.push({ scope: sm.scope, metrics: a });
    if (b.length > 0) rest.push({ scope: sm.scope, metrics: b });
  }
  return [{ resource: rm.resource, scopeMetrics: first }, { resource: rm.resource, scopeMetrics: rest }];
}

/**
 * Halves an OTLP JSON request body (spans or metric data points), for a collector that answered
 * 413 (too large): also works on what the disk queue stored. Undefined when it holds one item.
 */
export function splitOtlpJson(json: Uint8Array): [Encoded, Encoded] | undefined {
  let doc: any;
  try {
    doc = JSON.parse(Buffer.from(json).toString('utf8'));
  } catch {
    return undefined;
  }
  const kind = Array.isArray(doc?.resourceSpans) ? 'spans' : Array.isArray(doc?.resourceMetrics) ? 'metrics' : undefined;
  if (!kind) return undefined;
  // Leaves: [resource, scope, metric-or-undefined, the items array's owner key] in order.
  const top: any[] = kind === 'spans' ? doc.resourceSpans : doc.resourceMetrics;
  const leaves: { r: any; s: any; m?: any; points: any[]; field?: string }[] = [];
  for (const r of top) {
    for (const s of (kind === 'spans' ? r.scopeSpans : r.scopeMetrics) ?? []) {
      if (kind === 'spans') leaves.push({ r, s, points: s.spans ?? [] });
      else for (const m of s.metrics ?? []) {
        const field = ['gauge', 'sum', 'histogram', 'exponentialHistogram', 'summary'].find((f) => m[f]);
        if (field) leaves.push({ r, s, m, field, points: m[field].dataPoints ?? [] });
      }
    }
  }
  const total = leaves.reduce((a, l) => a + l.points.length, 0);
  if (total < 2) return undefined;
  const build = (from: number, to: number): Encoded => {
    const out: any[] = [];
    let i = 0;
    let cur: any;
    let curScope: any;
    for (const l of leaves) {
      const lo = Math.max(from - i, 0);
      const hi = Math.min(to - i, l.points.length);
      i += l.points.length;
      if (hi <= lo) continue;
      if (!cur || cur.src !== l.r) { cur = { src: l.r, value: { ...l.r, [kind === 'spans' ? 'scopeSpans' : 'scopeMetrics']: [] } }; out.push(cur); curScope = undefined; }
      const scopes = cur.value[kind === 'spans' ? 'scopeSpans' : 'scopeMetrics'];
      if (!curScope || curScope.src !== l.s) { curScope = { src: l.s, value: kind === 'spans' ? { ...l.s, spans: [] } : { ...l.s, metrics: [] } }; scopes.push(curScope.value); }
      const slice = l.points.slice(lo, hi);
      if (kind === 'spans') curScope.value.spans.push(...slice);
      else curScope.value.metrics.push({ ...l.m, [l.field!]: { ...l.m[l.field!], dataPoints: slice } });
    }
    const body = { [kind === 'spans' ? 'resourceSpans' : 'resourceMetrics']: out.map((x) => x.value) };
    return { json: Buffer.from(JSON.stringify(body)), items: to - from };
  };
  const half = Math.ceil(total / 2);
  return [build(0, half), build(half, total)];
}
