export const REPORT_CSS = `
:root {
  --ink: #111827; --muted: #6b7280; --line: #e5e7eb; --panel: #ffffff; --page: #f3f4f6;
  --accent: #2563eb; --error: #dc2626; --ok: #16a34a;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  color: var(--ink); background: var(--page);
}
* { box-sizing: border-box; }
body { margin: 0; padding: 24px; line-height: 1.45; }
main { max-width: 1200px; margin: 0 auto; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 21px; margin: 0; }
h3 { font-size: 15px; margin: 0 0 2px; }
code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 0.92em; }
.muted { color: var(--muted); }
.page-header { margin-bottom: 20px; }
.page-header p { margin: 2px 0; }
.warning { color: #92400e; background: #fef3c7; border: 1px solid #fcd34d; padding: 6px 10px; border-radius: 6px; display: inline-block; }
table { border-collapse: collapse; width: 100%; font-size: 13.5px; }
th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { color: var(--muted); font-weight: 600; font-size: 12px; text-transform: uppercase; letter-spacing: 0.03em; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.run-index { background: var(--panel); border: 1px solid var(--line); border-radius: 10px; padding: 12px 16px; margin-bottom: 24px; }
.run-index a { color: var(--accent); text-decoration: none; font-weight: 600; }
.badge { display: inline-block; font-size: 11.5px; padding: 1px 8px; border-radius: 999px; background: #e0e7ff; color: #3730a3; margin-right: 4px; }
.badge.error { background: #fee2e2; color: #991b1b; }
.badge.quiet { background: #f3f4f6; color: var(--muted); }
.run { background: var(--panel); border: 1px solid var(--line); border-radius: 12px; padding: 20px; margin-bottom: 28px; }
.run-header { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 400px); gap: 24px; margin-bottom: 16px; }
.run-header .version { color: var(--muted); font-weight: 400; font-size: 16px; }
.run-meta { margin: 4px 0 12px; color: var(--muted); font-size: 13.5px; }
.headline { display: flex; flex-wrap: wrap; gap: 10px; margin: 0; }
.headline div { border: 1px solid var(--line); border-radius: 8px; padding: 6px 12px; min-width: 104px; }
.headline dt { font-size: 11.5px; color: var(--muted); text-transform: uppercase; letter-spacing: 0.03em; }
.headline dd { margin: 0; font-size: 19px; font-weight: 600; font-variant-numeric: tabular-nums; }
.headline .bad dd { color: var(--error); }
.hardware h3 { margin-bottom: 4px; }
.hardware td:first-child { color: var(--muted); width: 110px; white-space: nowrap; }
.panels { display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); grid-auto-flow: row dense; align-items: start; gap: 16px; }
.panel { border: 1px solid var(--line); border-radius: 10px; padding: 12px 14px; min-width: 0; }
.panel.wide { grid-column: 1 / -1; }
.panel > .subtitle { margin: 0 0 8px; color: var(--muted); font-size: 12.5px; }
.empty { color: var(--muted); font-style: italic; margin: 10px 0 4px; text-align: center; }
.small-multiples { display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 8px 20px; }
.small-multiples h4 { margin: 6px 0 0; font-size: 13px; }
.small-multiples h4 code { color: var(--muted); font-weight: 400; }
.chart { width: 100%; height: auto; display: block; overflow: visible; }
.chart text { font-size: 11.5px; fill: #374151; }
.chart .axis-label { fill: var(--muted); font-size: 11.5px; }
.chart .grid { stroke: #eef0f3; }
.chart .tick, .chart .baseline { stroke: #9ca3af; }
.chart .row-label { font-size: 12.5px; fill: var(--ink); font-weight: 600; }
.chart .row-label.indent { font-weight: 400; fill: #374151; }
.chart .bar-detail { font-size: 11.5px; fill: #374151; }
.chart .bar-detail.inside { fill: #ffffff; }
.chart .percentile-label { font-size: 11px; font-weight: 600; fill: var(--ink); }
.chart .bucket-label { font-size: 10.5px; }
.legend { display: flex; flex-wrap: wrap; gap: 4px 14px; font-size: 12.5px; margin: 4px 0 0 62px; }
.legend span::before { content: ""; display: inline-block; width: 12px; height: 3px; margin-right: 5px; vertical-align: middle; background: var(--swatch); }
.legend span.dots::before { width: 8px; height: 8px; border-radius: 50%; background: #fff; border: 2px solid var(--swatch); }
.errors td.message { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12.5px; word-break: break-word; }
.errors td.type { color: var(--error); font-weight: 600; white-space: nowrap; }
.inference-block { margin-top: 10px; }
.inference-block + .inference-block { margin-top: 14px; }
.inference-table th, .inference-table td { padding: 5px 5px; }
.inference-table td:first-child { overflow-wrap: anywhere; min-width: 8em; }
footer { color: var(--muted); font-size: 12.5px; text-align: center; margin: 8px 0 24px; }
@media (max-width: 860px) {
  .run-header, .panels, .small-multiples { grid-template-columns: minmax(0, 1fr); }
}
@media print { body { background: #fff; padding: 0; } .run { break-inside: avoid-page; } }
`;
