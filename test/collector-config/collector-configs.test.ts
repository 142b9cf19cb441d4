// Static checks of the collector configurations in collector-config/. A running collector
// (`otelcol-contrib validate`) is not available here, so these tests check what can be
// checked from the files: structure, pipeline wiring, component names of the pinned release
// (collector-config/otelcol-contrib-0.159.0-components.tsv, whose header cites its sources:
// the otelcol-contrib 0.159.0 manifest and each component's metadata.yaml) and the privacy
// scrub against src/catalog.ts.
import { describe, expect, it } from 'vitest';
import { FORBIDDEN_RESOURCE_KEYS, RESOURCE_KEYS, SIGNAL_ATTRIBUTE_KEYS } from '../../src/catalog.js';
import { COLLECTOR_CONFIGS, KINDS, componentType, re2ToJs, readText, readYaml, releaseComponents } from './helpers.js';
import { checkComponent, SCHEMAS } from './component-schema.js';

/** Configs that receive straight from agents: they must drop every forbidden key. */
const ENTRY_CONFIGS = ['collector-config/edge.yaml', 'collector-config/gateway.yaml'];
/** Configs that mask personal data and secrets in values. */
const REDACTING_CONFIGS = ['collector-config/edge.yaml', 'collector-config/gateway-backend.yaml'];

// Types used although the tsv lacks them: only those whose 0.159.0 name the tsv's own
// comments give as the likely one. Each is flagged in the config that uses it.
const UNVERIFIED_TYPES: Record<string, string[]> = { exporters: ['load_balancing'] };

const pipelinesOf = (config: any): [string, any][] => Object.entries(config.service.pipelines);

describe.each(COLLECTOR_CONFIGS)('%s', (file) => {
  const config = readYaml(file);

  it('parses to a config with a service and at least one pipeline', () => {
    expect(config).toBeTypeOf('object');
    expect(pipelinesOf(config).length).toBeGreaterThan(0);
  });

  it('references only declared components, and uses every declared one', () => {
    const used = new Map<string, Set<string>>(KINDS.map((k) => [k, new Set<string>()]));
    for (const [name, pipeline] of pipelinesOf(config)) {
      for (const kind of ['receivers', 'processors', 'exporters'] as const) {
        for (const id of pipeline[kind] ?? []) {
          // A connector is both an exporter of one pipeline and a receiver of another.
          const declaredAs = id in (config[kind] ?? {}) ? kind : id in (config.connectors ?? {}) ? 'connectors' : undefined;
          expect(declaredAs, `${name}.${kind} uses undeclared ${id}`).toBeDefined();
          used.get(declaredAs!)!.add(id);
        }
      }
      expect(pipeline.receivers?.length, `${name} has no receiver`).toBeGreaterThan(0);
      expect(pipeline.exporters?.length, `${name} has no exporter`).toBeGreaterThan(0);
    }
    for (const id of config.service.extensions ?? []) {
      expect(Object.keys(config.extensions ?? {})).toContain(id);
      used.get('extensions')!.add(id);
    }
    for (const kind of KINDS) {
      expect([...used.get(kind)!].sort(), `unused ${kind}`).toEqual(Object.keys(config[kind] ?? {}).sort());
    }
  });

  it(`sets only keys the collector knows, each with the type it decodes (component-schemas.json, otelcol ${SCHEMAS.source.version})`, () => {
    const problems: string[] = [];
    for (const kind of KINDS) {
      for (const [id, componentConfig] of Object.entries(config[kind] ?? {})) problems.push(...checkComponent(kind, id, componentConfig));
    }
    expect(problems).toEqual([]);
  });

  it('puts memory_limiter first and batch last in every pipeline', () => {
    for (const [name, pipeline] of pipelinesOf(config)) {
      const types = (pipeline.processors as string[]).map(componentType);
      expect(types[0], name).toBe('memory_limiter');
      expect(types.at(-1), name).toBe('batch');
    }
  });

  it('uses only component types of otelcol-contrib 0.159.0', () => {
    const release = releaseComponents();
    for (const kind of KINDS) {
      for (const id of Object.keys(config[kind] ?? {})) {
        const type = componentType(id);
        if (UNVERIFIED_TYPES[kind]?.includes(type)) continue;
        expect(release.get(kind)!.has(type), `${kind} ${id} is not in the 0.159.0 list`).toBe(true);
      }
    }
  });

  it('never sets include_metadata (client IP and headers stay out of telemetry)', () => {
    const walk = (node: unknown, path: string): void => {
      if (node === null || typeof node !== 'object') return;
      for (const [key, value] of Object.entries(node)) {
        if (key === 'include_metadata') expect(value, `${path}.${key}`).not.toBe(true);
        walk(value, `${path}.${key}`);
      }
    };
    walk(config, file);
    // And the OTLP receiver is there to be checked at all.
    expect(Object.keys(config.receivers).map(componentType)).toContain('otlp');
  });
});

