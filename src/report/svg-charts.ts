// Inline SVG charts drawn at build time: the report needs no script and no network to view.
// Every data mark carries class "mark" and a <title> so hovering shows its value.

import { formatTick, niceTicks } from './format-units.js';
import { html, type SafeHtml } from './html-template.js';

export const PALETTE = ['#2563eb', '#ea580c', '#16a34a', '#9333ea', '#0891b2', '#c026d3', '#854d0e', '#475569'];
export const ERROR_COLOR = '#dc2626';

interface Frame {
  readonly width: number;
  readonly height: number;
  readonly left: number;
  readonly right: number;
  readonly top: number;
  readonly bottom: number;
}

function linear(domain: readonly [number, number], range: readonly [number, number]): (v: number) => number {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  const span = d1 - d0 || 1;
  return (v) => r0 + ((v - d0) / span) * (r1 - r0);
}

const n = (v: number) => Number(v.toFixed(1));
const MAX_MARKERS = 400;

function svgOpen(frame: Frame, label: string, body: SafeHtml[]): SafeHtml {
  return html`<svg class="chart" viewBox="0 0 ${frame.width} ${frame.height}" role="img" aria-label="${label}" xmlns="http://www.w3.org/2000/svg">${body}</svg>`;
}

function xAxis(frame: Frame, x: (v: number) => number, ticks: number[], format: (v: number) => string, label: string, grid = true): SafeHtml {
  const y0 = frame.height - frame.bottom;
  return html`<g class="axis x-axis">${ticks.map(
    (t) => html`${grid ? html`<line class="grid" x1="${n(x(t))}" x2="${n(x(t))}" y1="${frame.top}" y2="${y0}"/>` : ''}<line class="tick" x1="${n(x(t))}" x2="${n(x(t))}" y1="${y0}" y2="${y0 + 4}"/><text x="${n(x(t))}" y="${y0 + 16}" text-anchor="middle">${format(t)}</text>`,
  )}<line class="baseline" x1="${frame.left}" x2="${frame.width - frame.right}" y1="${y0}" y2="${y0}"/><text class="axis-label" x="${n((frame.left + frame.width - frame.right) / 2)}" y="${frame.height - 6}" text-anchor="middle">${label}</text></g>`;
}

function yAxis(frame: Frame, y: (v: number) => number, ticks: number[], format: (v: number) => string, label: string): SafeHtml {
  const midY = n((frame.top + frame.height - frame.bottom) / 2);
  return html`<g class="axis y-axis">${ticks.map(
    (t) => html`<line class="grid" x1="${frame.left}" x2="${frame.width - frame.right}" y1="${n(y(t))}" y2="${n(y(t))}"/><text x="${frame.left - 6}" y="${n(y(t)) + 4}" text-anchor="end">${format(t)}</text>`,
  )}<text class="axis-label" transform="translate(14 ${midY}) rotate(-90)" text-anchor="middle">${label}</text></g>`;
}

// ---------- line chart ----------

export interface LinePoint {
  readonly x: number;
  readonly y: number;
  /** Hover text for the point. */
  readonly title: string;
}

export interface LineSeries {
  readonly label: string;
  readonly color: string;
  readonly points: readonly LinePoint[];
  /** Markers only, no connecting line (values known at discrete moments, e.g. epoch ends). */
  readonly dotsOnly?: boolean;
}

export interface LineChartOptions {
  readonly label: string;
  readonly series: readonly LineSeries[];
  readonly xDomain: readonly [number, number];
  readonly yDomain: readonly [number, number];
  readonly xLabel: string;
  readonly yLabel: string;
  readonly xFormat?: (v: number) => string;
  readonly yFormat?: (v: number) => string;
  readonly width?: number;
  readonly height?: number;
}

