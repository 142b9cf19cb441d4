// The resource that leaves the process, one definition for the pipeline (agent.ts) and the
// short-run exit path (short-run.ts): the allow-listed attributes through the protect gate, then
// OTEL_RESOURCE_ATTRIBUTES (the user's own stack only: empty for embedding tools) attached as
// given. It is what the SDK's `resource.merge(user)` makes: the user's attributes first and winning.
import { resourceAttributes, userResourceAttributes, type ResourceInputs } from '../collect/resource-attributes.js';
import type { ProtectGate } from '../protect/gate.js';
import type { ResourceValue } from './otlp-json-gauges.js';

export function exportedResourceAttributes(gate: ProtectGate, inputs: ResourceInputs, userAttributes: Readonly<Record<string, string>>): Record<string, ResourceValue> {
  const out: Record<string, ResourceValue> = { ...userResourceAttributes(userAttributes) };
  for (const [key, value] of Object.entries(gate.resource(resourceAttributes(inputs)))) {
    if (!Object.hasOwn(out, key)) out[key] = value as ResourceValue;
  }
  return out;
}
