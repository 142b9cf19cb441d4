// Which keys may leave: sets built once from the catalog, the only place that decides it.
// This file never changes a value (redaction is the gate's job, see gate.ts): it drops keys that
// are not listed and values OpenTelemetry cannot carry.
import { FORBIDDEN_RESOURCE_KEYS, RESOURCE_KEYS, SIGNAL_ATTRIBUTE_KEYS, SPAN_EVENT_NAMES, SPAN_NAMES } from '../catalog.js';

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
/** Attribute arrays longer than this are cut. */
export const MAX_ARRAY_LENGTH = 128;

export type AllowedValue = string | number | boolean | string[] | number[];

/**
 * Keeps only allow-listed keys (others are dropped, not redacted), with values OpenTelemetry can
 * carry: strings, booleans, finite numbers, all-string or all-number arrays (cut to
 * MAX_ARRAY_LENGTH). Objects, bigint, null and mixed arrays are dropped. Never throws.
 */
export function allowedAttributes(attrs: Record<string, unknown> | undefined, allowedKeys: ReadonlySet<string> = ALLOWED_SIGNAL_KEYS): Record<string, AllowedValue> {
  const out: Record<string, AllowedValue> = {};
  if (attrs === null || typeof attrs !== 'object') return out;
  let keys: string[];
  try {
    keys = Object.keys(attrs);
  } catch {
    return out;
  }
  for (const key of keys) {
    try {
      if (!allowedKeys.has(key)) continue;
      const v: unknown = attrs[key];
      let safe: AllowedValue | undefined;
      if (typeof v === 'string' || typeof v === 'boolean') safe = v;
      else if (typeof v === 'number') safe = Number.isFinite(v) ? v : undefined;
      else if (Array.isArray(v)) {
        const items = v.slice(0, MAX_ARRAY_LENGTH);
        if (items.every((x) => typeof x === 'string')) safe = items as string[];
        else if (items.every((x) => typeof x === 'number')) safe = (items as number[]).filter((x) => Number.isFinite(x));
      }
      // defineProperty: a key named `__proto__` must not touch the prototype.
      if (safe !== undefined) Object.defineProperty(out, key, { value: safe, enumerable: true, writable: true, configurable: true });
    } catch {
      /* drop the key */
    }
  }
  return out;
}
