import { resourceFromAttributes, type Resource } from '@opentelemetry/resources';
import { ALLOWED_RESOURCE_KEYS } from './allow-list.js';
import { redactAttributes } from './redact.js';

/** The resource exactly as the allow-list permits: unknown keys dropped, strings redacted. */
export function protectResource(attributes: Record<string, unknown>): Resource {
  return resourceFromAttributes(redactAttributes(attributes, ALLOWED_RESOURCE_KEYS), { schemaUrl: undefined });
}
