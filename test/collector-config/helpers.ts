// Shared by the collector-tier tests. Everything here is static: no Docker engine and no
// otelcol-contrib binary run on the test machines, so the checks read the files only.
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import type { MetricSpec } from '../../src/catalog.js';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CONFIG_DIR = join(ROOT, 'collector-config');

export const readText = (path: string): string => readFileSync(join(ROOT, path), 'utf8');
export const readYaml = (path: string): any => parse(readText(path));

/** Every top-level *.yaml in collector-config/ is a collector configuration. */
export const COLLECTOR_CONFIGS: readonly string[] = readdirSync(CONFIG_DIR)
  .filter((f) => f.endsWith('.yaml'))
  .sort()
  .map((f) => `collector-config/${f}`);

export const KINDS = ['receivers', 'processors', 'exporters', 'connectors', 'extensions'] as const;
export type Kind = (typeof KINDS)[number];

/** "otlp_http/upstream" -> "otlp_http": the type is what the release must know. */
export const componentType = (id: string): string => id.split('/')[0];

/**
 * The checked-in component list of the pinned release (collector-config/
 * otelcol-contrib-0.159.0-components.tsv; its header cites where each row comes from).
 * Returns kind ("receivers", ...) -> set of current type names.
 */
export function releaseComponents(): Map<Kind, Set<string>> {
  const out = new Map<Kind, Set<string>>(KINDS.map((k) => [k, new Set<string>()]));
  const lines = readText('collector-config/otelcol-contrib-0.159.0-components.tsv').split('\n');
  for (const line of lines) {
    if (line.startsWith('#') || line.trim() === '' || line.startsWith('kind\t')) continue;
    const [kind, type] = line.split('\t');
    out.get(`${kind}s` as Kind)!.add(type);
  }
  return out;
}

/** `${env:NAME}` references without a `:-default`, i.e. those a deployment must set. */
export function requiredEnvVars(yamlText: string): string[] {
  return [...yamlText.matchAll(/\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}/g)].map((m) => m[1]);
}

// Prometheus 3's default OTLP translation (translation_strategy UnderscoreEscapingWithSuffixes,
// pinned in collector-config/prometheus/prometheus.yml), following the OpenTelemetry
// "Prometheus and OpenMetrics compatibility" spec: split the name on anything but [A-Za-z0-9],
// add the unit's suffix unless the name already has it, `_ratio` for unit-1 gauges, `_total`
// for counters; annotations in braces ({epoch}) add nothing.
const UNIT_SUFFIX: Record<string, string> = { By: 'bytes', s: 'seconds', ms: 'milliseconds', 1: '' };

export function prometheusName(metric: Pick<MetricSpec, 'name' | 'kind' | 'unit'>): string {
  const unit = metric.unit.replace(/\{[^}]*\}/g, '');
  const suffix = UNIT_SUFFIX[unit] ?? (unit === '' ? '' : undefined);
  // A new unit must be mapped here on purpose, not guessed.
  if (suffix === undefined) throw new Error(`no Prometheus suffix known for unit ${metric.unit} of ${metric.name}`);
  let tokens = metric.name.split(/[^A-Za-z0-9]+/).filter(Boolean);
  if (suffix && !tokens.includes(suffix)) tokens.push(suffix);
  if (metric.kind === 'counter') tokens = [...tokens.filter((t) => t !== 'total'), 'total'];
  if (metric.kind === 'gauge' && metric.unit === '1') tokens = [...tokens.filter((t) => t !== 'ratio'), 'ratio'];
  return tokens.join('_');
}

/** The series names Prometheus stores for one metric (histograms become three series). */
export function prometheusSeries(metric: Pick<MetricSpec, 'name' | 'kind' | 'unit'>): string[] {
  const name = prometheusName(metric);
  return metric.kind === 'histogram' ? [`${name}_bucket`, `${name}_sum`, `${name}_count`] : [name];
}

/** Attribute key -> Prometheus label name under underscore escaping. */
export const prometheusLabel = (key: string): string => key.replace(/[^A-Za-z0-9_]/g, '_');

/** Go RE2 `(?i)prefix` -> a JavaScript RegExp; both dialects agree on the rest used here. */
export function re2ToJs(pattern: string): RegExp {
  const insensitive = pattern.startsWith('(?i)');
  const body = insensitive ? pattern.slice(4) : pattern;
  if (body.includes('(?i') || body.includes('(?s') || body.includes('(?m')) throw new Error(`unsupported flag in ${pattern}`);
  return new RegExp(body, insensitive ? 'gi' : 'g');
}
