// One run's section of the report: header with hardware, then the timeline, training,
// memory, inference and error panels, each with an empty state when the run lacks the data.

import type { HistogramValue, RunData } from './group-runs.js';
import { byteScale, formatDuration, formatSeconds, formatTick, formatUtc, niceDomain, timeScale, trimNumber, type Scale } from './format-units.js';
import { html, type SafeHtml } from './html-template.js';
import {
  errorCounts,
  errorEntries,
  formatLoss,
  hardwareRows,
  inferenceSummaries,
  memoryCharts,
  NAMES,
  runHeadline,
  timelineBars,
  trainingView,
  usageRows,
  type InferenceSummary,
  type Series,
} from './run-views.js';
import { generationSummaries } from './generation-views.js';
import { bucketChart, ERROR_COLOR, ganttChart, lineChart, PALETTE, type LineSeries } from './svg-charts.js';
import { trainingCurves, trainingRuns, type TrainingRunSummary } from './training-views.js';

/** Times in a run are shown relative to its start, in one unit for all its charts. */
interface RunClock {
  readonly startMs: number;
  readonly scale: Scale;
  readonly domain: readonly [number, number];
  readonly label: string;
  at(ms: number): number;
  text(ms: number): string;
}

function runClock(run: RunData): RunClock {
  const scale = timeScale(run.endMs - run.startMs);
  const at = (ms: number) => (ms - run.startMs) / scale.divisor;
  return {
    startMs: run.startMs,
    scale,
    domain: [0, Math.max(at(run.endMs), 1e-9)],
    label: `time since run start (${scale.unit})`,
    at,
    text: (ms) => `${trimNumber(at(ms), scale.unit === 'ms' ? 2 : 1)} ${scale.unit}`,
  };
}

const BAR_COLORS = { load: '#0d9488', train: '#1d4ed8', epoch: '#60a5fa' } as const;

export function renderRun(run: RunData, anchor: string): SafeHtml {
  const clock = runClock(run);
  return html`<section class="run" id="${anchor}">
${renderHeader(run)}
<div class="panels">
${renderTimeline(run, clock)}
${renderTraining(run, clock)}
${renderMemory(run, clock)}
${renderInference(run)}
${renderGeneration(run)}
${renderErrors(run, clock)}
${renderUsage(run, clock)}
</div>
</section>`;
}

function renderHeader(run: RunData): SafeHtml {
  const headline = runHeadline(run);
  const hardware = hardwareRows(run.resource);
  const stat = (label: string, value: string, bad = false) => html`<div class="${bad ? 'bad' : ''}"><dt>${label}</dt><dd>${value}</dd></div>`;
  return html`<header class="run-header">
<div>
<h2>${run.serviceName}${run.serviceVersion ? html` <span class="version">${run.serviceVersion}</span>` : ''}</h2>
<p class="run-meta">started ${formatUtc(run.startMs)} · ${run.instanceId ? html`run <code>${run.instanceId}</code>` : 'no service.instance.id: all such data of this service is shown together'}</p>
<dl class="headline">
${stat('Duration', formatDuration(headline.durationMs))}
${stat('Epochs', String(headline.epochsCompleted))}
${stat('Final loss', headline.finalLoss !== undefined ? formatLoss(headline.finalLoss) : '–')}
${stat('Inference calls', trimNumber(headline.inferenceCalls, 0))}
${stat('Errors', String(headline.errors), headline.errors > 0)}
</dl>
</div>
<div class="hardware">
<h3>Hardware and runtime</h3>
${hardware.length ? html`<table><tbody>${hardware.map((r) => html`<tr><td>${r.label}</td><td>${r.value}</td></tr>`)}</tbody></table>` : html`<p class="empty">This run did not report its hardware.</p>`}
</div>
</header>`;
}

function panel(title: string, subtitle: string, body: SafeHtml, wide = false, extraClass = ''): SafeHtml {
  return html`<section class="panel${wide ? ' wide' : ''}${extraClass ? ` ${extraClass}` : ''}"><h3>${title}</h3><p class="subtitle">${subtitle}</p>${body}</section>`;
}

function empty(text: string): SafeHtml {
  return html`<p class="empty">${text}</p>`;
}