export function lineChart(o: LineChartOptions): SafeHtml {
  const frame: Frame = { width: o.width ?? 560, height: o.height ?? 230, left: 62, right: 18, top: 14, bottom: 44 };
  const x = linear(o.xDomain, [frame.left, frame.width - frame.right]);
  const y = linear(o.yDomain, [frame.height - frame.bottom, frame.top]);
  const xFormat = o.xFormat ?? formatTick;
  const yFormat = o.yFormat ?? formatTick;
  const body: SafeHtml[] = [
    yAxis(frame, y, niceTicks(o.yDomain[0], o.yDomain[1], 4), yFormat, o.yLabel),
    xAxis(frame, x, niceTicks(o.xDomain[0], o.xDomain[1], 6), xFormat, o.xLabel),
  ];
  for (const s of o.series) {
    const radius = s.dotsOnly ? 4.5 : s.points.length > 80 ? 1.6 : 3;
    // Past a few hundred points the markers would only blur the line and bloat the file.
    const markers = s.dotsOnly || s.points.length <= MAX_MARKERS ? s.points : [];
    const path = s.points.map((p, i) => `${i === 0 ? 'M' : 'L'}${n(x(p.x))},${n(y(p.y))}`).join(' ');
    body.push(html`<g class="series" data-series="${s.label}">${
      !s.dotsOnly && s.points.length > 1 ? html`<path class="series-line" d="${path}" fill="none" stroke="${s.color}" stroke-width="2" stroke-linejoin="round"/>` : ''
    }${markers.map(
      (p) => html`<circle class="mark" cx="${n(x(p.x))}" cy="${n(y(p.y))}" r="${radius}" fill="${s.dotsOnly ? '#fff' : s.color}" stroke="${s.color}" stroke-width="${s.dotsOnly ? 2 : 0}"><title>${p.title}</title></circle>`,
    )}</g>`);
  }
  return svgOpen(frame, o.label, body);
}

// ---------- timeline (Gantt) ----------

export interface GanttBar {
  readonly label: string;
  readonly detail: string;
  readonly start: number;
  readonly end: number;
  readonly color: string;
  readonly indent: boolean;
  readonly error: boolean;
  readonly title: string;
}

export interface GanttMarker {
  readonly at: number;
  readonly label: string;
  readonly title: string;
}

export interface GanttOptions {
  readonly label: string;
  readonly bars: readonly GanttBar[];
  readonly markers: readonly GanttMarker[];
  readonly xDomain: readonly [number, number];
  readonly xLabel: string;
  readonly xFormat?: (v: number) => string;
  readonly width?: number;
}

const ROW = 26;

export function ganttChart(o: GanttOptions): SafeHtml {
  const markerSpace = o.markers.length ? 18 : 4;
  const frame: Frame = { width: o.width ?? 1120, height: markerSpace + o.bars.length * ROW + 48, left: 150, right: 24, top: markerSpace, bottom: 44 };
  const x = linear(o.xDomain, [frame.left, frame.width - frame.right]);
  const plotRight = frame.width - frame.right;
  const body: SafeHtml[] = [xAxis(frame, x, niceTicks(o.xDomain[0], o.xDomain[1], 8), o.xFormat ?? formatTick, o.xLabel)];
  o.bars.forEach((b, i) => {
    const top = frame.top + i * ROW + 5;
    const x0 = x(b.start);
    const width = Math.max(2, x(b.end) - x0);
    const textX = x0 + width + 6;
    // Details go right of the bar, or inside it when the bar reaches the right edge.
    const inside = textX + b.detail.length * 6.5 > plotRight;
    body.push(html`<g class="row"><text class="row-label${b.indent ? ' indent' : ''}" x="${b.indent ? frame.left - 10 : frame.left - 24}" y="${top + 12}" text-anchor="end">${b.label}</text><rect class="mark bar" x="${n(x0)}" y="${top}" width="${n(width)}" height="16" rx="3" fill="${b.color}" stroke="${b.error ? ERROR_COLOR : 'none'}" stroke-width="${b.error ? 2 : 0}"><title>${b.title}</title></rect>${
      b.detail
        ? html`<text class="bar-detail${inside ? ' inside' : ''}" x="${n(inside ? x0 + width - 6 : textX)}" y="${top + 12}" text-anchor="${inside ? 'end' : 'start'}">${b.detail}</text>`
        : ''
    }</g>`);
  });
  for (const m of o.markers) {
    const mx = n(x(m.at));
    body.push(html`<g class="mark error-marker"><line x1="${mx}" x2="${mx}" y1="${frame.top}" y2="${frame.height - frame.bottom}" stroke="${ERROR_COLOR}" stroke-width="1.5" stroke-dasharray="4 3"/><path d="M${mx - 6},2 L${mx + 6},2 L${mx},${frame.top - 2} Z" fill="${ERROR_COLOR}"/><text x="${mx + 9}" y="12" fill="${ERROR_COLOR}">${m.label}</text><title>${m.title}</title></g>`);
  }
  return svgOpen(frame, o.label, body);
}