describe('unverified component types', () => {
  it('are still missing from the tsv rows, named as likely in its comments, and flagged where used', () => {
    const release = releaseComponents();
    const tsv = readText('collector-config/otelcol-contrib-0.159.0-components.tsv');
    for (const [kind, types] of Object.entries(UNVERIFIED_TYPES)) {
      for (const type of types) {
        expect(release.get(kind as any)!.has(type), `${type} is verified now: drop it from UNVERIFIED_TYPES`).toBe(false);
        expect(tsv).toMatch(new RegExp(`^#.*Likely ${type} `, 'm'));
        for (const file of COLLECTOR_CONFIGS) {
          const used = Object.keys(readYaml(file)[kind] ?? {}).some((id) => componentType(id) === type);
          if (used) expect(readText(file), `${file} should say ${type} is unverified`).toMatch(/NOT in otelcol-contrib-0\.159\.0-components\.tsv/);
        }
      }
    }
  });
});

describe.each(ENTRY_CONFIGS)('privacy scrub in %s', (file) => {
  const config = readYaml(file);
  const deletes = (actions: any[]) => actions.filter((a) => a.action === 'delete');
  const covers = (actions: any[], key: string) =>
    deletes(actions).some((a) => a.key === key || (a.pattern !== undefined && re2ToJs(a.pattern).test(key)));

  it('deletes every FORBIDDEN_RESOURCE_KEYS key from resources (resource/scrub)', () => {
    const actions = config.processors['resource/scrub'].attributes;
    for (const key of FORBIDDEN_RESOURCE_KEYS) expect(covers(actions, key), key).toBe(true);
  });

  it('deletes every FORBIDDEN_RESOURCE_KEYS key from span, log and data-point attributes (attributes/scrub)', () => {
    const actions = config.processors['attributes/scrub'].actions;
    for (const key of FORBIDDEN_RESOURCE_KEYS) expect(covers(actions, key), key).toBe(true);
  });

  it('deletes process.command* variants the catalog does not list yet', () => {
    const actions = config.processors['resource/scrub'].attributes;
    expect(covers(actions, 'process.command_future_variant')).toBe(true);
  });

  it('deletes nothing the catalog allows', () => {
    for (const actions of [config.processors['resource/scrub'].attributes, config.processors['attributes/scrub'].actions]) {
      for (const key of [...RESOURCE_KEYS, ...SIGNAL_ATTRIBUTE_KEYS]) expect(covers(actions, key), key).toBe(false);
    }
  });

  it('runs both scrubs in every pipeline, after memory_limiter and before batch', () => {
    for (const [name, pipeline] of pipelinesOf(config)) {
      const processors = pipeline.processors as string[];
      for (const scrub of ['resource/scrub', 'attributes/scrub']) {
        const at = processors.indexOf(scrub);
        expect(at, `${name} lacks ${scrub}`).toBeGreaterThan(0);
        expect(at, name).toBeLessThan(processors.length - 1);
      }
    }
  });
});

