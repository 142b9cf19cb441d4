import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runReport, parseReportArgs } from '../../src/report/index.js';
import { groupRuns, type MetricPoint, type RunData } from '../../src/report/group-runs.js';
import { histogramQuantile, latestPerStream, totalHistogram, totalSum } from '../../src/report/histogram-stats.js';
import { classifyLine, listTelemetryFiles, readTelemetryDir } from '../../src/report/read-telemetry-dir.js';
import { renderReport } from '../../src/report/render-report.js';
import {
  attributeLabel,
  errorCounts,
  errorEntries,
  hardwareRows,
  inferenceSummaries,
  memoryCharts,
  metricSeries,
  runHeadline,
  timelineBars,
  trainingView,
} from '../../src/report/run-views.js';
import { byteScale, formatBytes, formatDuration, formatSeconds, niceDomain, niceTicks, timeScale } from '../../src/report/format-units.js';
import { escapeHtml, html } from '../../src/report/html-template.js';
import { nanosToMs } from '../../src/report/otlp-json-values.js';
import {
  CRASH_MESSAGE,
  INFERENCE_BOUNDS,
  INFERENCE_ERROR_MESSAGE,
  INFERENCE_RUN_ID,
  latencies,
  sampleJsonl,
  TRAINING_EPOCHS,
  TRAINING_RUN_ID,
  TRAINING_START_MS,
} from '../fixtures/otlp/sample-telemetry.js';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '../fixtures/otlp');

let runs: RunData[];
let training: RunData;
let inference: RunData;
let memoryOnly: RunData;

beforeAll(async () => {
  const input = await readTelemetryDir(FIXTURES);
  runs = groupRuns(input.traceRequests, input.metricRequests);
  [training, inference, memoryOnly] = runs;
});

describe('sample fixtures', () => {
  it('match what sample-telemetry.ts generates (UPDATE_FIXTURES=1 rewrites them)', async () => {
    const { traces, metrics } = await sampleJsonl();
    if (process.env.UPDATE_FIXTURES === '1') {
      await writeFile(join(FIXTURES, 'traces.jsonl'), traces);
      await writeFile(join(FIXTURES, 'metrics.jsonl'), metrics);
    }
    expect(await readFile(join(FIXTURES, 'traces.jsonl'), 'utf8')).toBe(traces);
    expect(await readFile(join(FIXTURES, 'metrics.jsonl'), 'utf8')).toBe(metrics);
  });
});

describe('reading a telemetry directory', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'report-read-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('reads rotated files oldest first and classifies lines by content', async () => {
    await writeFile(join(dir, 'traces.jsonl'), '{"resourceSpans":[{"n":3}]}\n');
    await writeFile(join(dir, 'traces.1.jsonl'), '{"resourceSpans":[{"n":2}]}\n\n');
    await writeFile(join(dir, 'traces.2.jsonl'), '{"resourceSpans":[{"n":1}]}\nnot json\n{"resourceLogs":[]}\n{"other":1}\n');
    await writeFile(join(dir, 'collector-export.jsonl'), '{"resourceMetrics":[]}\r\n');
    await writeFile(join(dir, 'notes.txt'), 'ignored');
    const files = (await listTelemetryFiles(dir)).map((f) => f.slice(dir.length + 1));
    expect(files).toEqual(['collector-export.jsonl', 'traces.2.jsonl', 'traces.1.jsonl', 'traces.jsonl']);
    const input = await readTelemetryDir(dir);
    expect(input.traceRequests).toEqual([{ resourceSpans: [{ n: 1 }] }, { resourceSpans: [{ n: 2 }] }, { resourceSpans: [{ n: 3 }] }]);
    expect(input.metricRequests).toHaveLength(1);
    expect(input.skippedLines).toBe(2);
  });

  it('classifies lines', () => {
    expect(classifyLine('{"resourceSpans":[]}').kind).toBe('traces');
    expect(classifyLine('{"resourceMetrics":[]}').kind).toBe('metrics');
    expect(classifyLine('{"resourceLogs":[]}').kind).toBe('logs');
    expect(classifyLine('[]').kind).toBe('invalid');
    expect(classifyLine('{"resourceSpans":{}}').kind).toBe('invalid');
  });
});