// ---------- histogram buckets ----------

export interface BucketBar {
  readonly label: string;
  readonly count: number;
  readonly title: string;
}

export interface BucketMarker {
  /** Position in bucket units: 2.5 is the middle of the third bar. */
  readonly position: number;
  readonly label: string;
}

export interface BucketChartOptions {
  readonly label: string;
  readonly buckets: readonly BucketBar[];
  readonly markers: readonly BucketMarker[];
  readonly xLabel: string;
  readonly yLabel: string;
  readonly color: string;
  readonly width?: number;
}

export function bucketChart(o: BucketChartOptions): SafeHtml {
  const frame: Frame = { width: o.width ?? 560, height: 250, left: 62, right: 18, top: 26, bottom: 58 };
  const max = Math.max(1, ...o.buckets.map((b) => b.count));
  const yTicks = niceTicks(0, max, 4, true);
  const yMax = Math.max(max, yTicks[yTicks.length - 1] ?? max);
  const y = linear([0, yMax], [frame.height - frame.bottom, frame.top]);
  const band = (frame.width - frame.left - frame.right) / Math.max(1, o.buckets.length);
  const baseY = frame.height - frame.bottom;
  const body: SafeHtml[] = [yAxis(frame, y, yTicks, formatTick, o.yLabel)];
  o.buckets.forEach((b, i) => {
    const x0 = frame.left + i * band;
    body.push(html`<rect class="mark bar" x="${n(x0 + band * 0.12)}" y="${n(y(b.count))}" width="${n(band * 0.76)}" height="${n(baseY - y(b.count))}" fill="${o.color}"><title>${b.title}</title></rect><text class="bucket-label" x="${n(x0 + band / 2)}" y="${baseY + 16}" text-anchor="middle">${b.label}</text>`);
  });
  body.push(html`<line class="baseline" x1="${frame.left}" x2="${frame.width - frame.right}" y1="${baseY}" y2="${baseY}"/><text class="axis-label" x="${n((frame.left + frame.width - frame.right) / 2)}" y="${frame.height - 8}" text-anchor="middle">${o.xLabel}</text>`);
  for (const [i, m] of mergeCloseMarkers(o.markers, band).entries()) {
    const mx = n(frame.left + m.position * band);
    body.push(html`<g class="percentile"><line x1="${mx}" x2="${mx}" y1="${frame.top - 4}" y2="${baseY}" stroke="#111827" stroke-width="1.2" stroke-dasharray="3 3"/><text x="${mx + 3}" y="${frame.top - 12 + (i % 2) * 10}" class="percentile-label">${m.label}</text></g>`);
  }
  return svgOpen(frame, o.label, body);
}

/** Markers closer than a label's width share one line and one label ("p95/p99"). */
function mergeCloseMarkers(markers: readonly BucketMarker[], band: number): BucketMarker[] {
  const out: BucketMarker[] = [];
  for (const m of [...markers].sort((a, b) => a.position - b.position)) {
    const last = out[out.length - 1];
    if (last && (m.position - last.position) * band < 26) out[out.length - 1] = { position: last.position, label: `${last.label}/${m.label}` };
    else out.push(m);
  }
  return out;
}
