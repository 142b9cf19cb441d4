// A tool's telemetry, described once: what start() enforces, what consent() and the notice
// name, and what `telemetry-agent docs` publishes. One object (or the same as JSON), so the
// page cannot say something the code does not do.
import { isProductName } from '../decide/paths.js';

/** A string attribute is never free text: it takes one of the declared values. */
export interface StringAttribute {
  readonly type: 'string';
  readonly values: readonly string[];
  /** One line for the telemetry page. */
  readonly description?: string;
}
export interface NumberAttribute {
  readonly type: 'number';
  /** e.g. `ms`, `By`, `{file}`; shown on the page. */
  readonly unit?: string;
  readonly description?: string;
}
export interface BooleanAttribute {
  readonly type: 'boolean';
  readonly description?: string;
}
export type UsageAttribute = StringAttribute | NumberAttribute | BooleanAttribute;

/** An event's attributes, by name. */
export type UsageEvent = Readonly<Record<string, UsageAttribute>>;

export interface TelemetryDescription {
  /** Namespace of consent, install ID and queue; defaults to serviceName (lower-cased). */
  readonly product?: string;
  readonly serviceName?: string;
  readonly serviceVersion?: string;
  /** OTLP/HTTP base URL of the maintainers' collector. */
  readonly endpoint?: string;
  /** The tool's own opt-out variables (DO_NOT_TRACK and TELEMETRY_AGENT_DISABLED always count too). */
  readonly optOutEnv?: readonly string[];
  /** The tool's own enable variables. */
  readonly enableEnv?: readonly string[];
  readonly consentDefault?: 'opt-in' | 'opt-out';
  /** Why the data is collected, in the maintainers' words. */
  readonly why?: string;
  /** Where to send deletion requests (an e-mail address or a URL). */
  readonly deletionContact?: string;
  /** How long data is kept, in words. */
  readonly retention?: string;
  /** Where the tool publishes its telemetry page; the notice points there. */
  readonly docsUrl?: string;
  /** The tool's own consent command, e.g. `acme telemetry` (then `acme telemetry enable`, …). */
  readonly consentCommand?: string;
  /** Usage events the tool records with recordUsage(), and the attributes each may carry. */
  readonly events?: Readonly<Record<string, UsageEvent>>;
  /** CLI commands the tool times with recordCommand(). */
  readonly commands?: readonly string[];
  /** Organisations whose model ids are public and may be sent as-is (added to the defaults). */
  readonly publicModelOrgs?: readonly string[];
}

/** Event and attribute names: simple identifiers, so they are the same in every backend. */
export const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Values of string attributes: short, no spaces or slashes (never a path, a sentence or an ID). */
const ENUM_VALUE = /^[A-Za-z0-9_.:+-]{1,64}$/;
/** Event names the agent itself uses on `usage` spans. */
export const RESERVED_EVENTS: readonly string[] = ['command'];
/** Attribute names the agent itself uses on `usage` spans (`usage.name`, `usage.command`). */
export const RESERVED_ATTRIBUTES: readonly string[] = ['name', 'command'];

const KNOWN_FIELDS = new Set(['product', 'serviceName', 'serviceVersion', 'endpoint', 'optOutEnv', 'enableEnv', 'consentDefault', 'why', 'deletionContact', 'retention', 'docsUrl', 'consentCommand', 'events', 'commands', 'publicModelOrgs', '$schema']);
const ATTRIBUTE_FIELDS: Record<string, readonly string[]> = { string: ['type', 'values', 'description'], number: ['type', 'unit', 'description'], boolean: ['type', 'description'] };

/**
 * Every problem of a description, each a sentence naming the field and the fix; empty when it
 * is valid. Accepts anything (parsed JSON included).
 */