function legend(series: readonly LineSeries[]): SafeHtml {
  if (series.length < 2) return html``;
  return html`<div class="legend">${series.map((s) => html`<span class="${s.dotsOnly ? 'dots' : ''}" style="--swatch:${s.color}">${s.label}</span>`)}</div>`;
}

function toLine(series: Series, color: string, clock: RunClock, format: (v: number) => string, dotsOnly = false): LineSeries {
  return {
    label: series.label,
    color,
    dotsOnly,
    points: series.points.map((p) => ({ x: clock.at(p.timeMs), y: p.value, title: `${series.label ? `${series.label}: ` : ''}${format(p.value)} at ${clock.text(p.timeMs)}` })),
  };
}

function renderTimeline(run: RunData, clock: RunClock): SafeHtml {
  const bars = timelineBars(run.spans);
  const crashes = run.spans.filter((s) => s.name === NAMES.crash);
  if (bars.length === 0) {
    return panel('Timeline', `${NAMES.modelLoad}, ${NAMES.train} and ${NAMES.epoch} spans`, empty('No training or model loading in this run.'));
  }
  const chart = ganttChart({
    label: 'Timeline of model loading, training and epochs',
    xDomain: clock.domain,
    xLabel: clock.label,
    bars: bars.map((b) => {
      const duration = formatDuration(b.endMs - b.startMs);
      const detail = [duration, b.detail].filter(Boolean).join(' · ');
      return {
        label: b.label,
        detail: b.error ? `${detail} · failed` : detail,
        start: clock.at(b.startMs),
        end: clock.at(b.endMs),
        color: BAR_COLORS[b.kind],
        indent: b.kind === 'epoch',
        error: b.error,
        title: `${b.label}: ${clock.text(b.startMs)} to ${clock.text(b.endMs)} (${detail})`,
      };
    }),
    markers: crashes.map((c) => {
      const type = String(c.attributes['exception.type'] ?? 'crash');
      return { at: clock.at(c.startMs), label: `crash: ${type}`, title: `${NAMES.crash} at ${clock.text(c.startMs)}` };
    }),
  });
  return panel('Timeline', 'When the model was loaded and each training run and epoch started and ended', chart, true);
}

function renderTraining(run: RunData, clock: RunClock): SafeHtml {
  const view = trainingView(run);
  const hasTrainSpans = run.spans.some((s) => s.name === NAMES.train || s.name === NAMES.epoch);
  const hasLoss = view.lossMetric.length > 0 || view.lossAtEpochEnd !== undefined;
  if (!hasTrainSpans && view.progress.length === 0 && !hasLoss) {
    return panel('Training', `${NAMES.progress} and ${NAMES.loss}`, empty('No training in this run.'));
  }
  const percent = (v: number) => `${trimNumber(v * 100, 1)}%`;
  const progressLines = view.progress.map((s, i) => toLine(s, PALETTE[i % PALETTE.length], clock, percent));
  const progress = progressLines.length
    ? html`${lineChart({
        label: 'Training progress over time',
        series: progressLines,
        xDomain: clock.domain,
        yDomain: [0, 1],
        xLabel: clock.label,
        yLabel: 'progress (%)',
        yFormat: (v) => formatTick(v * 100),
      })}${legend(progressLines)}`
    : empty('No progress was reported.');

  const curves = trainingCurves(run);
  // Loss by split (one point per epoch at its own time) when the agent sent it; older data: the
  // last reported loss per export and the loss on each epoch span.
  const lossLines: LineSeries[] = curves.loss.length
    ? curves.loss.map((s, i) => toLine(s, PALETTE[i % PALETTE.length], clock, formatLoss))
    : [
        ...view.lossMetric.map((s, i) => {
          // Attributes only tell series apart when there are several (e.g. two frameworks).
          const label = view.lossMetric.length > 1 && s.label ? `last reported loss, ${s.label}` : `last reported loss (${NAMES.loss})`;
          return toLine({ ...s, label }, PALETTE[(i + 1) % PALETTE.length], clock, formatLoss);
        }),
        ...(view.lossAtEpochEnd ? [toLine(view.lossAtEpochEnd, PALETTE[0], clock, formatLoss, true)] : []),
      ];
  const loss = lossLines.length
    ? html`${lineChart({
        label: 'Loss over time',
        series: lossLines,
        xDomain: clock.domain,
        yDomain: niceDomain(lossLines.flatMap((l) => l.points.map((p) => p.y)), true),
        xLabel: clock.label,
        yLabel: 'loss',
      })}${legend(lossLines)}`
    : empty('No loss was reported.');
  const lossSubtitle = curves.loss.length
    ? `${NAMES.loss} by ml.metric.split: training and validation loss of every epoch, at the time it ended`
    : `${NAMES.loss} metric, and the loss recorded on each ${NAMES.epoch} span`;

  return html`${panel('Training progress', `${NAMES.progress}: fraction of the planned epochs or steps done`, progress)}
${panel('Loss', lossSubtitle, loss)}
${renderTrainingMetrics(curves.metrics, clock)}
${renderThroughput(curves.throughput, clock)}
${renderTrainingRuns(trainingRuns(run), clock)}`;
}

