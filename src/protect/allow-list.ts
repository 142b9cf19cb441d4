import { FORBIDDEN_RESOURCE_KEYS, RESOURCE_KEYS, SIGNAL_ATTRIBUTE_KEYS, SPAN_EVENT_NAMES, SPAN_NAMES } from '../catalog.js';

// Sets built once from the catalog: the only place that decides which keys may leave.
export const ALLOWED_RESOURCE_KEYS: ReadonlySet<string> = new Set(RESOURCE_KEYS.filter((k) => !FORBIDDEN_RESOURCE_KEYS.includes(k)));
export const ALLOWED_SIGNAL_KEYS: ReadonlySet<string> = new Set(SIGNAL_ATTRIBUTE_KEYS);
export const ALLOWED_SPAN_NAMES: ReadonlySet<string> = new Set(SPAN_NAMES);
/** Span event names the agent creates. */
export const ALLOWED_EVENT_NAMES: ReadonlySet<string> = new Set(SPAN_EVENT_NAMES);
