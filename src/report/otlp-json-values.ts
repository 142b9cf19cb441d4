// Reading values out of OTLP JSON written by any producer (this receiver, the Collector's file
// exporter, an SDK): int64 may be a number or a string, enums may be numbers or names, and any
// field may be missing. Nothing here throws on odd input.

export type AttrValue = string | number | boolean | null | AttrValue[] | { [key: string]: AttrValue };
export type Attrs = Record<string, AttrValue>;

export function obj(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

export function arr(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

export function str(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/** A JSON number, or a decimal string such as an int64 or "NaN"; undefined otherwise. */
export function num(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && value.trim() !== '') {
    const n = Number(value);
    return Number.isNaN(n) && value !== 'NaN' ? undefined : n;
  }
  return undefined;
}

/** Unix nanoseconds (number or string) to milliseconds; 0 when absent. */
export function nanosToMs(value: unknown): number {
  if (typeof value === 'string' && /^\d{7,}$/.test(value)) {
    // Split so large values keep microsecond precision in a double.
    return Number(value.slice(0, -6)) + Number(value.slice(-6)) / 1e6;
  }
  const n = num(value);
  return n === undefined || !Number.isFinite(n) ? 0 : n / 1e6;
}

/** Deeper arrays and maps are cut here: the input comes from the network, and a report needs no more. */
export const MAX_VALUE_DEPTH = 16;
export const TOO_DEEP = '[nested too deep]';

export function anyValue(value: unknown, depth = 0): AttrValue {
  const v = obj(value);
  if ('stringValue' in v) return str(v.stringValue);
  if ('boolValue' in v) return v.boolValue === true;
  if ('intValue' in v) return num(v.intValue) ?? null;
  if ('doubleValue' in v) return num(v.doubleValue) ?? null;
  if ('arrayValue' in v) return depth >= MAX_VALUE_DEPTH ? TOO_DEEP : arr(obj(v.arrayValue).values).map((x) => anyValue(x, depth + 1));
  if ('kvlistValue' in v) return depth >= MAX_VALUE_DEPTH ? TOO_DEEP : attributes(obj(v.kvlistValue).values, depth + 1);
  if ('bytesValue' in v) return str(v.bytesValue);
  return null;
}

export function attributes(list: unknown, depth = 0): Attrs {
  const out: Attrs = {};
  for (const kv of arr(list)) {
    const key = str(obj(kv).key);
    if (key) out[key] = anyValue(obj(kv).value, depth);
  }
  return out;
}

/** A short text form of an attribute value, for labels and tables. */
export function attrText(value: AttrValue | undefined): string {
  if (value === undefined || value === null) return '';
  if (Array.isArray(value)) return value.map(attrText).join(', ');
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** Status and temporality enums arrive as numbers, or as names from some JSON encoders. */
export function enumValue(value: unknown, names: readonly string[]): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string') {
    const index = names.indexOf(value);
    if (index >= 0) return index;
    return num(value) ?? 0;
  }
  return 0;
}

export const STATUS_CODES = ['STATUS_CODE_UNSET', 'STATUS_CODE_OK', 'STATUS_CODE_ERROR'] as const;
export const TEMPORALITIES = ['AGGREGATION_TEMPORALITY_UNSPECIFIED', 'AGGREGATION_TEMPORALITY_DELTA', 'AGGREGATION_TEMPORALITY_CUMULATIVE'] as const;
export const STATUS_ERROR = 2;
export const TEMPORALITY_DELTA = 1;