describe('grouping by run', () => {
  it('finds one run per service.instance.id, newest first', () => {
    expect(runs.map((r) => [r.serviceName, r.instanceId])).toEqual([
      ['mnist-trainer', TRAINING_RUN_ID],
      ['sentiment-cli', INFERENCE_RUN_ID],
      ['legacy-script', undefined],
    ]);
    expect(training.spans).toHaveLength(9);
    expect(training.startMs).toBe(TRAINING_START_MS + 200);
    expect(training.endMs).toBe(TRAINING_START_MS + 45_000);
    expect(inference.spans.map((s) => s.name)).toEqual(['ml.model.load', 'ml.inference', 'ml.inference', 'ml.inference', 'ml.inference']);
    expect(memoryOnly.spans).toEqual([]);
    expect(memoryOnly.points).toHaveLength(3);
  });

  it('keeps one copy of batches received twice (the agent retries from its disk queue)', async () => {
    const input = await readTelemetryDir(FIXTURES);
    const twice = groupRuns([...input.traceRequests, ...input.traceRequests], [...input.metricRequests, ...input.metricRequests]);
    expect(twice.map((r) => [r.spans.length, r.points.length])).toEqual(runs.map((r) => [r.spans.length, r.points.length]));
  });

  it('accepts int64 as numbers or strings and enum names', () => {
    const [run] = groupRuns(
      [{ resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 's' } }] }, scopeSpans: [{ spans: [{ name: 'ml.train', startTimeUnixNano: 1_000_000_000, endTimeUnixNano: '3000000000', status: { code: 'STATUS_CODE_ERROR' } }] }] }] }],
      [],
    );
    expect(run.spans[0]).toMatchObject({ startMs: 1000, endMs: 3000, statusCode: 2 });
    expect(nanosToMs('1748856600123456789')).toBeCloseTo(1748856600123.4568, 3);
  });

  it('survives garbage shapes', () => {
    expect(groupRuns([{ resourceSpans: [null, 1, { scopeSpans: 'x' }] }], [{ resourceMetrics: [{ scopeMetrics: [{ metrics: [null, { name: 'x', gauge: { dataPoints: [null] } }] }] }] }])).toHaveLength(1);
  });
});

describe('percentiles from histogram buckets', () => {
  const h = { bounds: [10, 20, 30], counts: [0, 10, 10, 0] };

  it('interpolates linearly inside the bucket holding the rank', () => {
    expect(histogramQuantile(0.5, h)).toBe(20);
    expect(histogramQuantile(0.25, h)).toBe(15);
    expect(histogramQuantile(0.95, h)).toBe(29);
    expect(histogramQuantile(0, h)).toBe(10);
    expect(histogramQuantile(1, h)).toBe(30);
  });

  it('starts the first bucket at min (or 0) and ends the overflow bucket at max (or the last bound)', () => {
    expect(histogramQuantile(0.5, { bounds: [10], counts: [4, 0] })).toBe(5);
    expect(histogramQuantile(0.5, { bounds: [10], counts: [4, 0], min: 6 })).toBe(8);
    expect(histogramQuantile(0.5, { bounds: [10], counts: [0, 4], max: 50 })).toBe(30);
    expect(histogramQuantile(0.99, { bounds: [10], counts: [0, 4] })).toBe(10);
  });

  it('clamps to the observed min and max', () => {
    expect(histogramQuantile(0.99, { ...h, max: 25 })).toBeLessThanOrEqual(25);
    expect(histogramQuantile(0.01, { ...h, min: 12 })).toBeGreaterThanOrEqual(12);
  });

  it('has no answer for an empty or inconsistent histogram', () => {
    expect(histogramQuantile(0.5, { bounds: [1], counts: [0, 0] })).toBeUndefined();
    expect(histogramQuantile(0.5, { bounds: [1, 2], counts: [3] })).toBeUndefined();
  });

  it('estimates the fixture latencies within their bucket', () => {
    const sample = latencies(240, 7).sort((a, b) => a - b);
    const [summary] = inferenceSummaries(training.points);
    expect(summary.count).toBe(240);
    for (const [q, estimate] of [[0.5, summary.p50], [0.95, summary.p95], [0.99, summary.p99]] as const) {
      const exact = sample[Math.ceil(q * sample.length) - 1];
      const bucket = INFERENCE_BOUNDS.findIndex((b) => exact <= b);
      const lower = bucket === 0 ? 0 : INFERENCE_BOUNDS[bucket - 1];
      expect(estimate).toBeGreaterThanOrEqual(lower);
      expect(estimate).toBeLessThanOrEqual(INFERENCE_BOUNDS[bucket]);
    }
    expect(summary.mean).toBeCloseTo(sample.reduce((a, b) => a + b, 0) / sample.length, 9);
  });
});

