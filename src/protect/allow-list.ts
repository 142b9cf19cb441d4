import { FORBIDDEN_RESOURCE_KEYS, RESOURCE_KEYS, SIGNAL_ATTRIBUTE_KEYS, SPAN_EVENT_NAMES, SPAN_NAMES } from '../catalog.js';

// Sets built once from the catalog: the only place that decides which keys may leave.
export const ALLOWED_RESOURCE_KEYS: ReadonlySet<string> = new Set(RESOURCE_KEYS.filter((k) => !FORBIDDEN_RESOURCE_KEYS.includes(k)));
const signalKeys = new Set(SIGNAL_ATTRIBUTE_KEYS);
export const ALLOWED_SIGNAL_KEYS: ReadonlySet<string> = signalKeys;

/**
 * The attributes an embedding tool declared in the description it gave start() (`events`, sent
 * as `usage.<name>`) join the allow-list for this process. Only recordUsage() sets them, after
 * checking each value against that description.
 */
export function allowDeclaredUsageAttributes(events: unknown): void {
  if (events === null || typeof events !== 'object') return;
  for (const attrs of Object.values(events as Record<string, unknown>)) {
    if (attrs === null || typeof attrs !== 'object') continue;
    for (const name of Object.keys(attrs)) if (/^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(name) && name !== 'name' && name !== 'command') signalKeys.add(`usage.${name}`);
  }
}
export const ALLOWED_SPAN_NAMES: ReadonlySet<string> = new Set(SPAN_NAMES);
/** Span event names the agent creates. */
export const ALLOWED_EVENT_NAMES: ReadonlySet<string> = new Set(SPAN_EVENT_NAMES);
