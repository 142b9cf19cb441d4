// How environment variables are read: one place, so every rule agrees on what "set" means.

export type Env = Readonly<Record<string, string | undefined>>;

const TRUTHY = new Set(['1', 'true', 'yes', 'on']);
const FALSY = new Set(['0', 'false', 'no', 'off']);

/** Opt-out variables (DO_NOT_TRACK convention): any value but 0/false/empty means "opt out". */
export function isOptOutSet(value: string | undefined): boolean {
  if (value === undefined) return false;
  const v = value.trim().toLowerCase();
  return v !== '' && v !== '0' && v !== 'false';
}

export type Switch = 'on' | 'off' | 'unset' | 'invalid';

/** Explicit switches (TELEMETRY_AGENT_ENABLED): only well-known words count; anything else is a config error. */
export function readSwitch(value: string | undefined): Switch {
  if (value === undefined) return 'unset';
  const v = value.trim().toLowerCase();
  if (v === '') return 'unset';
  if (TRUTHY.has(v)) return 'on';
  if (FALSY.has(v)) return 'off';
  return 'invalid';
}

export function readPositiveInt(env: Env, name: string, fallback: number, warn: (line: string) => void, min = 0): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const n = Number(raw);
  if (Number.isFinite(n) && n >= min) return Math.floor(n);
  warn(`${name}=${JSON.stringify(raw)} is not a whole number${min > 0 ? ` of at least ${min}` : ''}; using ${fallback}. Set it like ${name}=${fallback}.`);
  return fallback;
}
