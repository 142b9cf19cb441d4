// The tool-usage dashboard may only query what the agent emits: the counters the collector derives
// from `usage` spans (edge.yaml, span_metrics/usage), catalog metrics, and target_info. Names are
// derived from the connector config and src/catalog.ts, so a rename on either side fails here.
import { describe, expect, it } from 'vitest';
import { METRICS, RESOURCE_KEYS, SIGNAL_ATTRIBUTE_KEYS, SPAN_NAMES } from '../../src/catalog.js';
import { prometheusLabel, prometheusSeries, readText, readYaml } from './helpers.js';

const dashboard = JSON.parse(readText('collector-config/grafana/dashboards/tool-usage.json'));
const panels: any[] = dashboard.panels;
const edge = readYaml('collector-config/edge.yaml');
const connector = edge.connectors['span_metrics/usage'];
const dimensions: string[] = connector.dimensions.map((d: any) => d.name);

// span_metrics: `<namespace>.calls` (a counter) and `<namespace>.duration` (a histogram in `unit`),
// with the default dimensions service.name, span.name, span.kind and status.code.
const ns = connector.namespace as string;
const DERIVED = new Set([
  ...prometheusSeries({ name: `${ns}.calls`, kind: 'counter', unit: '{call}' }),
  ...prometheusSeries({ name: `${ns}.duration`, kind: 'histogram', unit: connector.histogram.unit }),
]);
const DERIVED_LABELS = new Set(['job', 'le', ...['service.name', 'span.name', 'status.code', ...dimensions].map(prometheusLabel)]);
const AGENT_SERIES = new Set(METRICS.flatMap(prometheusSeries));
const AGENT_LABELS = new Set(['job', 'instance', 'le', ...SIGNAL_ATTRIBUTE_KEYS.map(prometheusLabel)]);
const RESOURCE_LABELS = new Set(['job', 'instance', ...RESOURCE_KEYS.map(prometheusLabel)]);

const exprs = panels.flatMap((p) => p.targets.map((t: any) => t.expr as string));
/** `metric{selectors}` pairs in an expression. */
const selections = (expr: string) => [...expr.matchAll(/([A-Za-z_][A-Za-z0-9_]*)\{([^}]*)\}/g)].map((m) => ({ metric: m[1]!, labels: [...m[2]!.matchAll(/([A-Za-z_][A-Za-z0-9_]*)\s*(?:=~|!~|!=|=)/g)].map((l) => l[1]!) }));
const groupings = (expr: string) => [...expr.matchAll(/\b(?:by|on|group_left)\s*\(([^)]*)\)/g)].flatMap((m) => m[1]!.split(',').map((l) => l.trim()).filter(Boolean));
const labelsOf = (metric: string) => (DERIVED.has(metric) ? DERIVED_LABELS : metric === 'target_info' ? RESOURCE_LABELS : AGENT_LABELS);

describe('the span_metrics/usage connector', () => {
  it('derives only from catalog keys with few values, never an ID', () => {
    for (const d of dimensions) expect([...RESOURCE_KEYS, ...SIGNAL_ATTRIBUTE_KEYS], d).toContain(d);
    for (const id of ['telemetry.install.id', 'service.instance.id']) {
      expect(dimensions).not.toContain(id);
      expect(connector.resource_metrics_key_attributes).not.toContain(id);
    }
    expect(connector.resource_metrics_key_attributes).toEqual(['service.name']);
  });

  it('is fed only usage spans and passes on only service.name as a resource attribute', () => {
    expect(SPAN_NAMES).toContain('usage');
    const { pipelines } = edge.service;
    expect(pipelines['traces/usage'].exporters).toEqual(['span_metrics/usage']);
    expect(pipelines['traces/usage'].processors).toContain('filter/usage_spans');
    expect(edge.processors['filter/usage_spans'].traces.span).toEqual(['name != "usage"']);
    expect(pipelines['metrics/usage'].receivers).toEqual(['span_metrics/usage']);
    expect(pipelines['metrics/usage'].processors).toContain('transform/usage_resource');
    expect(edge.processors['transform/usage_resource'].metric_statements[0].statements).toEqual(['keep_keys(attributes, ["service.name"])']);
  });
});

describe('tool-usage.json', () => {
  it('queries the provisioned Prometheus data source in every panel', () => {
    const { datasources } = readYaml('collector-config/grafana/provisioning/datasources/datasources.yaml');
    const uid = datasources.find((d: any) => d.type === 'prometheus').uid;
    expect(panels.length).toBeGreaterThanOrEqual(8);
    for (const p of panels) for (const t of [p, ...p.targets]) expect(t.datasource.uid, p.title).toBe(uid);
  });

  it('queries only derived usage counters, catalog metrics or target_info, with labels they carry', () => {
    for (const p of panels) {
      for (const t of p.targets) {
        const sel = selections(t.expr);
        expect(sel.length, t.expr).toBeGreaterThan(0);
        for (const { metric, labels } of sel) {
          expect(DERIVED.has(metric) || AGENT_SERIES.has(metric) || metric === 'target_info', `${p.title}: ${metric}`).toBe(true);
          for (const l of labels) expect(labelsOf(metric).has(l), `${p.title}: ${metric} has no label ${l}`).toBe(true);
        }
        const allowed = new Set(sel.flatMap(({ metric }) => [...labelsOf(metric)]));
        const legend = [...String(t.legendFormat ?? '').matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((m) => m[1]!);
        for (const l of [...groupings(t.expr), ...legend]) expect(allowed.has(l), `${p.title}: ${l}`).toBe(true);
        expect(t.expr).toContain('job=~"$tool"');
        expect(t.expr).not.toMatch(/install_id|instance_id/);
      }
    }
  });

  it('selects commands and errors by the values the agent and the connector use', () => {
    // recordCommand() sets usage.name = "command"; span_metrics writes status.code as STATUS_CODE_ERROR.
    const runs = exprs.filter((e) => e.includes('usage_name="command"'));
    expect(runs.length).toBeGreaterThanOrEqual(5);
    expect(exprs.some((e) => e.includes('status_code="STATUS_CODE_ERROR"') && groupings(e).includes('error_type'))).toBe(true);
  });

  it.each([
    ['runs per day by tool version', 'tool_usage_calls_total', 'service_version'],
    ['events per day', 'tool_usage_calls_total', 'usage_name'],
    ['runs by OS', 'tool_usage_calls_total', 'os_type'],
    ['runs by architecture', 'tool_usage_calls_total', 'host_arch'],
    ['runs by GPU presence', 'tool_usage_calls_total', 'host_gpu_count'],
    ['command durations', 'tool_usage_duration_seconds_bucket', 'usage_command'],
    ['error types', 'tool_usage_calls_total', 'error_type'],
    ['new installs per day', 'telemetry_agent_install_created_total', 'service_version'],
  ])('shows %s', (_what, metric, by) => {
    expect(exprs.some((e) => selections(e).some((s) => s.metric === metric) && groupings(e).includes(by)), `${metric} by ${by}`).toBe(true);
  });

  it('has a tool variable fed by the derived counter', () => {
    const v = dashboard.templating.list.find((x: any) => x.name === 'tool');
    expect(v.definition).toBe('label_values(tool_usage_calls_total, job)');
  });
});
