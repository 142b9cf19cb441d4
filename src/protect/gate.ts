// The protect gate: the one place between collect and deliver where what leaves the process is
// decided. Spans, metrics and the resource pass through it right before serialisation (the
// normal export and the synchronous exit path alike); it keeps only allow-listed names and keys
// (allow-list.ts) and passes every string through the redactor it was given, exactly once.
// `protectText` below is the only caller of the redactor in the agent.
import type { Attributes } from '@opentelemetry/api';
import type { Resource } from '@opentelemetry/resources';
import type { ResourceMetrics } from '@opentelemetry/sdk-metrics';
import type { ReadableSpan, TimedEvent } from '@opentelemetry/sdk-trace';
import { METRIC_NAMES } from '../catalog.js';
import { genAiSpanName, GENAI_ATTR, isGenAiSpanName, type GenAiOperation } from '../genai-conventions.js';
import { ALLOWED_EVENT_NAMES, ALLOWED_RESOURCE_KEYS, ALLOWED_SIGNAL_KEYS, ALLOWED_SPAN_NAMES, allowedAttributes, type AllowedValue } from './allow-list.js';
import type { Redactor } from './redaction-engine.js';
import { MAX_STACK_LENGTH, MAX_STRING_LENGTH } from './redaction-limits.js';
import type { CleanMemo } from './clean-memo.js';

export interface ProtectGate {
  /** Copies of the spans with allow-listed names, keys and events, every string redacted, and `resource`. */
  spans(spans: readonly ReadableSpan[], resource: Resource): ReadableSpan[];
  /** Catalog metrics only, point attributes allow-listed and redacted, with `resource`. */
  metrics(rm: ResourceMetrics, resource: Resource): ResourceMetrics;
  /**
   * The resource's attributes exactly as the allow-list permits: unknown keys dropped, strings
   * redacted. Plain data, so the short-run exit path needs no OpenTelemetry SDK to use it.
   */
  resource(attributes: Record<string, unknown>): Attributes;
  /** Saves the resource values found clean this run (clean-memo.ts), if any are new. Never throws. */
  saveCleanMemo(): void;
}

/** Per-key output caps; everything else gets MAX_STRING_LENGTH. */
const CAPS: ReadonlyMap<string, number> = new Map([['exception.stacktrace', MAX_STACK_LENGTH]]);

// Metric points carry the same attribute values at every export: remember recent results.
const CACHE_ENTRIES = 1024;
const CACHE_MAX_INPUT = 512;

// Random IDs the agent generates itself look like secrets to the redactor (hex): instead of
// redacting them they must be exactly a UUID, or they are dropped.
const GENERATED_IDS = ['service.instance.id', 'telemetry.install.id'];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const REDACTED_RESOURCE_KEYS: ReadonlySet<string> = new Set([...ALLOWED_RESOURCE_KEYS].filter((k) => !GENERATED_IDS.includes(k)));
const ALLOWED_METRICS: ReadonlySet<string> = new Set(METRIC_NAMES);

/** `clean`: resource values this redactor returned unchanged in earlier runs (clean-memo.ts). */
export function createProtectGate(redactor: Redactor, clean?: CleanMemo): ProtectGate {
  const cache = new Map<string, string>();

  /** The single call of the redactor. */
  function protectText(value: string, key: string, resource = false): string {
    const cap = CAPS.get(key) ?? MAX_STRING_LENGTH;
    const memo = value.length <= CACHE_MAX_INPUT && cap === MAX_STRING_LENGTH;
    if (memo) {
      const hit = cache.get(value);
      if (hit !== undefined) return hit;
      if (resource && clean?.has(value)) return value;
    }
    const out = redactor(value, cap);
    if (memo) {
      if (cache.size >= CACHE_ENTRIES) cache.delete(cache.keys().next().value!);
      cache.set(value, out);
      if (resource && out === value) clean?.add(value);
    }
    return out;
  }

  function protectAttributes(attrs: Record<string, unknown> | undefined, allowed: ReadonlySet<string>, resource = false): Attributes {
    const out = allowedAttributes(attrs, allowed) as Record<string, AllowedValue>;
    for (const key of Object.keys(out)) {
      const v = out[key];
      if (typeof v === 'string') out[key] = protectText(v, key, resource);
      else if (Array.isArray(v) && typeof v[0] === 'string') out[key] = (v as string[]).map((x) => protectText(x, key, resource));
    }
    return out as Attributes;
  }

  return {
    spans(spans, resource) {
      const out: ReadableSpan[] = [];
      for (const s of spans) {
        // Generative spans are named `{operation} {model}`: kept only when the name is built from
        // their own attributes, and sent rebuilt from the protected ones, so the name carries
        // nothing the (allow-listed, redacted) attributes do not.
        const generative = !ALLOWED_SPAN_NAMES.has(s.name);
        if (generative && !isGenAiSpanName(s.name, s.attributes)) continue;
        const ctx = s.spanContext();
        const attributes = protectAttributes(s.attributes, ALLOWED_SIGNAL_KEYS);
        const model = attributes[GENAI_ATTR.requestModel];
        out.push({
          name: generative
            ? genAiSpanName(attributes[GENAI_ATTR.operationName] as GenAiOperation, typeof model === 'string' ? model : undefined)
            : s.name,
          kind: s.kind,
          spanContext: () => ctx,
          parentSpanContext: s.parentSpanContext,
          startTime: s.startTime,
          endTime: s.endTime,
          duration: s.duration,
          ended: s.ended,
          status: s.status.message === undefined ? { code: s.status.code } : { code: s.status.code, message: protectText(s.status.message, 'exception.message') },
          attributes,
          links: [],
          events: s.events.filter((e) => ALLOWED_EVENT_NAMES.has(e.name)).map((e): TimedEvent => ({
            name: e.name,
            time: e.time,
            attributes: protectAttributes(e.attributes ?? {}, ALLOWED_SIGNAL_KEYS),
            droppedAttributesCount: 0,
          })),
          resource,
          instrumentationScope: s.instrumentationScope,
          droppedAttributesCount: s.droppedAttributesCount,
          droppedEventsCount: s.droppedEventsCount,
          droppedLinksCount: s.links.length + s.droppedLinksCount,
        });
      }
      return out;
    },

    metrics(rm, resource) {
      return {
        resource,
        scopeMetrics: rm.scopeMetrics.map((sm) => ({
          scope: sm.scope,
          metrics: sm.metrics
            .filter((m) => ALLOWED_METRICS.has(m.descriptor.name))
            .map((m) => ({
              ...m,
              dataPoints: m.dataPoints.map((p) => ({ ...p, attributes: protectAttributes(p.attributes, ALLOWED_SIGNAL_KEYS) })),
            })) as ResourceMetrics['scopeMetrics'][number]['metrics'],
        })),
      };
    },

    saveCleanMemo() {
      clean?.save();
    },

    resource(attributes) {
      const safe: Record<string, unknown> = protectAttributes(attributes, REDACTED_RESOURCE_KEYS, true);
      for (const key of GENERATED_IDS) {
        const v = attributes[key];
        if (typeof v === 'string' && UUID.test(v)) safe[key] = v;
      }
      return safe as Attributes;
    },
  };
}
