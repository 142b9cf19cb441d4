// What the report draws of training, from a run: loss and validation curves, the other metrics
// (accuracy, …) by name, throughput per epoch, and training runs grouped by model object (one run
// for repeated fit calls on one model). Pure functions, no HTML.

import { METRIC_NAMES, SPAN_NAMES } from '../catalog.js';
import type { MetricPoint, RunData, SpanRecord } from './group-runs.js';
import { attrText, STATUS_ERROR, type Attrs } from './otlp-json-values.js';
import type { Series, SeriesPoint } from './run-views.js';

function metric(name: string): string {
  if (!METRIC_NAMES.includes(name)) throw new Error(`report uses metric ${name}, which is not in catalog.ts`);
  return name;
}
function span(name: string): string {
  if (!SPAN_NAMES.includes(name)) throw new Error(`report uses span ${name}, which is not in catalog.ts`);
  return name;
}

const LOSS = metric('ml.training.loss');
const METRIC = metric('ml.training.metric');
const TRAIN = span('ml.train');
const EPOCH = span('ml.train.epoch');
const SPLIT = 'ml.metric.split';
const NAME = 'ml.metric.name';
const SAMPLES = 'ml.training.samples.completed';
const BATCHES = 'ml.training.batches.completed';

/** Attributes that tell two runs' series apart (a custom loop and a fit in one process). */
const DISTINGUISHING = ['ml.framework', 'ml.operation'];

function splitWord(split: unknown): string {
  return split === 'validation' ? 'validation' : 'training';
}

/** One series per split (and framework/operation when the run has several), points in time order. */
function seriesBy(points: readonly MetricPoint[], name: string, label: (p: MetricPoint) => string): Series[] {
  const groups = new Map<string, Map<number, number>>();
  for (const p of points) {
    if (p.metric !== name || p.value === undefined || !Number.isFinite(p.value) || p.attributes[SPLIT] === undefined) continue;
    const key = label(p);
    let g = groups.get(key);
    if (!g) groups.set(key, (g = new Map()));
    g.set(p.timeMs, p.value);
  }
  return [...groups.entries()]
    .map(([l, byTime]) => ({ label: l, points: [...byTime.entries()].sort((a, b) => a[0] - b[0]).map(([timeMs, value]): SeriesPoint => ({ timeMs, value })) }))
    .sort((a, b) => (a.label < b.label ? -1 : a.label > b.label ? 1 : 0)); // "training …" before "validation …"
}

function qualifier(points: readonly MetricPoint[], name: string): (a: Attrs) => string {
  const varying = DISTINGUISHING.filter((key) => new Set(points.filter((p) => p.metric === name).map((p) => attrText(p.attributes[key]))).size > 1);
  return (a) => varying.map((key) => attrText(a[key])).filter(Boolean).join(' · ');
}

export interface MetricCurves {
  /** `acc`, `mse`, … or a hash for a custom metric. */
  readonly name: string;
  readonly series: Series[];
}

export interface TrainingCurves {
  /** Training and validation loss (points with ml.metric.split). */
  readonly loss: Series[];
  readonly metrics: MetricCurves[];
  /** Samples/s and batches/s of each epoch, at the epoch's end. */
  readonly throughput: Series[];
}

export function trainingCurves(run: RunData): TrainingCurves {
  const lossQualifier = qualifier(run.points, LOSS);
  const loss = seriesBy(run.points, LOSS, (p) => [`${splitWord(p.attributes[SPLIT])} loss`, lossQualifier(p.attributes)].filter(Boolean).join(', '));
  const names = [...new Set(run.points.filter((p) => p.metric === METRIC).map((p) => attrText(p.attributes[NAME])))].filter(Boolean).sort();
  const metricQualifier = qualifier(run.points, METRIC);
  const metrics = names.map((name) => ({
    name,
    series: seriesBy(run.points.filter((p) => attrText(p.attributes[NAME]) === name), METRIC, (p) => [splitWord(p.attributes[SPLIT]), metricQualifier(p.attributes)].filter(Boolean).join(', ')),
  }));
  return { loss, metrics, throughput: epochThroughput(run.spans) };
}