function renderTrainingMetrics(metrics: ReturnType<typeof trainingCurves>['metrics'], clock: RunClock): SafeHtml {
  if (metrics.length === 0) return html``;
  const blocks = metrics.map((m) => {
    const lines = m.series.map((s, i) => toLine(s, PALETTE[i % PALETTE.length], clock, (v) => trimNumber(v, 4)));
    return html`<div><h4><code>${m.name}</code></h4>${lineChart({
      label: `${m.name} over time`,
      series: lines,
      xDomain: clock.domain,
      yDomain: niceDomain(lines.flatMap((l) => l.points.map((p) => p.y)), true),
      xLabel: clock.label,
      yLabel: m.name,
      height: 200,
    })}${legend(lines)}</div>`;
  });
  return panel('Training metrics', 'ml.training.metric by ml.metric.name (e.g. accuracy), training and validation, per epoch', html`<div class="small-multiples">${blocks}</div>`, true);
}

function renderThroughput(series: ReturnType<typeof trainingCurves>['throughput'], clock: RunClock): SafeHtml {
  if (series.length === 0) return html``;
  const lines = series.map((s, i) => toLine(s, PALETTE[(i + 4) % PALETTE.length], clock, (v) => `${trimNumber(v, 1)} ${s.label}`));
  return panel('Throughput', `training samples and batches per second of each ${NAMES.epoch} (validation excluded)`, html`${lineChart({
    label: 'Throughput per epoch',
    series: lines,
    xDomain: clock.domain,
    yDomain: niceDomain(lines.flatMap((l) => l.points.map((p) => p.y)), true),
    xLabel: clock.label,
    yLabel: 'per second',
  })}${legend(lines)}`);
}

function renderTrainingRuns(runs: readonly TrainingRunSummary[], clock: RunClock): SafeHtml {
  if (runs.length === 0) return html``;
  const rate = (v: number | undefined) => (v === undefined ? '–' : trimNumber(v, v >= 100 ? 0 : 1));
  const count = (v: number) => (v > 0 ? trimNumber(v, 0) : '–');
  const table = html`<table class="training-runs"><thead><tr><th>model</th><th class="num">fit calls</th><th class="num">epochs</th><th class="num">batches</th><th class="num">samples</th><th class="num">started</th><th class="num">training time</th><th class="num">samples/s</th><th class="num">batches/s</th></tr></thead><tbody>${runs.map(
    (r) => html`<tr><td>${r.label}${r.failed ? html` <span class="type" style="color:${ERROR_COLOR}">failed</span>` : ''}</td><td class="num">${r.fits}</td><td class="num">${count(r.epochs)}</td><td class="num">${count(r.batches)}</td><td class="num">${count(r.samples)}</td><td class="num">${clock.text(r.startMs)}</td><td class="num">${formatDuration(r.trainingMs)}</td><td class="num">${rate(r.samplesPerSecond)}</td><td class="num">${rate(r.batchesPerSecond)}</td></tr>`,
  )}</tbody></table>`;
  return panel('Training runs', `${NAMES.train} spans of one model object (ml.model.instance.id) form one run, however many fit calls it took`, table, true);
}

