// Formats the benchmark's results as plain-text tables (also pasted into docs/performance.md).

const fmt = (x, digits = 1) => (Number.isFinite(x) ? x.toFixed(digits) : 'n/a');

function table(header, rows) {
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((r) => String(r[i] ?? '').length)));
  const line = (r) => '| ' + r.map((c, i) => String(c ?? '').padEnd(widths[i])).join(' | ') + ' |';
  return [line(header), '|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|', ...rows.map(line)].join('\n');
}

function figureValue(f) {
  if (f.kind === 'ratio') return `${fmt(f.value, 3)}×`;
  return `${f.value >= 0 ? '+' : ''}${fmt(f.value, 1)} ${f.diffUnit}`;
}
function figureTarget(f) {
  return f.kind === 'ratio' ? `≤ ${f.target}×` : `≤ +${f.target} ${f.diffUnit}`;
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
    // This benchmark's own runs raise the load average; the busy fraction sampled while it is idle does not.
    const busy = other ? other.median > 0.1 || other.max > 0.5 : Math.max(m.loadAverageAtStart[0], m.loadAverageAtEnd?.[0] ?? 0) > 1;
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

  const t = results.sections.trivial;
  if (t) {
    out.push(`trivial app, per variant (${t.rounds} runs each; median [p25–p75]):`);
    out.push(table(
      ['variant', 'wall ms', 'peak RSS MB', 'first line ms', 'OTLP requests'],
      Object.entries(t.variants).map(([v, s]) => [
        v,
        `${fmt(s.wall.median)} [${fmt(s.wall.p25)}–${fmt(s.wall.p75)}]`,
        `${fmt(s.rss.median)} [${fmt(s.rss.p25)}–${fmt(s.rss.p75)}]`,
        `${fmt(s.firstLine.median, 2)} [${fmt(s.firstLine.p25, 2)}–${fmt(s.firstLine.p75, 2)}]`,
        fmt(s.requests.median, 0),
      ]),
    ));
    out.push('variants: bare = node app.mjs; off = --import telemetry-agent, nobody consented; on = TELEMETRY_AGENT_ENABLED=1, local receiver;');
    out.push('otel = --import @opentelemetry/auto-instrumentations-node/register, OTLP to the same receiver; down = agent on, endpoint 127.0.0.1:9 (refused).');
    out.push('');
  }
  const o = results.sections.onnx;
  if (o) {
    out.push(`ONNX loop (${o.rounds} runs each): ` + Object.entries(o.variants).map(([v, s]) =>
      `${v} ${fmt(s.us.median, 2)} µs/call [${fmt(s.us.p25, 2)}–${fmt(s.us.p75, 2)}], wall ${fmt(s.wall.median, 0)} ms, RSS ${fmt(s.rss.median)} MB`).join('; '));
  }
  const tf = results.sections.tfjs;
  if (tf) {
    out.push(`tfjs training (${tf.rounds} runs each): ` + Object.entries(tf.variants).map(([v, s]) =>
      `${v} wall ${fmt(s.wall.median, 0)} ms [${fmt(s.wall.p25, 0)}–${fmt(s.wall.p75, 0)}], fit ${fmt(s.train.median, 0)} ms (CPU ${fmt(s.trainCpu?.median, 0)} ms), RSS ${fmt(s.rss.median)} MB`).join('; '));
  }
  if (o || tf) out.push('');

  if (results.info.length > 0) {
    out.push('for reference (no target):');
    for (const i of results.info) {
      const v = i.ratio ? `${fmt(i.value, 3)}×` : i.plain ? fmt(i.value, 0) : `${i.value >= 0 ? '+' : ''}${fmt(i.value, 1)} ${i.diffUnit}`;
      out.push(`  ${i.figure}: ${v}${i.detail ? ` (${i.detail})` : ''}`);
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