describe('totals of cumulative and delta streams', () => {
  const point = (over: Partial<MetricPoint>): MetricPoint => ({ metric: 'm', unit: '', kind: 'sum', temporality: 2, startMs: 0, timeMs: 0, attributes: {}, ...over });

  it('takes the last point of each cumulative stream and adds delta points', () => {
    const points = [point({ timeMs: 1, value: 1 }), point({ timeMs: 2, value: 3 }), point({ startMs: 5, timeMs: 6, value: 2 }), point({ temporality: 1, value: 10 }), point({ temporality: 1, value: 5 })];
    expect(latestPerStream(points)).toHaveLength(4);
    expect(totalSum(points)).toBe(3 + 2 + 10 + 5);
  });

  it('merges histograms with the same bounds and leaves out others', () => {
    const hp = (bounds: number[], counts: number[], temporality = 1) => point({ kind: 'histogram', temporality, histogram: { count: counts.reduce((a, b) => a + b, 0), sum: 1, bounds, counts, min: 0.5, max: 9 } });
    const total = totalHistogram([hp([1, 2], [1, 1, 1]), hp([1, 2], [0, 2, 0]), hp([1, 5], [9, 9, 9])]);
    expect(total).toMatchObject({ count: 5, counts: [1, 3, 1], sum: 2, min: 0.5, max: 9 });
  });

  it('reads exponential histograms as explicit buckets', () => {
    const [run] = groupRuns([], [
      {
        resourceMetrics: [{ scopeMetrics: [{ metrics: [{ name: 'ml.inference.duration', exponentialHistogram: { aggregationTemporality: 1, dataPoints: [{ count: '4', sum: 3, scale: 0, zeroCount: '0', positive: { offset: -2, bucketCounts: ['1', '1', '2'] }, min: 0.3, max: 2 }] } }] }] }],
      },
    ]);
    const [summary] = inferenceSummaries(run.points);
    expect(summary.histogram.bounds).toEqual([0.25, 0.5, 1, 2]);
    expect(summary.histogram.counts).toEqual([0, 1, 1, 2, 0]);
    expect(summary.p50).toBeCloseTo(1, 9);
    expect(summary.p99).toBeLessThanOrEqual(2);
  });
});