function renderMemory(run: RunData, clock: RunClock): SafeHtml {
  const charts = memoryCharts(run);
  if (charts.length === 0) return panel('Memory', 'process, V8 heap, TensorFlow.js and GPU memory', empty('No memory metrics in this run.'));
  const blocks = charts.map((c) => {
    const scale = byteScale(c.series.reduce((max, s) => s.points.reduce((m, p) => Math.max(m, p.value), max), 0));
    // Charted in the display unit so the axis ticks are round numbers of MiB or GiB.
    const scaled = c.series.map((s) => ({ ...s, points: s.points.map((p) => ({ timeMs: p.timeMs, value: p.value / scale.divisor })) }));
    const lines = scaled.map((s, i) => toLine(s, PALETTE[(i + 2) % PALETTE.length], clock, (v) => `${trimNumber(v, 1)} ${scale.unit}`));
    return html`<div><h4>${c.title} <code>${c.metric}</code></h4>${lineChart({
      label: `${c.title} over time`,
      series: lines,
      xDomain: clock.domain,
      yDomain: niceDomain(lines.flatMap((l) => l.points.map((p) => p.y)), true),
      xLabel: clock.label,
      yLabel: `memory (${scale.unit})`,
      height: 200,
    })}${legend(lines)}</div>`;
  });
  return panel('Memory', 'Sampled at each metric export', html`<div class="small-multiples">${blocks}</div>`, true);
}

function renderInference(run: RunData): SafeHtml {
  const summaries = inferenceSummaries(run.points);
  const title = 'Inference latency';
  const subtitle = `${NAMES.inference}: call count, and percentiles estimated from the histogram buckets`;
  if (summaries.length === 0) return panel(title, subtitle, empty('No inference calls in this run.'));
  const table = html`<table class="inference-table"><thead><tr><th>calls with</th><th class="num">count</th><th class="num">mean</th><th class="num">p50</th><th class="num">p95</th><th class="num">p99</th><th class="num">max</th></tr></thead><tbody>${summaries.map(
    (s) =>
      html`<tr><td>${s.label || 'all calls'}</td><td class="num">${trimNumber(s.count, 0)}</td><td class="num">${formatSeconds(s.mean)}</td><td class="num">${formatSeconds(s.p50)}</td><td class="num">${formatSeconds(s.p95)}</td><td class="num">${formatSeconds(s.p99)}</td><td class="num">${formatSeconds(s.max)}</td></tr>`,
  )}</tbody></table>`;
  const charts = summaries.slice(0, 3).map((s, i) => html`<div class="inference-block">${summaries.length > 1 ? html`<h4>${s.label || 'all calls'}</h4>` : ''}${latencyChart(s, PALETTE[(i + 4) % PALETTE.length])}</div>`);
  return panel(title, subtitle, html`${table}${charts}`);
}

function renderGeneration(run: RunData): SafeHtml | string {
  const rows = generationSummaries(run.points);
  if (rows.length === 0) return '';
  const n = (v: number | undefined, d = 0) => (v === undefined ? '–' : trimNumber(v, d));
  const s = (v: number | undefined) => (v === undefined ? '–' : formatSeconds(v));
  const table = html`<table class="inference-table"><thead><tr><th>model</th><th class="num">calls</th><th class="num">tokens in</th><th class="num">tokens out</th><th class="num">TTFT p50</th><th class="num">TTFT p95</th><th class="num">tokens/s p50</th><th class="num">tokens/s p5</th></tr></thead><tbody>${rows.map(
    (r) => html`<tr><td>${r.label}</td><td class="num">${n(r.calls)}</td><td class="num">${n(r.inputTokens)}</td><td class="num">${n(r.outputTokens)}</td><td class="num">${s(r.ttftP50)}</td><td class="num">${s(r.ttftP95)}</td><td class="num">${n(r.tokensPerSecondP50)}</td><td class="num">${n(r.tokensPerSecondP5)}</td></tr>`,
  )}</tbody></table>`;
  return panel('Generation', 'Generative calls: exact token counts from the libraries, time to first token, and tokens per second (1 / time per output token) percentiles from the histogram buckets; never the content', table, true);
}

