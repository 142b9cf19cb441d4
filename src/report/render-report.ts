// The whole report page: one self-contained HTML document (inline CSS and SVG, no script).

import type { RunData } from './group-runs.js';
import { formatDuration, formatUtc } from './format-units.js';
import { html, trusted } from './html-template.js';
import type { NamedCount, OtherTelemetry } from './other-telemetry.js';
import { renderRun } from './render-run.js';
import { REPORT_CSS } from './report-styles.js';
import { errorEntries, inferenceSummaries, NAMES } from './run-views.js';

export interface ReportMeta {
  readonly sourceDir: string;
  readonly generatedAt: Date;
  readonly files: readonly string[];
  readonly skippedLines: number;
  /** What the run sections do not draw; listed at the end. */
  readonly other?: OtherTelemetry;
  /** `report --watch`: the page reloads itself this often (seconds). */
  readonly refreshSeconds?: number;
}

export function renderReport(runs: readonly RunData[], meta: ReportMeta): string {
  const anchors = runs.map((_, i) => `run-${i + 1}`);
  const spanCount = runs.reduce((a, r) => a + r.spans.length, 0);
  const pointCount = runs.reduce((a, r) => a + r.points.length, 0);
  const page = html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
${meta.refreshSeconds ? html`<meta http-equiv="refresh" content="${meta.refreshSeconds}">` : ''}
<title>Telemetry report: ${runs.length} run${runs.length === 1 ? '' : 's'}</title>
<style>${trusted(REPORT_CSS)}</style>
</head>
<body>
<main>
<header class="page-header">
<h1>Telemetry report</h1>
<p class="muted">${runs.length} run${runs.length === 1 ? '' : 's'} · ${spanCount} spans · ${pointCount} metric points · from <code>${meta.sourceDir}</code> (${meta.files.length} file${meta.files.length === 1 ? '' : 's'}) · generated ${formatUtc(meta.generatedAt.getTime())}</p>
${meta.refreshSeconds ? html`<p class="live">Live: <code>telemetry-agent report --watch</code> rewrites this page as data arrives; it reloads itself every ${meta.refreshSeconds} s.</p>` : ''}
${meta.skippedLines > 0 ? html`<p class="warning">${meta.skippedLines} line${meta.skippedLines === 1 ? ' was' : 's were'} not OTLP JSON and ${meta.skippedLines === 1 ? 'was' : 'were'} skipped.</p>` : ''}
</header>
${runs.length === 0 && !hasOther(meta.other) ? html`<p class="empty">No traces or metrics were found. Run <code>telemetry-agent collect</code>, point an app at it, then report again.</p>` : ''}
${runs.length > 1 ? renderIndex(runs, anchors) : ''}
${runs.map((run, i) => renderRun(run, anchors[i]))}
${hasOther(meta.other) ? renderOther(meta.other!) : ''}
<footer>Made by <code>telemetry-agent report</code>. Newest run first; times are UTC. This file loads nothing from the network.</footer>
</main>
</body>
</html>
`;
  return page.html;
}

function renderIndex(runs: readonly RunData[], anchors: readonly string[]) {
  return html`<nav class="run-index" aria-label="Runs"><table><thead><tr><th>run</th><th>started</th><th>duration</th><th>contains</th></tr></thead><tbody>${runs.map((run, i) => {
    const errors = errorEntries(run.spans).length;
    const badges = [
      run.spans.some((s) => s.name === NAMES.train) ? html`<span class="badge">training</span>` : '',
      inferenceSummaries(run.points).length ? html`<span class="badge">inference</span>` : '',
      run.spans.some((s) => s.name === NAMES.modelLoad) ? html`<span class="badge">model load</span>` : '',
      run.points.length && !run.spans.length ? html`<span class="badge quiet">metrics only</span>` : '',
      errors ? html`<span class="badge error">${errors} error${errors === 1 ? '' : 's'}</span>` : '',
    ];
    return html`<tr><td><a href="#${anchors[i]}">${run.serviceName}</a>${run.serviceVersion ? html` <span class="muted">${run.serviceVersion}</span>` : ''}${run.instanceId ? html` <code class="muted">${run.instanceId.slice(0, 8)}</code>` : ''}</td><td>${formatUtc(run.startMs)}</td><td>${formatDuration(run.endMs - run.startMs)}</td><td>${badges}</td></tr>`;
  })}</tbody></table></nav>`;
}

function hasOther(other: OtherTelemetry | undefined): boolean {
  return other !== undefined && (other.spans.length > 0 || other.metrics.length > 0 || other.logRecords > 0);
}

function renderOther(other: OtherTelemetry) {
  const table = (title: string, what: string, rows: NamedCount[]) =>
    rows.length === 0
      ? ''
      : html`<h3>${title}</h3><table><thead><tr><th>service</th><th>name</th><th class="num">${what}</th></tr></thead><tbody>${rows.map(
          (r) => html`<tr><td>${r.service}</td><td><code>${r.name || '(no name)'}</code></td><td class="num">${r.count}</td></tr>`,
        )}</tbody></table>`;
  return html`<section class="run other" id="other-telemetry"><h2>Other telemetry in this directory</h2>
<p class="muted">Spans and metrics that are not the machine-learning ones drawn above, and log records, by service and name.</p>
${table('Spans', 'spans', other.spans)}
${table('Metrics', 'data points', other.metrics)}
${table(`Log records (${other.logRecords})`, 'records', other.logs.map((l) => ({ ...l, name: l.name || 'no severity' })))}
</section>`;
}