function epochThroughput(spans: readonly SpanRecord[]): Series[] {
  const samples: SeriesPoint[] = [];
  const batches: SeriesPoint[] = [];
  for (const s of spans) {
    if (s.name !== EPOCH) continue;
    const seconds = (s.endMs - s.startMs) / 1000;
    if (!(seconds > 0)) continue;
    const n = s.attributes[SAMPLES];
    const b = s.attributes[BATCHES];
    if (typeof n === 'number' && n > 0) samples.push({ timeMs: s.endMs, value: n / seconds });
    if (typeof b === 'number' && b > 0) batches.push({ timeMs: s.endMs, value: b / seconds });
  }
  const byTime = (a: SeriesPoint, b: SeriesPoint) => a.timeMs - b.timeMs;
  return [
    ...(samples.length ? [{ label: 'samples/s', points: samples.sort(byTime) }] : []),
    ...(batches.length ? [{ label: 'batches/s', points: batches.sort(byTime) }] : []),
  ];
}

export interface TrainingRunSummary {
  /** The model's name, or what the run is (framework and operation). */
  readonly label: string;
  readonly fits: number;
  readonly epochs: number;
  readonly batches: number;
  readonly samples: number;
  readonly startMs: number;
  readonly endMs: number;
  /** Time spent inside the fit calls. */
  readonly trainingMs: number;
  readonly samplesPerSecond?: number;
  readonly batchesPerSecond?: number;
  readonly failed: boolean;
}

/**
 * Training runs as a practitioner counts them: the ml.train spans of one model object (same
 * ml.model.instance.id) are one run, however many fit calls it took; other ml.train spans are
 * runs of their own.
 */
export function trainingRuns(run: RunData): TrainingRunSummary[] {
  const groups = new Map<string, SpanRecord[]>();
  for (const s of run.spans) {
    if (s.name !== TRAIN) continue;
    const id = s.attributes['ml.model.instance.id'];
    const key = typeof id === 'string' && id ? `model:${id}` : `span:${s.traceId}/${s.spanId}`;
    const g = groups.get(key);
    if (g) g.push(s);
    else groups.set(key, [s]);
  }
  const epochsOf = (s: SpanRecord) => run.spans.filter((e) => e.name === EPOCH && e.parentSpanId === s.spanId && e.traceId === s.traceId).length;
  const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
  const out: TrainingRunSummary[] = [];
  for (const spans of groups.values()) {
    spans.sort((a, b) => a.startMs - b.startMs);
    const first = spans[0]!;
    const model = attrText(first.attributes['ml.model.name']);
    const label = model || [attrText(first.attributes['ml.run.name']), attrText(first.attributes['ml.framework']), attrText(first.attributes['ml.operation'])].filter(Boolean).join(' · ') || 'training';
    const epochs = spans.reduce((a, s) => a + Math.max(num(s.attributes['ml.training.epochs.completed']), epochsOf(s)), 0);
    const batches = spans.reduce((a, s) => a + num(s.attributes[BATCHES]), 0);
    const samples = spans.reduce((a, s) => a + num(s.attributes[SAMPLES]), 0);
    const trainingMs = spans.reduce((a, s) => a + Math.max(0, s.endMs - s.startMs), 0);
    const seconds = trainingMs / 1000;
    out.push({
      label,
      fits: spans.length,
      epochs,
      batches,
      samples,
      startMs: first.startMs,
      endMs: Math.max(...spans.map((s) => s.endMs)),
      trainingMs,
      samplesPerSecond: samples > 0 && seconds > 0 ? samples / seconds : undefined,
      batchesPerSecond: batches > 0 && seconds > 0 ? batches / seconds : undefined,
      failed: spans.some((s) => s.statusCode === STATUS_ERROR),
    });
  }
  return out.sort((a, b) => a.startMs - b.startMs);
}
