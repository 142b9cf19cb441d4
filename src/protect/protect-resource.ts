import { resourceFromAttributes, type Resource } from '@opentelemetry/resources';
import { ALLOWED_RESOURCE_KEYS } from './allow-list.js';
import { redactAttributes } from './redact.js';

// Random IDs the agent generates itself. They look like secrets to the redactor (long hex), so
// instead of redacting them they must be exactly a UUID, or they are dropped.
const GENERATED_IDS = ['service.instance.id', 'telemetry.install.id'];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const REDACTED_KEYS: ReadonlySet<string> = new Set([...ALLOWED_RESOURCE_KEYS].filter((k) => !GENERATED_IDS.includes(k)));

/** The resource exactly as the allow-list permits: unknown keys dropped, strings redacted. */
export function protectResource(redact: (s: string) => string, attributes: Record<string, unknown>): Resource {
  const safe: Record<string, unknown> = redactAttributes(attributes, REDACTED_KEYS, redact);
  for (const key of GENERATED_IDS) {
    const v = attributes[key];
    if (typeof v === 'string' && UUID.test(v)) safe[key] = v;
  }
  return resourceFromAttributes(safe as Parameters<typeof resourceFromAttributes>[0]);
}
