import type { ResourceMetrics } from '@opentelemetry/sdk-metrics';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import type { Encoded } from './encoded.js';
import { JsonMetricsSerializer, JsonTraceSerializer, ProtobufMetricsSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';

export type { Encoded } from './encoded.js';

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
