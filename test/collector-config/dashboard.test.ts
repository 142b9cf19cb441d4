// The provisioned Grafana dashboard may only query series the agent can produce. Names are
// derived from src/catalog.ts with Prometheus's OTLP translation (helpers.ts), so renaming a
// metric or an attribute in the catalog fails here until the dashboard follows.
import { describe, expect, it } from 'vitest';
import { METRICS, METRIC_NAMES, RESOURCE_KEYS, SIGNAL_ATTRIBUTE_KEYS } from '../../src/catalog.js';
import { prometheusLabel, prometheusName, prometheusSeries, readText, readYaml } from './helpers.js';

const dashboard = JSON.parse(readText('collector-config/grafana/dashboards/ml-runs.json'));
const panels: any[] = dashboard.panels;

/** Prometheus 3's OTLP receiver writes resource attributes to this series, one per process. */
const TARGET_INFO = 'target_info';
const AGENT_SERIES = new Set(METRICS.flatMap(prometheusSeries));
// job = service.name, instance = service.instance.id; le = histogram bucket bound.
const RESOURCE_LABELS = new Set(['job', 'instance', ...RESOURCE_KEYS.map(prometheusLabel)]);
const SERIES_LABELS = new Set(['job', 'instance', 'le', ...SIGNAL_ATTRIBUTE_KEYS.map(prometheusLabel)]);
const PROMQL_WORDS = new Set(['sum', 'max', 'min', 'avg', 'count', 'by', 'without', 'rate', 'increase', 'histogram_quantile']);

const seriesName = (name: string) => METRICS.find((m) => m.name === name) && prometheusName(METRICS.find((m) => m.name === name)!);
const exprs = (panel: any): string[] => panel.targets.map((t: any) => t.expr);
const allExprs = panels.flatMap(exprs);

/** Identifiers in a PromQL expression, without string literals, ranges and numbers. */
function identifiers(expr: string): string[] {
  const bare = expr.replace(/"[^"]*"/g, '""').replace(/\[[^\]]*\]/g, '');
  return bare.match(/[A-Za-z_][A-Za-z0-9_]*/g) ?? [];
}
const metricsIn = (expr: string) => [...expr.matchAll(/([A-Za-z_][A-Za-z0-9_]*)\{/g)].map((m) => m[1]);
const groupingLabels = (expr: string) =>
  [...expr.matchAll(/\bby\s*\(([^)]*)\)/g)].flatMap((m) => m[1].split(',').map((l) => l.trim()));

describe('Prometheus names of catalog metrics', () => {
  // Known outputs of the translation (OpenTelemetry "Prometheus and OpenMetrics
  // compatibility" spec), so the helper is checked before the dashboard is checked with it.
  it.each([
    [{ name: 'process.memory.usage', kind: 'gauge', unit: 'By' }, 'process_memory_usage_bytes'],
    [{ name: 'http.server.request.duration', kind: 'histogram', unit: 's' }, 'http_server_request_duration_seconds'],
    [{ name: 'system.cpu.utilization', kind: 'gauge', unit: '1' }, 'system_cpu_utilization_ratio'],
    [{ name: 'http.server.active_requests', kind: 'counter', unit: '{request}' }, 'http_server_active_requests_total'],
    [{ name: 'ml.tfjs.memory.bytes', kind: 'gauge', unit: 'By' }, 'ml_tfjs_memory_bytes'],
  ] as const)('%j -> %s', (metric, expected) => {
    expect(prometheusName(metric)).toBe(expected);
  });

  it('maps every catalog metric to a distinct name', () => {
    const names = METRICS.map(prometheusName);
    expect(new Set(names).size).toBe(METRIC_NAMES.length);
  });
});

