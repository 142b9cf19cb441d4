// Formats the benchmark's results as plain-text tables (also pasted into docs/performance.md).

export const fmt = (x, digits = 1) => (Number.isFinite(x) ? x.toFixed(digits) : 'n/a');

export function table(header, rows) {
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((r) => String(r[i] ?? '').length)));
  const line = (r) => '| ' + r.map((c, i) => String(c ?? '').padEnd(widths[i])).join(' | ') + ' |';
  return [line(header), '|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|', ...rows.map(line)].join('\n');
}

export function figureValue(f) {
  if (f.kind === 'ratio') return `${fmt(f.value, 3)}×`;
  return `${f.value >= 0 ? '+' : ''}${fmt(f.value, 1)} ${f.diffUnit}`;
}
export function figureTarget(f) {
  return f.kind === 'ratio' ? `≤ ${f.target}×` : `≤ +${f.target} ${f.diffUnit}`;
}

export function infoValue(i) {
  if (i.ratio) return `${fmt(i.value, 3)}×`;
  if (i.plain) return fmt(i.value, 0);
  return `${i.value >= 0 && !i.unsigned ? '+' : ''}${fmt(i.value, 1)} ${i.diffUnit}`;
}

/** The load caveat: whether other work ran on the machine during the benchmark. */
export function machineWasBusy(m) {
  const other = m.otherCpuBusyBeforeRounds;
  // This benchmark's own runs raise the load average; the busy fraction sampled while it is idle does not.
  return other ? other.median > 0.1 || other.max > 0.5 : Math.max(m.loadAverageAtStart?.[0] ?? 0, m.loadAverageAtEnd?.[0] ?? 0) > 1;
}

export function formatReport(results, failures) {
  const out = [];
  const m = results.machine;
  out.push(`telemetry-agent benchmark — ${m.date}`);
  out.push(`machine: ${m.cores} cores (${m.cpu}), ${m.memoryGB} GB, ${m.platform}; Node ${m.node}; agent ${m.agentVersion}; @opentelemetry/auto-instrumentations-node ${m.otelAutoInstrumentations ?? 'not installed'}`);
  out.push(`${m.commit ? `commit ${m.commit}; ` : ''}dist: preload.mjs ${(m.dist['preload.mjs'] / 1024).toFixed(1)} KB, runtime.cjs ${(m.dist['runtime.cjs'] / 1024).toFixed(1)} KB; peak RSS from ${m.rss}`);
  const rounds = Object.entries(results.sections).map(([k, s]) => `${k} ${s.rounds}`).join(', ');
  if (m.loadAverageAtStart) {
    const other = m.otherCpuBusyBeforeRounds;
    const busy = machineWasBusy(m);
    out.push(`load average (1/5/15 min): ${m.loadAverageAtStart.join(' ')} at start, ${m.loadAverageAtEnd?.join(' ') ?? '?'} at end${other ? `; other work before the rounds: median ${fmt(other.median * 100, 0)} % CPU busy (max ${fmt(other.max * 100, 0)} %), ${fmt(m.quietWaitS, 0)} s spent waiting for quiet` : ''}${busy ? ' — other work was running: figures are noisier than on an idle machine' : ''}`);
  }
  out.push(`runs: interleaved rounds per section (${rounds}), one process at a time; value = ratio or difference of the medians, per-round = median of the same figure computed within each round; took ${fmt(results.durationS, 0)} s`);
  out.push('');

  out.push(table(
    ['figure', 'median per variant', 'value', 'per-round', 'target', 'result'],
    results.figures.map((f) => [
      f.figure,
      Object.entries(f.variants).map(([k, v]) => `${k} ${fmt(v, f.unit === 'µs' ? 2 : 1)} ${f.unit}`).join(', '),
      figureValue(f),
      f.paired === undefined ? '' : figureValue({ ...f, value: f.paired }),
      figureTarget(f),
      f.pass ? 'pass' : 'FAIL',
    ]),
  ));
  out.push('');

  for (const section of Object.values(results.sections)) {
    if (section?.lines?.length) out.push(...section.lines, '');
  }

  if (results.info.length > 0) {
    out.push('for reference (no target):');
    for (const i of results.info) {
      out.push(`  ${i.figure}: ${infoValue(i)}${i.detail ? ` (${i.detail})` : ''}`);
    }
    out.push('');
  }

  if (results.profile) out.push(results.profile.text, '');

  const missed = results.figures.filter((f) => !f.pass);
  if (failures.length > 0) {
    out.push(`${failures.length} run(s) FAILED:`);
    for (const f of failures.slice(0, 5)) out.push(`  ${f.variant} ${f.app}: exit ${f.code ?? f.signal}${f.timedOut ? ' (timed out)' : ''}\n    ${f.stderr.trim().split('\n').slice(-5).join('\n    ')}`);
  }
  out.push(missed.length === 0
    ? `all ${results.figures.length} targets met`
    : `${missed.length} of ${results.figures.length} targets missed: ${missed.map((f) => f.id).join(', ')}`);
  return out.join('\n');
}
