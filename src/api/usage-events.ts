// What recordUsage() may send: only declared events, only their declared attributes, only
// values of the declared type (and, for strings, of the declared set). Everything else is
// dropped here, before anything is recorded, and counted by reason.
import { usageKey, type TelemetryDescription } from './description.js';

export type DropReason = 'undeclared_event' | 'undeclared_attribute' | 'wrong_type' | 'value_not_allowed' | 'undeclared_command';

export interface CheckedUsage {
  /** The `usage` span's attributes, or undefined when the whole event is dropped. */
  readonly attributes: Record<string, string | number | boolean> | undefined;
  readonly dropped: ReadonlyMap<DropReason, number>;
}

export function checkUsage(d: Pick<TelemetryDescription, 'events'>, event: unknown, given: unknown): CheckedUsage {
  const dropped = new Map<DropReason, number>();
  const drop = (r: DropReason) => dropped.set(r, (dropped.get(r) ?? 0) + 1);
  const spec = typeof event === 'string' && d.events && Object.hasOwn(d.events, event) ? d.events[event] : undefined;
  if (!spec) {
    drop('undeclared_event');
    return { attributes: undefined, dropped };
  }
  const attributes: Record<string, string | number | boolean> = { 'usage.name': event as string };
  if (given !== null && typeof given === 'object') {
    for (const [name, value] of Object.entries(given as Record<string, unknown>)) {
      const a = Object.hasOwn(spec, name) ? spec[name] : undefined;
      if (!a) drop('undeclared_attribute');
      else if (a.type === 'string') {
        if (typeof value !== 'string') drop('wrong_type');
        else if (!a.values.includes(value)) drop('value_not_allowed');
        else attributes[usageKey(name)] = value;
      } else if (a.type === 'number') {
        if (typeof value !== 'number' || !Number.isFinite(value)) drop('wrong_type');
        else attributes[usageKey(name)] = value;
      } else if (typeof value !== 'boolean') drop('wrong_type');
      else attributes[usageKey(name)] = value;
    }
  }
  return { attributes, dropped };
}