export function validateDescription(d: unknown): string[] {
  const errors: string[] = [];
  if (typeof d !== 'object' || d === null || Array.isArray(d)) return ['the description must be an object like { product, serviceName, events: { … } }'];
  const o = d as Record<string, unknown>;
  for (const key of Object.keys(o)) if (!KNOWN_FIELDS.has(key)) errors.push(`unknown field "${key}"; known fields: ${[...KNOWN_FIELDS].filter((k) => k !== '$schema').join(', ')}`);
  const str = (key: string) => {
    if (o[key] !== undefined && (typeof o[key] !== 'string' || (o[key] as string).trim() === '')) errors.push(`"${key}" must be a non-empty string`);
  };
  for (const key of ['product', 'serviceName', 'serviceVersion', 'endpoint', 'why', 'deletionContact', 'retention', 'docsUrl', 'consentCommand']) str(key);
  if (typeof o.product === 'string' && !isProductName(o.product)) errors.push(`"product": ${JSON.stringify(o.product)} is not a product name; use lower-case letters, digits, ".", "_" or "-" (e.g. "acme")`);
  if (typeof o.endpoint === 'string' && !/^https?:\/\/[^\s]+$/.test(o.endpoint)) errors.push(`"endpoint": ${JSON.stringify(o.endpoint)} is not an http(s) URL; give the base URL of your collector, e.g. "https://telemetry.acme.dev"`);
  for (const key of ['optOutEnv', 'enableEnv']) {
    const v = o[key];
    if (v === undefined) continue;
    if (!Array.isArray(v)) errors.push(`"${key}" must be a list of environment variable names, e.g. ["ACME_TELEMETRY_DISABLED"]`);
    else for (const name of v) if (typeof name !== 'string' || !ENV_NAME.test(name)) errors.push(`"${key}": ${JSON.stringify(name)} is not an environment variable name`);
  }
  if (o.consentDefault !== undefined && o.consentDefault !== 'opt-in' && o.consentDefault !== 'opt-out') errors.push(`"consentDefault" must be "opt-in" or "opt-out", not ${JSON.stringify(o.consentDefault)}`);
  if (o.commands !== undefined) {
    if (!Array.isArray(o.commands)) errors.push('"commands" must be a list of command names, e.g. ["optimize"]');
    else for (const c of o.commands) if (typeof c !== 'string' || !IDENTIFIER.test(c)) errors.push(`"commands": ${JSON.stringify(c)} is not a simple identifier (letters, digits, "_"; not starting with a digit)`);
  }
  if (o.publicModelOrgs !== undefined && (!Array.isArray(o.publicModelOrgs) || o.publicModelOrgs.some((x) => typeof x !== 'string'))) errors.push('"publicModelOrgs" must be a list of organisation names');
  if (o.events !== undefined) {
    if (typeof o.events !== 'object' || o.events === null || Array.isArray(o.events)) errors.push('"events" must map event names to their attributes, e.g. { "optimize": { "compiler": { "type": "string", "values": ["onnxruntime"] } } }');
    else for (const [event, attrs] of Object.entries(o.events)) errors.push(...validateEvent(event, attrs));
  }
  return errors;
}

function validateEvent(event: string, attrs: unknown): string[] {
  const errors: string[] = [];
  const at = `event "${event}"`;
  if (!IDENTIFIER.test(event)) errors.push(`${at}: the name is not a simple identifier (letters, digits, "_"; not starting with a digit), e.g. "optimize"`);
  if (RESERVED_EVENTS.includes(event)) errors.push(`${at}: "${event}" is reserved (recordCommand() records commands); pick another name`);
  if (typeof attrs !== 'object' || attrs === null || Array.isArray(attrs)) return [...errors, `${at}: must map attribute names to { "type": … }`];
  for (const [name, spec] of Object.entries(attrs)) {
    const where = `${at}, attribute "${name}"`;
    if (!IDENTIFIER.test(name)) errors.push(`${where}: the name is not a simple identifier (letters, digits, "_"; not starting with a digit), e.g. "latency_ms"`);
    if (RESERVED_ATTRIBUTES.includes(name)) errors.push(`${where}: "${name}" is reserved (usage.${name} is set by the agent); pick another name`);
    if (typeof spec !== 'object' || spec === null) {
      errors.push(`${where}: must be { "type": "string" | "number" | "boolean", … }`);
      continue;
    }
    const s = spec as Record<string, unknown>;
    const fields = ATTRIBUTE_FIELDS[String(s.type)];
    if (!fields) {
      errors.push(`${where}: unknown type ${JSON.stringify(s.type)}; use "string" (with "values"), "number" (optional "unit") or "boolean"`);
      continue;
    }
    for (const key of Object.keys(s)) if (!fields.includes(key)) errors.push(`${where}: unknown field "${key}" for type ${s.type} (allowed: ${fields.join(', ')})`);
    if (s.description !== undefined && typeof s.description !== 'string') errors.push(`${where}: "description" must be a string`);
    if (s.type === 'string') {
      if (!Array.isArray(s.values) || s.values.length === 0) errors.push(`${where}: a string attribute needs "values", the list of every value it may take (strings are never free text)`);
      else for (const v of s.values) if (typeof v !== 'string' || !ENUM_VALUE.test(v)) errors.push(`${where}: value ${JSON.stringify(v)} is not allowed; values are 1–64 letters, digits or . _ : + - (no spaces, slashes or free text)`);
    }
    if (s.type === 'number' && s.unit !== undefined && (typeof s.unit !== 'string' || !/^[A-Za-z0-9{}_./%-]{1,32}$/.test(s.unit))) errors.push(`${where}: "unit" must be a short unit like "ms", "By" or "{file}"`);
  }
  return errors;
}

/** The OTLP attribute key an event's declared attribute is sent under. */
export const usageKey = (attribute: string): string => `usage.${attribute}`;

/** Every key recordUsage() may send for this description (the allow-list adds them at start()). */
export function declaredUsageKeys(d: Pick<TelemetryDescription, 'events'>): string[] {
  const keys = new Set<string>();
  for (const attrs of Object.values(d.events ?? {})) for (const name of Object.keys(attrs)) if (IDENTIFIER.test(name) && !RESERVED_ATTRIBUTES.includes(name)) keys.add(usageKey(name));
  return [...keys];
}
