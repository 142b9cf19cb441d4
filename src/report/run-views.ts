// What each section of the report shows, computed from a run: pure functions, no HTML.

import { METRIC_NAMES, SPAN_NAMES } from '../catalog.js';
import type { HistogramValue, MetricPoint, RunData, SpanRecord } from './group-runs.js';
import { histogramQuantile, totalHistogram, totalSum } from './histogram-stats.js';
import { attrText, STATUS_ERROR, type AttrValue, type Attrs } from './otlp-json-values.js';
import { formatBytes } from './format-units.js';

/** Names the report looks for, checked against the catalog so a rename there fails loudly here. */
function metric(name: string): string {
  if (!METRIC_NAMES.includes(name)) throw new Error(`report uses metric ${name}, which is not in catalog.ts`);
  return name;
}
function span(name: string): string {
  if (!SPAN_NAMES.includes(name)) throw new Error(`report uses span ${name}, which is not in catalog.ts`);
  return name;
}

export const NAMES = {
  train: span('ml.train'),
  epoch: span('ml.train.epoch'),
  modelLoad: span('ml.model.load'),
  crash: span('uncaught_exception'),
  usage: span('usage'),
  progress: metric('ml.training.progress'),
  loss: metric('ml.training.loss'),
  inference: metric('ml.inference.duration'),
  errors: metric('ml.errors'),
} as const;

const LOSS_ATTRIBUTE = 'ml.training.loss';

/** Memory metrics in the order shown, with the words a reader knows them by. */
export const MEMORY_METRICS: ReadonlyArray<{ name: string; title: string }> = [
  { name: metric('process.memory.usage'), title: 'Process memory (RSS)' },
  { name: metric('v8js.memory.heap.used'), title: 'V8 heap used' },
  { name: metric('ml.tfjs.memory.bytes'), title: 'TensorFlow.js tensor memory' },
  { name: metric('hw.gpu.memory.usage'), title: 'GPU memory used' },
];

// ---------- hardware ----------

export interface InfoRow {
  readonly label: string;
  readonly value: string;
}

export function hardwareRows(resource: Attrs): InfoRow[] {
  const text = (key: string) => attrText(resource[key]);
  const bytes = (key: string) => (typeof resource[key] === 'number' ? formatBytes(resource[key] as number) : text(key));
  const gpuCount = resource['host.gpu.count'];
  const gpus = [
    typeof gpuCount === 'number' ? `${gpuCount} ×` : '',
    text('host.gpu.model.names'),
    resource['host.gpu.memory.total'] !== undefined ? `(${bytes('host.gpu.memory.total')} total)` : '',
  ]
    .filter(Boolean)
    .join(' ');
  const rows: InfoRow[] = [
    { label: 'CPU', value: text('host.cpu.model.name') },
    { label: 'Logical CPUs', value: text('host.cpu.logical_count') },
    { label: 'Memory', value: bytes('host.memory.total') },
    { label: 'GPU', value: gpuCount === 0 ? 'none' : gpus },
    { label: 'OS', value: [text('os.type'), text('os.version'), text('host.arch')].filter(Boolean).join(' ') },
    { label: 'Node.js', value: text('process.runtime.version') },
    { label: 'Agent', value: [text('telemetry.distro.name'), text('telemetry.distro.version')].filter(Boolean).join(' ') },
    { label: 'Environment', value: text('deployment.environment.name') },
  ];
  return rows.filter((r) => r.value !== '');
}

// ---------- timeline ----------

export type BarKind = 'load' | 'train' | 'epoch';

export interface TimelineBar {
  readonly kind: BarKind;
  readonly label: string;
  readonly detail: string;
  readonly startMs: number;
  readonly endMs: number;
  readonly error: boolean;
}

export function timelineBars(spans: readonly SpanRecord[]): TimelineBar[] {
  const bars: TimelineBar[] = [];
  const trains = spans.filter((s) => s.name === NAMES.train);
  const epochs = spans.filter((s) => s.name === NAMES.epoch);
  const placed = new Set<SpanRecord>();
  const top = [...trains, ...spans.filter((s) => s.name === NAMES.modelLoad)].sort((a, b) => a.startMs - b.startMs);
  for (const s of top) {
    if (s.name === NAMES.modelLoad) {
      bars.push(bar('load', 'model load', [attrText(s.attributes['ml.model.name']), attrText(s.attributes['ml.framework'])], s));
      continue;
    }
    const total = s.attributes['ml.training.epochs.total'];
    bars.push(bar('train', 'training', [attrText(s.attributes['ml.framework']), attrText(s.attributes['ml.operation']), total !== undefined ? `${attrText(total)} epochs planned` : ''], s));
    for (const e of epochs.filter((e) => e.parentSpanId === s.spanId && e.traceId === s.traceId).sort((a, b) => a.startMs - b.startMs)) {
      bars.push(epochBar(e));
      placed.add(e);
    }
  }
  // Epochs whose ml.train span was never received (the process died mid-training).
  for (const e of epochs.filter((e) => !placed.has(e))) bars.push(epochBar(e));
  return bars;
}