function latencyChart(s: InferenceSummary, color: string): SafeHtml {
  const h = s.histogram;
  if (h.bounds.length === 0) return html``;
  const first = h.counts.findIndex((c) => c > 0);
  const last = h.counts.length - 1 - [...h.counts].reverse().findIndex((c) => c > 0);
  if (first < 0) return html``;
  const range = (i: number) => {
    const lower = i === 0 ? undefined : h.bounds[i - 1];
    const upper = i < h.bounds.length ? h.bounds[i] : undefined;
    return { lower, upper };
  };
  const buckets = h.counts.slice(first, last + 1).map((count, k) => {
    const { lower, upper } = range(first + k);
    const label = upper === undefined ? `> ${formatSeconds(lower)}` : `≤ ${formatSeconds(upper)}`;
    const span = lower === undefined ? `up to ${formatSeconds(upper)}` : upper === undefined ? `over ${formatSeconds(lower)}` : `${formatSeconds(lower)} to ${formatSeconds(upper)}`;
    return { label, count, title: `${span}: ${trimNumber(count, 0)} call${count === 1 ? '' : 's'}` };
  });
  const percentiles: Array<[string, number | undefined]> = [
    ['p50', s.p50],
    ['p95', s.p95],
    ['p99', s.p99],
  ];
  const markers = percentiles.flatMap(([name, value]) => (value === undefined ? [] : [{ position: bucketPosition(h, value) - first, label: name }]));
  return bucketChart({ label: 'Distribution of inference latency', buckets, markers, xLabel: 'latency bucket (upper bound)', yLabel: 'calls', color });
}

/** Where `value` falls on a bucket axis: bucket index plus the fraction through that bucket. */
function bucketPosition(h: HistogramValue, value: number): number {
  let i = h.bounds.findIndex((b) => value <= b);
  if (i < 0) i = h.bounds.length;
  const lower = i === 0 ? Math.min(h.min ?? 0, h.bounds[0]) : h.bounds[i - 1];
  const upper = i < h.bounds.length ? h.bounds[i] : Math.max(h.max ?? lower, lower);
  const fraction = upper > lower ? (value - lower) / (upper - lower) : 0.5;
  return i + Math.min(Math.max(fraction, 0), 1);
}

function renderErrors(run: RunData, clock: RunClock): SafeHtml {
  const entries = errorEntries(run.spans);
  const counts = errorCounts(run.points);
  const subtitle = `${NAMES.crash} spans, spans with status ERROR, and ${NAMES.errors} counts; messages are redacted by the agent`;
  if (entries.length === 0 && counts.length === 0) return panel('Errors', subtitle, empty('No errors in this run.'));
  const table = entries.length
    ? html`<table><thead><tr><th>when</th><th>where</th><th>type</th><th>message</th></tr></thead><tbody>${entries.map(
        (e) =>
          html`<tr><td class="num">${clock.text(e.timeMs)}</td><td><code>${e.spanName}</code>${e.origin ? html`<br><span class="muted">${e.origin}</span>` : ''}</td><td class="type">${e.type}</td><td class="message">${e.message || '–'}</td></tr>`,
      )}</tbody></table>`
    : empty('No failed spans were received.');
  const countTable = counts.length
    ? html`<h4>Counted by <code>${NAMES.errors}</code></h4><table><thead><tr><th>error.type</th><th class="num">count</th></tr></thead><tbody>${counts.map(
        (c) => html`<tr><td class="type" style="color:${ERROR_COLOR}">${c.type}</td><td class="num">${trimNumber(c.count, 0)}</td></tr>`,
      )}</tbody></table>`
    : '';
  return panel('Errors', subtitle, html`${table}${countTable}`, false, 'errors');
}

/** Only for runs of tools that record usage events: what they declared and sent, one row each. */
function renderUsage(run: RunData, clock: RunClock): SafeHtml {
  const rows = usageRows(run.spans);
  if (rows.length === 0) return html``;
  const table = html`<table><thead><tr><th>when</th><th>event</th><th>attributes</th><th class="num">duration</th><th>outcome</th></tr></thead><tbody>${rows.map(
    (r) => html`<tr><td class="num">${clock.text(r.timeMs)}</td><td><code>${r.event}</code></td><td><code>${r.attributes || '–'}</code></td><td class="num">${formatDuration(r.durationMs)}</td><td${r.failed ? html` class="type" style="color:${ERROR_COLOR}"` : ''}>${r.failed ?? 'ok'}</td></tr>`,
  )}</tbody></table>`;
  return panel('Usage events', `${NAMES.usage} spans: the events and commands the tool declared (recordUsage, recordCommand)`, table, true, 'usage');
}
