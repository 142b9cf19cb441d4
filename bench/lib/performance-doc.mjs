// Writes a benchmark run into docs/performance.md: the figures of the latest run replace the
// block between the `bench:results` markers, and one line per run is added on top of the
// `bench:history` table. Everything outside the markers (method, design, profile) is prose kept by
// hand.
import { figureTarget, figureValue, fmt, infoValue, machineWasBusy } from './report.mjs';

export const MARKERS = {
  results: ['<!-- bench:results:start (written by npm run bench) -->', '<!-- bench:results:end -->'],
  history: ['<!-- bench:history:start (written by npm run bench) -->', '<!-- bench:history:end -->'],
};
const HISTORY_HEADER = '| date (UTC) | commit | rounds | other work | figures (value, per-round) | missed |\n|---|---|---|---|---|---|';

const cell = (s) => String(s).replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** The figure table and what goes with it, as Markdown. */
export function resultsMarkdown(results, failures = []) {
  const m = results.machine;
  const busy = machineWasBusy(m);
  const other = m.otherCpuBusyBeforeRounds;
  const rounds = Object.entries(results.sections).map(([k, s]) => `${k} ${s.rounds}`).join(', ');
  const out = [];
  out.push(`${m.date.slice(0, 16).replace('T', ' ')} UTC, ${m.cores} cores (${m.cpu}), ${m.memoryGB} GB, ${m.platform}, Node ${m.node}, agent ${m.agentVersion}` +
    `${m.commit ? ` at commit ${m.commit}` : ''}; rounds: ${rounds}; the run took ${fmt(results.durationS, 0)} s.`);
  out.push('');
  out.push(busy
    ? `**Taken while other work was running** (other processes used a median ${fmt((other?.median ?? NaN) * 100, 0)} % of the CPU before the rounds, at most ${fmt((other?.max ?? NaN) * 100, 0)} %; load average ${m.loadAverageAtStart?.join(' ')} at the start): these figures are noisier than on an idle machine and **not final**; run \`npm run bench\` again on a quiet machine.`
    : `The machine was quiet (other work used a median ${fmt((other?.median ?? 0) * 100, 0)} % of the CPU before the rounds).`);
  out.push('');
  out.push('| figure | median per variant | value | per-round | target | result |');
  out.push('|---|---|---|---|---|---|');
  for (const f of results.figures) {
    const variants = Object.entries(f.variants ?? {}).map(([k, v]) => `${k} ${fmt(v, f.unit === 'µs' ? 2 : 1)} ${f.unit ?? ''}`.trim()).join(', ');
    out.push(`| ${cell(f.figure)}${f.detail ? ` (${cell(f.detail)})` : ''} | ${cell(variants)} | ${figureValue(f)} | ${f.paired === undefined ? '' : figureValue({ ...f, value: f.paired })} | ${figureTarget(f)} | ${f.pass ? 'pass' : '**miss**'} |`);
  }
  const wire = results.sections.wire;
  if (wire?.lines) {
    out.push('', `**${wire.lines[0]}**`, '', markdownTable(wire.lines[1]), '', wire.lines.slice(2).join(' '));
  }
  if (results.info.length > 0) {
    out.push('', 'For reference, from the same run (no target):', '');
    for (const i of results.info) out.push(`- ${i.figure}: ${infoValue(i)}${i.detail ? ` (${i.detail})` : ''}`);
  }
  if (failures.length > 0) out.push('', `${failures.length} run(s) failed: ${failures.map((f) => `${f.variant} ${f.app.split(/[\\/]/).pop()} (exit ${f.code ?? f.signal})`).join(', ')}.`);
  return out.join('\n');
}

/** One line of the history table for this run. */
export function historyRow(results) {
  const m = results.machine;
  const other = m.otherCpuBusyBeforeRounds;
  const rounds = Object.entries(results.sections).map(([k, s]) => `${k} ${s.rounds}`).join(', ');
  const figures = results.figures.map((f) => `${f.id} ${figureValue(f)}${f.paired === undefined ? '' : ` (${figureValue({ ...f, value: f.paired })})`}`).join('; ');
  const missed = results.figures.filter((f) => !f.pass).map((f) => f.id);
  return `| ${m.date.slice(0, 16).replace('T', ' ')} | ${cell(m.commit ?? '?')} | ${cell(rounds)} | ${other ? `${fmt(other.median * 100, 0)} % CPU` : '?'}${machineWasBusy(m) ? ' (busy)' : ''} | ${cell(figures)} | ${missed.length ? cell(missed.join(', ')) : 'none'} |`;
}

/** The document with this run's results and a new history line; text outside the markers is kept. */
export function updatePerformanceDoc(text, results, failures = []) {
  let doc = replaceBlock(text, MARKERS.results, resultsMarkdown(results, failures));
  const [start, end] = MARKERS.history;
  const body = between(doc, MARKERS.history).trim();
  const previous = body.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| date') && !/^\|[-|]+\|$/.test(l));
  doc = replaceBlock(doc, [start, end], [HISTORY_HEADER, historyRow(results), ...previous].join('\n'));
  return doc;
}

function between(text, [start, end]) {
  const a = text.indexOf(start);
  const b = text.indexOf(end);
  if (a === -1 || b === -1 || b < a) throw new Error(`docs/performance.md: the markers ${start} … ${end} are missing`);
  return text.slice(a + start.length, b);
}

function replaceBlock(text, [start, end], content) {
  between(text, [start, end]);
  const a = text.indexOf(start) + start.length;
  const b = text.indexOf(end);
  return `${text.slice(0, a)}\n${content}\n${text.slice(b)}`;
}

/** The report's plain-text table (| a | b |, then |---|---|) as a Markdown table. */
function markdownTable(plain) {
  return plain.split('\n').map((l) => (/^\|[-|]+\|$/.test(l) ? l.replace(/-+/g, '---') : l.replace(/ {2,}\|/g, ' |'))).join('\n');
}