describe.each(REDACTING_CONFIGS)('redaction in %s', (file) => {
  const config = readYaml(file);
  const redaction = config.processors.redaction;
  const mask = (value: string) =>
    (redaction.blocked_values as string[]).reduce((v, p) => v.replace(re2ToJs(p), '****'), value);

  it('runs in every pipeline', () => {
    for (const [name, pipeline] of pipelinesOf(config)) expect(pipeline.processors, name).toContain('redaction');
  });

  it('keeps attributes (allow_all_keys with no allowed_keys) and does not list what it removed', () => {
    expect(redaction.allowed_keys ?? []).toEqual([]);
    expect(redaction.allow_all_keys).toBe(true);
    expect(redaction.summary).toBe('silent');
  });

  it.each([
    ['e-mail', 'contact jane.doe+ml@example.co.uk now'],
    ['IPv4', 'connect ECONNREFUSED 192.168.1.23:4318'],
    ['IPv6', 'listening on 2001:db8:85a3::8a2e:370:7334'],
    ['IPv6 full', 'fe80:0:0:0:202:b3ff:fe1e:8329'],
    ['OpenAI key', 'key=sk-proj-abcdefghijklmnopqrstuvwx'],
    ['Hugging Face token', 'hf_abcdefghijklmnopqrstuvwxyzABCDEF'],
    ['AWS key id', 'AKIAIOSFODNN7EXAMPLE'],
    ['GitHub token', 'ghp_abcdefghijklmnopqrstuvwxyz0123456789'],
    ['JWT', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl'],
    ['bearer', 'Authorization: Bearer abc.def-123'],
  ])('masks a value containing an %s', (_what, value) => {
    expect(mask(value)).toContain('****');
  });

  it.each([
    'Intel(R) Xeon(R) CPU @ 2.20GHz',
    'NVIDIA A100-SXM4-40GB',
    '24.9.0',
    '6.8.0-1014-aws',
    'Xenova/distilbert-base-uncased',
    '2026-11-23T12:30:45.123Z',
    '    at run (node_modules/@tensorflow/tfjs-core/dist/engine.js:45:12)',
  ])('leaves the ordinary value %j alone', (value) => {
    expect(mask(value)).toBe(value);
  });

  it('masks secret-named keys, but no key the catalog allows', () => {
    const keyMatches = (key: string) => (redaction.blocked_key_patterns as string[]).some((p) => re2ToJs(p).test(key));
    for (const key of ['api_key', 'http.request.header.authorization', 'OPENAI_API_KEY', 'db.password']) expect(keyMatches(key), key).toBe(true);
    for (const key of [...RESOURCE_KEYS, ...SIGNAL_ATTRIBUTE_KEYS]) expect(keyMatches(key), key).toBe(false);
  });
});

it('gateway-backend.yaml redacts exactly like edge.yaml, so the tiers cannot drift apart', () => {
  const backend = readYaml('collector-config/gateway-backend.yaml').processors.redaction;
  expect(backend).toEqual(readYaml('collector-config/edge.yaml').processors.redaction);
});

describe('gateway.yaml load balancing', () => {
  const config = readYaml('collector-config/gateway.yaml');
  const exporterOf = (pipeline: string) => {
    const ids: string[] = config.service.pipelines[pipeline].exporters;
    expect(ids.map(componentType)).toEqual(['load_balancing']);
    return config.exporters[ids[0]];
  };

  it('routes metrics by service and traces by trace ID', () => {
    expect(exporterOf('metrics').routing_key).toBe('service');
    expect(exporterOf('traces').routing_key).toBe('traceID');
  });

  it('finds the backends by DNS on the port gateway-backend.yaml listens on', () => {
    const backend = readYaml('collector-config/gateway-backend.yaml');
    const backendPort = Number(backend.receivers.otlp.protocols.grpc.endpoint.split(':').at(-1));
    for (const pipeline of ['traces', 'metrics']) {
      const dns = exporterOf(pipeline).resolver.dns;
      expect(dns.hostname).toMatch(/\$\{env:[A-Z_]+\}/);
      expect(dns.port).toBe(String(backendPort)); // a string: see the component schema check below
    }
  });
});

describe('the component schema check', () => {
  const gateway = readYaml('collector-config/gateway.yaml');
  const lb = gateway.exporters['load_balancing/traces'];

  it('refuses an integer where the collector expects a string (resolver.dns.port: 4317 unquoted)', () => {
    const unquoted = { ...lb, resolver: { dns: { ...lb.resolver.dns, port: 4317 } } };
    expect(checkComponent('exporters', 'load_balancing/traces', unquoted)).toEqual([
      'exporters.load_balancing/traces.resolver.dns.port: expected a string (quote it), got an integer (4317)',
    ]);
    expect(checkComponent('exporters', 'load_balancing/traces', lb)).toEqual([]);
  });

  it('refuses an unknown or misspelt key at any depth, and names the known ones', () => {
    const problems = checkComponent('exporters', 'load_balancing/traces', { ...lb, protocol: { otlp: { ...lb.protocol.otlp, tls: { insecure: true, insecure_skip_verifyy: true } } } });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^exporters\.load_balancing\/traces\.protocol\.otlp\.tls\.insecure_skip_verifyy: unknown key \(known: .*insecure_skip_verify/);
    expect(checkComponent('processors', 'memory_limiter', { check_intervall: '1s' })[0]).toMatch(/check_intervall: unknown key/);
  });

  it('checks durations, enums, integers, booleans and lists', () => {
    expect(checkComponent('processors', 'memory_limiter', { check_interval: 1, limit_percentage: '80' })).toEqual([
      'processors.memory_limiter.check_interval: expected a duration such as "5s" or "250ms", got an integer (1)',
      'processors.memory_limiter.limit_percentage: expected an integer, got a string ("80")',
    ]);
    expect(checkComponent('exporters', 'debug', { verbosity: 'verbose' })).toEqual(['exporters.debug.verbosity: "verbose" is not one of none, basic, normal, detailed']);
    expect(checkComponent('processors', 'redaction', { allow_all_keys: 'yes', blocked_values: 'x' })).toEqual([
      'processors.redaction.allow_all_keys: expected true or false, got a string ("yes")',
      'processors.redaction.blocked_values: expected a list, got a string ("x")',
    ]);
    // A whole-value environment reference is typed only when the collector starts.
    expect(checkComponent('processors', 'memory_limiter', { limit_percentage: '${env:LIMIT:-80}', check_interval: '${env:INTERVAL}' })).toEqual([]);
  });

  it('refuses a component type it has no schema for, so a new component brings its schema', () => {
    expect(checkComponent('processors', 'tail_sampling', {})[0]).toMatch(/no schema for processors type "tail_sampling"/);
  });

  it('refuses keys in parts of a component whose definitions could not be resolved', () => {
    expect(SCHEMAS.unresolved.length).toBeGreaterThan(0);
    expect(checkComponent('processors', 'redaction', { url_sanitizer: { enabled: true } })[0]).toMatch(/url_sanitizer: uses a part of the component whose schema is not in component-schemas.json/);
  });
});