describe('run views', () => {
  it('lists the hardware in words', () => {
    expect(hardwareRows(training.resource)).toEqual([
      { label: 'CPU', value: 'AMD EPYC 7B13 64-Core Processor' },
      { label: 'Logical CPUs', value: '16' },
      { label: 'Memory', value: '64 GiB' },
      { label: 'GPU', value: '1 × NVIDIA L4 (24 GiB total)' },
      { label: 'OS', value: 'linux 6.8.0-45-generic amd64' },
      { label: 'Node.js', value: '24.9.0' },
      { label: 'Agent', value: 'telemetry-agent 0.1.0' },
    ]);
    expect(hardwareRows(memoryOnly.resource)).toEqual([{ label: 'Node.js', value: '22.15.0' }]);
  });

  it('puts model load, training and its epochs on the timeline', () => {
    const bars = timelineBars(training.spans);
    expect(bars.map((b) => [b.kind, b.label, b.detail])).toEqual([
      ['load', 'model load', 'Xenova/mnist-cnn · tfjs'],
      ['train', 'training', 'tfjs · fit · 3 epochs planned'],
      ['epoch', 'epoch 0', 'loss 0.465'],
      ['epoch', 'epoch 1', 'loss 0.169'],
      ['epoch', 'epoch 2', 'loss 0.113'],
    ]);
    expect(bars[2].endMs - bars[2].startMs).toBeCloseTo((TRAINING_EPOCHS[0].endS - TRAINING_EPOCHS[0].startS) * 1000, 6);
    expect(timelineBars(inference.spans).map((b) => b.kind)).toEqual(['load']);
    // Epochs of a train span that never arrived still show.
    expect(timelineBars(training.spans.filter((s) => s.name !== 'ml.train')).map((b) => b.kind)).toEqual(['load', 'epoch', 'epoch', 'epoch']);
  });

  it('builds progress and loss series over time', () => {
    const view = trainingView(training);
    expect(view.progress).toHaveLength(1);
    const progress = view.progress[0].points;
    expect(progress.map((p) => p.value)).toEqual([...progress.map((p) => p.value)].sort((a, b) => a - b));
    expect(progress.at(-1)!.value).toBe(1);
    expect(view.lossMetric[0].points.length).toBeGreaterThan(3);
    expect(view.lossAtEpochEnd!.points.map((p) => p.value)).toEqual(TRAINING_EPOCHS.map((e) => e.loss));
    expect(trainingView(inference)).toEqual({ progress: [], lossMetric: [], lossAtEpochEnd: undefined });
  });

  it('makes one series per attribute set, in time order, one value per time', () => {
    const t = (timeMs: number, value: number, attributes = {}): MetricPoint => ({ metric: 'g', unit: 'By', kind: 'gauge', temporality: 0, startMs: 0, timeMs, attributes, value });
    const series = metricSeries([t(3, 30), t(1, 10), t(1, 11), t(2, 5, { 'hw.id': '1' }), { ...t(4, 1), metric: 'other' }], 'g');
    expect(series).toEqual([
      { label: '', points: [{ timeMs: 1, value: 11 }, { timeMs: 3, value: 30 }] },
      { label: 'GPU 1', points: [{ timeMs: 2, value: 5 }] },
    ]);
    expect(attributeLabel({ 'process.memory.type': 'rss', 'ml.framework': 'tfjs' })).toBe('tfjs');
    expect(attributeLabel({ zeta: 1, 'ml.operation': 'predict', 'ml.framework': 'onnxruntime', alpha: 'a' })).toBe('onnxruntime · predict · alpha=a · zeta=1');
  });

  it('charts each memory metric present', () => {
    expect(memoryCharts(training).map((c) => [c.metric, c.series.map((s) => s.label)])).toEqual([
      ['process.memory.usage', ['']],
      ['v8js.memory.heap.used', ['']],
      ['ml.tfjs.memory.bytes', ['']],
      ['hw.gpu.memory.usage', ['GPU 0']],
    ]);
    expect(memoryCharts(memoryOnly).map((c) => c.metric)).toEqual(['process.memory.usage']);
  });

  it('lists errors with type and redacted message, and ml.errors totals', () => {
    expect(errorEntries(training.spans).map((e) => [e.spanName, e.type, e.message, e.origin])).toEqual([
      ['ml.inference', 'RangeError', INFERENCE_ERROR_MESSAGE, ''],
      ['uncaught_exception', 'TypeError', CRASH_MESSAGE, 'uncaughtException'],
    ]);
    expect(errorCounts(training.points)).toEqual([
      { type: 'RangeError', count: 1 },
      { type: 'TypeError', count: 1 },
    ]);
    expect(errorEntries(inference.spans)).toEqual([]);
  });

  it('sums a run up in a headline', () => {
    expect(runHeadline(training)).toEqual({ durationMs: 44_800, epochsCompleted: 3, finalLoss: 0.113, inferenceCalls: 240, errors: 2 });
    expect(runHeadline(inference)).toMatchObject({ epochsCompleted: 0, finalLoss: undefined, inferenceCalls: 400, errors: 0 });
  });
});