describe('ml-runs.json', () => {
  it('is a dashboard with panels, each with at least one query', () => {
    expect(dashboard.uid).toBe('ml-runs');
    expect(panels.length).toBeGreaterThanOrEqual(8);
    for (const panel of panels) expect(panel.targets?.length, panel.title).toBeGreaterThan(0);
  });

  it('queries the provisioned Prometheus data source', () => {
    const { datasources } = readYaml('collector-config/grafana/provisioning/datasources/datasources.yaml');
    const prometheusUid = datasources.find((d: any) => d.type === 'prometheus').uid;
    for (const panel of panels) {
      for (const target of [panel, ...panel.targets]) expect(target.datasource.uid, panel.title).toBe(prometheusUid);
    }
  });

  it('queries only series the agent emits (or target_info), in every panel target', () => {
    for (const panel of panels) {
      for (const expr of exprs(panel)) {
        const metrics = metricsIn(expr);
        expect(metrics.length, `${panel.title}: ${expr}`).toBeGreaterThan(0);
        for (const metric of metrics) expect(metric === TARGET_INFO || AGENT_SERIES.has(metric), `${panel.title}: ${metric}`).toBe(true);
      }
    }
  });

  it('uses no identifier that is not PromQL, an agent series or a label the agent sends', () => {
    for (const expr of allExprs) {
      const onTargetInfo = metricsIn(expr).includes(TARGET_INFO);
      for (const id of identifiers(expr)) {
        const known = PROMQL_WORDS.has(id) || AGENT_SERIES.has(id) || id === TARGET_INFO || SERIES_LABELS.has(id) || (onTargetInfo && RESOURCE_LABELS.has(id));
        expect(known, `${id} in ${expr}`).toBe(true);
      }
    }
  });

  it('groups and labels legends only by labels the agent sends', () => {
    for (const panel of panels) {
      for (const target of panel.targets) {
        const allowed = metricsIn(target.expr).includes(TARGET_INFO) ? RESOURCE_LABELS : SERIES_LABELS;
        const legend = [...String(target.legendFormat ?? '').matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((m) => m[1]);
        for (const label of [...groupingLabels(target.expr), ...legend]) expect(allowed.has(label), `${panel.title}: ${label}`).toBe(true);
      }
    }
  });

  it.each([
    ['training progress', 'ml.training.progress'],
    ['loss', 'ml.training.loss'],
    ['epochs completed', 'ml.training.epochs.completed'],
    ['batches completed', 'ml.training.batches.completed'],
    ['process memory', 'process.memory.usage'],
    ['GPU memory', 'hw.gpu.memory.usage'],
    ['errors', 'ml.errors'],
  ])('shows %s (%s)', (_what, metric) => {
    const name = seriesName(metric);
    expect(name, `${metric} is not in the catalog`).toBeDefined();
    expect(allExprs.some((e) => metricsIn(e).includes(name!))).toBe(true);
  });

  it('has a generation row: tokens per second, time to first token and token usage, from the GenAI histograms', () => {
    const generation = panels.filter((p) => String(p.title).startsWith('Generation:'));
    expect(generation.length).toBeGreaterThanOrEqual(3);
    const used = generation.flatMap(exprs).flatMap(metricsIn);
    for (const metric of ['gen_ai.server.time_per_output_token', 'gen_ai.server.time_to_first_token']) expect(used).toContain(`${seriesName(metric)}_bucket`);
    expect(used).toContain(`${seriesName('gen_ai.client.token.usage')}_sum`);
  });

  it('shows inference duration percentiles computed from the histogram buckets', () => {
    const bucket = `${seriesName('ml.inference.duration')}_bucket`;
    const quantiles = allExprs
      .filter((e) => e.includes('histogram_quantile(') && metricsIn(e).includes(bucket))
      .map((e) => Number(/histogram_quantile\(([\d.]+)/.exec(e)![1]));
    expect(quantiles.sort()).toEqual([0.5, 0.95, 0.99]);
  });

  it('shows errors broken down by error.type', () => {
    const errors = allExprs.filter((e) => metricsIn(e).includes(seriesName('ml.errors')!));
    expect(errors.some((e) => groupingLabels(e).includes(prometheusLabel('error.type')))).toBe(true);
  });

  it('has a hardware table with CPU and GPU models from the resource', () => {
    const table = panels.find((p) => p.type === 'table' && exprs(p).some((e) => metricsIn(e).includes(TARGET_INFO)));
    expect(table).toBeDefined();
    const labels = groupingLabels(table.targets[0].expr);
    expect(labels).toEqual(expect.arrayContaining(['host.cpu.model.name', 'host.gpu.model.names'].map(prometheusLabel)));
    expect(table.targets[0]).toMatchObject({ format: 'table', instant: true });
  });

  it('filters by a service variable fed from target_info', () => {
    const variable = dashboard.templating.list.find((v: any) => v.name === 'job');
    expect(variable.definition).toBe(`label_values(${TARGET_INFO}, job)`);
    for (const expr of allExprs) expect(expr, expr).toContain('job=~"$job"');
  });
});