function epochBar(e: SpanRecord): TimelineBar {
  const index = e.attributes['ml.training.epoch'];
  const loss = e.attributes[LOSS_ATTRIBUTE];
  return bar('epoch', index !== undefined ? `epoch ${attrText(index)}` : 'epoch', [typeof loss === 'number' ? `loss ${formatLoss(loss)}` : ''], e);
}

function bar(kind: BarKind, label: string, details: string[], s: SpanRecord): TimelineBar {
  return { kind, label, detail: details.filter(Boolean).join(' · '), startMs: s.startMs, endMs: s.endMs, error: s.statusCode === STATUS_ERROR };
}

export function formatLoss(loss: number): string {
  return Math.abs(loss) >= 100 ? loss.toFixed(0) : Number(loss.toPrecision(4)).toString();
}

// ---------- series over time ----------

export interface SeriesPoint {
  readonly timeMs: number;
  readonly value: number;
}

export interface Series {
  readonly label: string;
  readonly points: SeriesPoint[];
}

/** One series per attribute set of a gauge (or counter), in time order, one value per timestamp. */
export function metricSeries(points: readonly MetricPoint[], name: string): Series[] {
  const groups = new Map<string, { label: string; byTime: Map<number, number> }>();
  for (const p of points) {
    if (p.metric !== name || p.value === undefined || !Number.isFinite(p.value)) continue;
    const label = attributeLabel(p.attributes);
    let group = groups.get(label);
    if (!group) {
      group = { label, byTime: new Map() };
      groups.set(label, group);
    }
    group.byTime.set(p.timeMs, p.value);
  }
  return [...groups.values()].map((g) => ({
    label: g.label,
    points: [...g.byTime.entries()].sort((a, b) => a[0] - b[0]).map(([timeMs, value]) => ({ timeMs, value })),
  }));
}

/** Attributes that tell series apart; constant descriptive ones (rss, gpu) are left out. */
const SILENT_ATTRIBUTES = new Set(['process.memory.type', 'hw.type']);
/** Attributes whose values speak for themselves ("tfjs · predict" reads better than key=value). */
const SELF_EXPLAINING = ['ml.framework', 'ml.operation', 'ml.task', 'ml.model.name'];

export function attributeLabel(attributes: Attrs): string {
  const parts: string[] = [];
  for (const key of SELF_EXPLAINING) if (attributes[key] !== undefined) parts.push(attrText(attributes[key]));
  if (attributes['hw.id'] !== undefined) parts.push(`GPU ${attrText(attributes['hw.id'])}`);
  const rest = Object.keys(attributes)
    .filter((key) => !SILENT_ATTRIBUTES.has(key) && !SELF_EXPLAINING.includes(key) && key !== 'hw.id')
    .sort();
  for (const key of rest) parts.push(`${key}=${attrText(attributes[key])}`);
  return parts.join(' · ');
}

export interface TrainingView {
  readonly progress: Series[];
  readonly lossMetric: Series[];
  readonly lossAtEpochEnd: Series | undefined;
}

export function trainingView(run: RunData): TrainingView {
  const epochLoss = run.spans
    .filter((s) => s.name === NAMES.epoch && typeof s.attributes[LOSS_ATTRIBUTE] === 'number')
    .map((s) => ({ timeMs: s.endMs, value: s.attributes[LOSS_ATTRIBUTE] as number }))
    .sort((a, b) => a.timeMs - b.timeMs);
  return {
    progress: metricSeries(run.points, NAMES.progress),
    lossMetric: metricSeries(run.points, NAMES.loss),
    lossAtEpochEnd: epochLoss.length ? { label: 'epoch loss (ml.train.epoch)', points: epochLoss } : undefined,
  };
}

export interface MemoryChart {
  readonly metric: string;
  readonly title: string;
  readonly series: Series[];
}

export function memoryCharts(run: RunData): MemoryChart[] {
  return MEMORY_METRICS.map((m) => ({ metric: m.name, title: m.title, series: metricSeries(run.points, m.name) })).filter((c) => c.series.length > 0);
}

// ---------- inference ----------

export interface InferenceSummary {
  readonly label: string;
  readonly count: number;
  readonly mean?: number;
  readonly min?: number;
  readonly max?: number;
  readonly p50?: number;
  readonly p95?: number;
  readonly p99?: number;
  readonly histogram: HistogramValue;
}