describe('formatting', () => {
  it('formats bytes, durations, latencies and ticks', () => {
    expect(formatBytes(64 * 1024 ** 3)).toBe('64 GiB');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(byteScale(300 * 1024 ** 2)).toEqual({ divisor: 1024 ** 2, unit: 'MiB' });
    expect(formatDuration(850)).toBe('850 ms');
    expect(formatDuration(44_800)).toBe('44.8 s');
    expect(formatDuration(125_000)).toBe('2 min 05 s');
    expect(formatDuration(3_725_000)).toBe('1 h 02 min');
    expect(formatSeconds(0.0234)).toBe('23.4 ms');
    expect(formatSeconds(2.5)).toBe('2.5 s');
    expect(formatSeconds(0.000018)).toBe('18 µs');
    expect(timeScale(900).unit).toBe('ms');
    expect(timeScale(44_800).unit).toBe('s');
    expect(timeScale(30 * 60_000).unit).toBe('min');
    expect(niceTicks(0, 44.8, 6)).toEqual([0, 10, 20, 30, 40]);
    expect(niceTicks(0, 1, 4)).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(niceTicks(0, 1, 4, true)).toEqual([0, 1]);
    expect(niceDomain([0.12, 0.68], true)).toEqual([0, 0.8]);
    expect(niceDomain([], true)).toEqual([0, 1]);
  });

  it('escapes every interpolated value unless it is already safe html', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
    const evil = '<img src=x onerror=alert(1)>';
    expect(html`<p title="${evil}">${evil}${[evil, html`<b>ok</b>`]}</p>`.html).toBe(
      '<p title="&lt;img src=x onerror=alert(1)&gt;">&lt;img src=x onerror=alert(1)&gt;&lt;img src=x onerror=alert(1)&gt;<b>ok</b></p>',
    );
  });
});

