import type { Attributes } from '@opentelemetry/api';
import type { Resource } from '@opentelemetry/resources';
import type { ReadableSpan, TimedEvent } from '@opentelemetry/sdk-trace';
import { ALLOWED_EVENT_NAMES, ALLOWED_SIGNAL_KEYS, ALLOWED_SPAN_NAMES } from './allow-list.js';
import { redactAttributes } from './redact.js';

type Redact = (s: string) => string;

/**
 * The last gate before serialisation: a copy of the span with only allow-listed names and keys,
 * every string redacted, and the agent's resource. Spans with names outside the catalog are dropped.
 */
export function protectSpans(spans: readonly ReadableSpan[], resource: Resource, redact: Redact): ReadableSpan[] {
  const out: ReadableSpan[] = [];
  for (const s of spans) {
    if (!ALLOWED_SPAN_NAMES.has(s.name)) continue;
    const ctx = s.spanContext();
    out.push({
      name: s.name,
      kind: s.kind,
      spanContext: () => ctx,
      parentSpanContext: s.parentSpanContext,
      startTime: s.startTime,
      endTime: s.endTime,
      duration: s.duration,
      ended: s.ended,
      status: s.status.message === undefined ? { code: s.status.code } : { code: s.status.code, message: redact(s.status.message) },
      attributes: redactAttributes(s.attributes, ALLOWED_SIGNAL_KEYS, redact) as Attributes,
      links: [],
      events: s.events.filter((e) => ALLOWED_EVENT_NAMES.has(e.name)).map((e): TimedEvent => ({
        name: e.name,
        time: e.time,
        attributes: redactAttributes(e.attributes ?? {}, ALLOWED_SIGNAL_KEYS, redact) as Attributes,
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
}