/** Per attribute set (framework, model): call count and latency percentiles, in seconds. */
export function inferenceSummaries(points: readonly MetricPoint[]): InferenceSummary[] {
  const groups = new Map<string, MetricPoint[]>();
  for (const p of points) {
    if (p.metric !== NAMES.inference || !p.histogram) continue;
    pushTo(groups, attributeLabel(p.attributes), p);
  }
  const out: InferenceSummary[] = [];
  for (const [label, group] of groups) {
    const h = totalHistogram(group);
    if (!h || h.count <= 0) continue;
    out.push({
      label,
      count: h.count,
      mean: h.sum !== undefined ? h.sum / h.count : undefined,
      min: h.min,
      max: h.max,
      p50: histogramQuantile(0.5, h),
      p95: histogramQuantile(0.95, h),
      p99: histogramQuantile(0.99, h),
      histogram: h,
    });
  }
  return out.sort((a, b) => b.count - a.count);
}

// ---------- errors ----------

export interface ErrorEntry {
  readonly timeMs: number;
  readonly spanName: string;
  readonly type: string;
  readonly message: string;
  readonly origin: string;
}

export function errorEntries(spans: readonly SpanRecord[]): ErrorEntry[] {
  return spans
    .filter((s) => s.name === NAMES.crash || s.statusCode === STATUS_ERROR)
    .map((s) => {
      const exception = s.events.find((e) => e.name === 'exception')?.attributes ?? {};
      const pick = (...values: Array<AttrValue | undefined>) => values.map(attrText).find((v) => v !== '') ?? '';
      return {
        timeMs: s.startMs,
        spanName: s.name,
        type: pick(exception['exception.type'], s.attributes['exception.type'], s.attributes['error.type']) || 'unknown error',
        message: pick(exception['exception.message'], s.attributes['exception.message'], s.statusMessage),
        origin: pick(s.attributes['exception.origin'], exception['exception.origin']),
      };
    })
    .sort((a, b) => a.timeMs - b.timeMs);
}

export interface ErrorCount {
  readonly type: string;
  readonly count: number;
}

/** ml.errors totals per error.type. */
export function errorCounts(points: readonly MetricPoint[]): ErrorCount[] {
  const groups = new Map<string, MetricPoint[]>();
  for (const p of points) {
    if (p.metric !== NAMES.errors) continue;
    pushTo(groups, attrText(p.attributes['error.type']) || 'unknown', p);
  }
  return [...groups.entries()]
    .map(([type, group]) => ({ type, count: totalSum(group) }))
    .filter((c) => c.count > 0)
    .sort((a, b) => b.count - a.count);
}

function pushTo<T>(groups: Map<string, T[]>, key: string, value: T): void {
  const list = groups.get(key);
  if (list) list.push(value);
  else groups.set(key, [value]);
}

// ---------- headline ----------

export interface RunHeadline {
  readonly durationMs: number;
  readonly epochsCompleted: number;
  readonly finalLoss?: number;
  readonly inferenceCalls: number;
  readonly errors: number;
}

export function runHeadline(run: RunData): RunHeadline {
  const training = trainingView(run);
  const lossSeries = training.lossAtEpochEnd ?? training.lossMetric[0];
  const errors = Math.max(errorEntries(run.spans).length, errorCounts(run.points).reduce((a, c) => a + c.count, 0));
  return {
    durationMs: run.endMs - run.startMs,
    epochsCompleted: run.spans.filter((s) => s.name === NAMES.epoch).length,
    finalLoss: lossSeries?.points.at(-1)?.value,
    inferenceCalls: inferenceSummaries(run.points).reduce((a, s) => a + s.count, 0),
    errors,
  };
}

// ---------- usage events (tools that embed the agent) ----------

export interface UsageRow {
  readonly timeMs: number;
  /** `optimize`, or `command optimize` for a recordCommand() run. */
  readonly event: string;
  /** Declared attributes as `name=value`, without the `usage.` prefix. */
  readonly attributes: string;
  readonly durationMs: number;
  readonly failed: string | undefined;
}

export function usageRows(spans: readonly SpanRecord[]): UsageRow[] {
  return spans.filter((s) => s.name === NAMES.usage).map((s) => {
    const name = attrText(s.attributes['usage.name']);
    const command = attrText(s.attributes['usage.command']);
    const attributes = Object.entries(s.attributes)
      .filter(([k]) => k.startsWith('usage.') && k !== 'usage.name' && k !== 'usage.command')
      .map(([k, v]) => `${k.slice('usage.'.length)}=${attrText(v)}`)
      .join(' ');
    return {
      timeMs: s.startMs,
      event: command ? `${name} ${command}` : name,
      attributes,
      durationMs: s.endMs - s.startMs,
      failed: s.statusCode === STATUS_ERROR ? attrText(s.attributes['error.type']) || 'error' : undefined,
    };
  });
}
