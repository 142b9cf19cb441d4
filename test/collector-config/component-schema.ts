// Checks a component's configuration against component-schemas.json (keys and value types of
// the collector's own configuration definitions, compiled by scripts/collector-component-schemas.mjs).
// The collector decodes strictly: an unknown key is an error, and a YAML integer is not turned
// into a string (nor a string into an integer), so neither is accepted here.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, componentType, type Kind } from './helpers.js';

export type SchemaNode =
  | { t: 'string'; enum?: string[] }
  | { t: 'int' | 'number' | 'bool' | 'duration' | 'any'; unresolved?: boolean }
  | { t: 'list' | 'map'; of: SchemaNode }
  | { t: 'object'; keys: Record<string, SchemaNode>; include?: string[] }
  | { t: 'oneOf'; of: SchemaNode[] }
  | { ref: string };

export interface ComponentSchemas {
  readonly source: { version: string; core: string; contrib: string };
  readonly components: Record<Kind, Record<string, SchemaNode>>;
  readonly unresolved: string[];
  readonly defs: Record<string, SchemaNode>;
}

export const SCHEMAS: ComponentSchemas = JSON.parse(readFileSync(join(ROOT, 'test', 'collector-config', 'component-schemas.json'), 'utf8'));

/** A whole value that is one `${env:NAME}` / `${env:NAME:-default}` / `${NAME}`: typed only at run time. */
const ENV_REFERENCE = /^\$\{(?:env:)?[A-Za-z_][A-Za-z0-9_]*(?::-[^}]*)?\}$/;
/** Go's time.ParseDuration syntax. */
const GO_DURATION = /^[-+]?(?:0|(?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))(?:(?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))*$/;

/** Every problem of one component's configuration, as "path: what is wrong" lines. */
export function checkComponent(kind: Kind, id: string, config: unknown, schemas: ComponentSchemas = SCHEMAS): string[] {
  const type = componentType(id);
  const schema = schemas.components[kind]?.[type];
  if (!schema) return [`${kind}.${id}: no schema for ${kind} type "${type}" in component-schemas.json (add it to COMPONENTS in scripts/collector-component-schemas.mjs)`];
  const problems: string[] = [];
  check(schema, config, `${kind}.${id}`, schemas, problems);
  return problems;
}

function resolve(node: SchemaNode, schemas: ComponentSchemas): Exclude<SchemaNode, { ref: string }> {
  let n = node;
  for (let i = 0; 'ref' in n; i++) {
    if (i > 20) throw new Error(`reference loop at ${n.ref}`);
    n = schemas.defs[n.ref];
    if (!n) throw new Error(`component-schemas.json has no definition ${(node as { ref: string }).ref}`);
  }
  return n;
}

/** Keys of an object node, with those of its squashed (included) structs. */
function objectKeys(node: { keys: Record<string, SchemaNode>; include?: string[] }, schemas: ComponentSchemas): { keys: Record<string, SchemaNode>; open: boolean } {
  const keys: Record<string, SchemaNode> = { ...node.keys };
  let open = false;
  for (const ref of node.include ?? []) {
    const part = resolve({ ref }, schemas);
    if (part.t === 'object') {
      const inner = objectKeys(part, schemas);
      Object.assign(keys, inner.keys);
      open ||= inner.open;
    } else open = true; // squashed from a definition we could not resolve
  }
  return { keys, open };
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `${typeof value === 'number' ? (Number.isInteger(value) ? 'an integer' : 'a float') : `a ${typeof value}`} (${JSON.stringify(value)})`;
}

function check(node: SchemaNode, value: unknown, path: string, schemas: ComponentSchemas, problems: string[]): void {
  const n = resolve(node, schemas);
  // An empty value (`key:` or `key: {}`) leaves the default: fine for every type.
  if (value === null || value === undefined) return;
  const envRef = typeof value === 'string' && ENV_REFERENCE.test(value);
  const expected = (what: string): void => {
    problems.push(`${path}: expected ${what}, got ${describe(value)}`);
  };
  switch (n.t) {
    case 'any':
      if (n.unresolved) problems.push(`${path}: uses a part of the component whose schema is not in component-schemas.json (see its "unresolved"); add the definition before using it`);
      return;
    case 'string':
      if (typeof value !== 'string') return expected('a string (quote it)');
      if (n.enum && !envRef && !n.enum.includes(value.toLowerCase())) problems.push(`${path}: "${value}" is not one of ${n.enum.join(', ')}`);
      return;
    case 'int':
      if (!(Number.isInteger(value) || envRef)) expected('an integer');
      return;
    case 'number':
      if (!(typeof value === 'number' || envRef)) expected('a number');
      return;
    case 'bool':
      if (!(typeof value === 'boolean' || envRef)) expected('true or false');
      return;
    case 'duration':
      if (!(typeof value === 'string' && (GO_DURATION.test(value) || envRef))) expected('a duration such as "5s" or "250ms"');
      return;
    case 'list':
      if (!Array.isArray(value)) return expected('a list');
      value.forEach((item, i) => check(n.of, item, `${path}[${i}]`, schemas, problems));
      return;
    case 'map':
      if (typeof value !== 'object' || Array.isArray(value)) return expected('a mapping');
      for (const [k, v] of Object.entries(value)) check(n.of, v, `${path}.${k}`, schemas, problems);
      return;
    case 'oneOf': {
      const attempts = n.of.map((option) => {
        const found: string[] = [];
        check(option, value, path, schemas, found);
        return found;
      });
      if (!attempts.some((a) => a.length === 0)) problems.push(...attempts.sort((a, b) => a.length - b.length)[0]);
      return;
    }
    case 'object': {
      if (typeof value !== 'object' || Array.isArray(value)) return expected('a mapping');
      const { keys, open } = objectKeys(n, schemas);
      for (const [k, v] of Object.entries(value)) {
        if (k in keys) check(keys[k], v, `${path}.${k}`, schemas, problems);
        else if (open) problems.push(`${path}.${k}: cannot be checked (part of the component's schema is unresolved)`);
        else problems.push(`${path}.${k}: unknown key (known: ${Object.keys(keys).sort().join(', ')})`);
      }
    }
  }
}