describe('the HTML report', () => {
  const meta = { sourceDir: '/data/<dir>', generatedAt: new Date(Date.UTC(2025, 5, 3)), files: ['a.jsonl'], skippedLines: 2 };

  it('has every section for the training run, newest run first', () => {
    const page = renderReport(runs, meta);
    const sections = ['Hardware and runtime', 'Timeline', 'Training progress', 'Loss', 'Memory', 'Inference latency', 'Errors'];
    const first = page.slice(page.indexOf('id="run-1"'), page.indexOf('id="run-2"'));
    for (const title of sections) expect(first).toContain(`>${title}<`);
    expect(page.indexOf('mnist-trainer')).toBeLessThan(page.indexOf('sentiment-cli'));
    expect(page.indexOf('sentiment-cli')).toBeLessThan(page.indexOf('legacy-script'));
    expect(first).toContain('time since run start (s)');
    expect(first).toContain('memory (MiB)');
    expect(first).toContain('memory (GiB)');
    expect(first).toContain('progress (%)');
    expect(first).toContain('2025-06-02 09:30:00 UTC');
    expect(page).toContain('2 lines were not OTLP JSON and were skipped.');
  });

  it('escapes text from telemetry', () => {
    const page = renderReport(runs, meta);
    expect(page).toContain(escapeHtml(INFERENCE_ERROR_MESSAGE));
    expect(page).not.toContain(INFERENCE_ERROR_MESSAGE);
    expect(page).toContain(escapeHtml(CRASH_MESSAGE));
    expect(page).toContain('/data/&lt;dir&gt;');

    const [evil] = groupRuns([{ resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: '<script>alert(1)</script>' } }] }, scopeSpans: [{ spans: [{ name: 'ml.model.load', startTimeUnixNano: '1000000000000000000', endTimeUnixNano: '1000000001000000000', attributes: [{ key: 'ml.model.name', value: { stringValue: '"><svg onload=alert(1)>' } }] }] }] }] }], []);
    const evilPage = renderReport([evil], meta);
    expect(evilPage).not.toMatch(/<script|<svg onload/i);
    expect(evilPage).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });

  it('is self-contained: no script, no external resource', () => {
    const page = renderReport(runs, meta);
    expect(page).not.toMatch(/<script/i);
    expect(page).not.toMatch(/(src|href)\s*=\s*"(https?:)?\/\//i);
    expect(page).not.toMatch(/@import|url\(/i);
    expect(page).toContain("default-src 'none'");
  });

  it('shows empty states for runs with only some signals', () => {
    const page = renderReport(runs, meta);
    const second = page.slice(page.indexOf('id="run-2"'), page.indexOf('id="run-3"'));
    expect(second).toContain('No training in this run.');
    expect(second).toContain('No errors in this run.');
    expect(second).toContain('>Inference latency<');
    const third = page.slice(page.indexOf('id="run-3"'));
    expect(third).toContain('No training or model loading in this run.');
    expect(third).toContain('No inference calls in this run.');
    expect(third).toContain('no service.instance.id');
    expect(renderReport([], meta)).toContain('No traces or metrics were found.');
  });
});

describe('telemetry-agent report', () => {
  function capture() {
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    let out = '';
    let err = '';
    stdout.on('data', (c: Buffer) => (out += c.toString()));
    stderr.on('data', (c: Buffer) => (err += c.toString()));
    return { stdout, stderr, out: () => out, err: () => err };
  }

  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'report-cli-'));
    const { traces, metrics } = await sampleJsonl();
    await mkdir(join(dir, 'data'));
    await writeFile(join(dir, 'data', 'traces.jsonl'), traces);
    await writeFile(join(dir, 'data', 'metrics.jsonl'), metrics);
    await mkdir(join(dir, 'empty'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('writes <dir>/report.html by default and -o elsewhere', async () => {
    const io = capture();
    expect(await runReport([join(dir, 'data')], io)).toBe(0);
    expect(io.out()).toBe(`telemetry-agent report: wrote ${join(dir, 'data', 'report.html')} (3 runs, 14 spans, 88 metric points)\n`);
    expect(await readFile(join(dir, 'data', 'report.html'), 'utf8')).toMatch(/^<!doctype html>/);
    const other = join(dir, 'other.html');
    expect(await runReport([join(dir, 'data'), '-o', other], capture())).toBe(0);
    expect(await readFile(other, 'utf8')).toContain('mnist-trainer');
  });

  it('returns 2 on bad arguments and 1 when there is nothing to report', async () => {
    for (const argv of [[], ['-o'], ['--nope', 'x'], ['a', 'b']]) {
      const io = capture();
      expect(await runReport(argv, io)).toBe(2);
      expect(io.err().trim().split('\n')).toHaveLength(1);
    }
    const missing = capture();
    expect(await runReport([join(dir, 'missing')], missing)).toBe(1);
    expect(missing.err()).toMatch(/is not a directory/);
    const empty = capture();
    expect(await runReport([join(dir, 'empty')], empty)).toBe(1);
    expect(empty.err()).toMatch(/no \*\.jsonl files/);
    expect(parseReportArgs(['d', '--output=x.html'])).toEqual({ kind: 'run', dir: 'd', output: 'x.html', watch: false });
  });
});
