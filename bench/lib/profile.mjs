// The start-up profile ("where the milliseconds go"), run once by bench/run.mjs after the
// measured sections. Four parts, all on the trivial app, all interleaved where they compare:
//
// A. Timeline: bare / agent off / agent on with bench/lib/phase-probe.mjs around the agent's
//    preload, medians of the marks (process start = 0): first preload, preload done, app's first
//    line, require('./runtime.cjs'), createAgent(), OTLP request arrival at the receiver,
//    beforeExit, exit, process gone (seen by the parent). No GNU time wrapper here.
// B. CPU profile: `--cpu-prof` (100 µs sampling) of agent off and on; self time per module and per
//    function, and inclusive time of the agent's own phases, averaged over the runs.
// C. Built-in modules: process.moduleLoadList of bare vs off vs on (at the app's first line and
//    at exit): what the agent makes Node load.
// D. Experiments for the suggestions: the first-line and wall cost of each such built-in alone,
//    of runtime.cjs alone, of not waiting for the network at exit, and of Node's compile cache.
//    Differences are paired with the same round's bare run.
// E. The inference hot path: CPU profile of the ONNX loop, self time of the agent's bundles
//    (dist/instrumentations.cjs: the session.run wrapper; dist/runtime.cjs: the facade and the
//    bundled OpenTelemetry SDK) per session.run, attributed by script URL since the bundles are
//    minified, and a micro-benchmark of its pieces (bench/lib/hotpath-micro.mjs).
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { runProcess } from './runner.mjs';
import { median } from './stats.mjs';

const fmt = (x, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : 'n/a');

export async function startupProfile({ node, repo, apps, ws, receiver, cleanEnv, variants, rounds = 7, beforeRound = async () => {} }) {
  const app = join(apps, 'trivial.mjs');
  const dir = join(ws.root, 'profile');
  mkdirSync(dir, { recursive: true });
  let k = 0;
  const run = async (args, extraEnv = {}, o = {}) => {
    const home = ws.newHome();
    const r = await runProcess({ node, args: [...args, app], env: cleanEnv(node, home, `profile-${process.pid}-${k++}`, extraEnv), cwd: ws.project, rss: o.rss ?? false });
    rmSync(home, { recursive: true, force: true });
    if (r.code !== 0) throw new Error(`profile run failed (${args.join(' ')}): ${r.stderr.slice(-500)}`);
    return r;
  };
  const out = { timeline: undefined, cpu: undefined, builtins: undefined, experiments: undefined };

  // ---- A. Timeline ----------------------------------------------------------------------
  const probe = pathToFileURL(join(repo, 'bench', 'lib', 'phase-probe.mjs')).href;
  const tl = { bare: [], off: [], on: [] };
  for (let round = 0; round < rounds; round++) {
    await beforeRound();
    for (const v of ['bare', 'off', 'on']) {
      const file = join(dir, `phases-${v}-${round}.json`);
      const agentArgs = v === 'bare' ? [] : variants[v].args;
      const before = receiver.log.length;
      const r = await run([`--import=${probe}?start`, ...agentArgs, `--import=${probe}?done`], { ...variants[v].env, BENCH_PHASE_FILE: file });
      const p = JSON.parse(readFileSync(file, 'utf8'));
      const rel = (abs) => abs - p.timeOrigin;
      const marks = { 'spawn() in the parent': rel(r.spawnedAt) };
      for (const m of p.marks) marks[m.name] = m.at;
      marks["app's first line"] = r.data.firstLineMs;
      for (const s of p.spans) { marks[`${s.name} starts`] = s.start; marks[`${s.name} ends`] = s.end; }
      receiver.log.slice(before).forEach((q, i) => { if (i < 4) marks[`OTLP request ${i + 1} arrives (${q.path})`] = rel(q.at); });
      marks['process gone (parent sees exit)'] = rel(r.spawnedAt + r.wallMs);
      tl[v].push(marks);
    }
  }
  const timeline = {};
  for (const v of Object.keys(tl)) {
    const names = [...new Set(tl[v].flatMap((m) => Object.keys(m)))];
    timeline[v] = names.map((n) => ({ name: n, ms: median(tl[v].map((m) => m[n])) })).sort((a, b) => a.ms - b.ms);
  }
  out.timeline = timeline;

  // ---- B. CPU profile ---------------------------------------------------------------------
  const cpu = {};
  for (const v of ['off', 'on']) {
    const profDir = join(dir, `cpu-${v}`);
    for (let i = 0; i < 5; i++) await run(['--cpu-prof', `--cpu-prof-dir=${profDir}`, '--cpu-prof-interval=100', ...variants[v].args], variants[v].env);
    cpu[v] = summariseCpuProfiles(profDir);
  }
  out.cpu = cpu;

  // ---- C. Built-in modules ----------------------------------------------------------------
  const lists = {};
  for (const v of ['bare', 'off', 'on']) {
    const r = await run(variants[v].args, { ...variants[v].env, BENCH_LIST_MODULES: '1' });
    lists[v] = { first: r.data.modulesAtFirstLine ?? [], exit: r.data.modulesAtExit ?? [] };
  }
  const publicOnly = (xs) => xs.filter((x) => x.startsWith('NativeModule ') && !x.startsWith('NativeModule internal/')).map((x) => x.slice(13));
  const added = (a, b) => { const s = new Set(b); return a.filter((x) => !s.has(x)); };
  out.builtins = {
    offAtFirstLine: added(lists.off.first, lists.bare.first),
    onAtFirstLine: added(lists.on.first, lists.bare.first),
    onAtExit: added(lists.on.exit, lists.bare.exit),
  };
  out.builtins.summary = {
    offAtFirstLine: { count: out.builtins.offAtFirstLine.filter((x) => x.startsWith('NativeModule')).length, public: publicOnly(out.builtins.offAtFirstLine) },
    onAtFirstLine: { count: out.builtins.onAtFirstLine.filter((x) => x.startsWith('NativeModule')).length, public: publicOnly(out.builtins.onAtFirstLine) },
    onAtExit: { count: out.builtins.onAtExit.filter((x) => x.startsWith('NativeModule')).length, public: publicOnly(out.builtins.onAtExit) },
  };

  // ---- D. Experiments ---------------------------------------------------------------------
  const scratch = join(dir, 'experiments');
  mkdirSync(scratch, { recursive: true });
  const requireFile = (name, body) => { const f = join(scratch, `${name}.cjs`); writeFileSync(f, body); return f; };
  const builtins = ['crypto', 'worker_threads', 'os', 'module'];
  const runtimeBuiltins = ['http', 'https', 'child_process', 'async_hooks'];
  const ccDir = join(scratch, 'compile-cache');
  const exp = [
    { id: 'bare', label: 'bare node app.mjs', args: [] },
    { id: 'empty', label: '--require an empty file', args: ['--require', requireFile('empty', '')] },
    ...builtins.map((b) => ({ id: `req-${b}`, label: `--require a file that requires node:${b}`, args: ['--require', requireFile(`req-${b}`, `require('node:${b}');\n`)] })),
    { id: 'req-stderr', label: '--require a file that reads process.stderr.isTTY (as noticeDue() does)', args: ['--require', requireFile('req-stderr', 'void process.stderr.isTTY;\n')] },
    { id: 'req-isatty', label: "--require a file that calls require('node:tty').isatty(2) instead", args: ['--require', requireFile('req-isatty', "void require('node:tty').isatty(2);\n")] },
    ...runtimeBuiltins.map((b) => ({ id: `req-${b}`, label: `--require a file that requires node:${b} (runtime.cjs does)`, args: ['--require', requireFile(`req-${b}`, `require('node:${b}');\n`)] })),
    { id: 'runtime-only', label: '--require dist/runtime.cjs alone (the pipeline bundle, no agent started)', args: ['--require', join(ws.agentDir, 'dist', 'runtime.cjs')] },
    { id: 'off', label: 'agent off', args: variants.off.args },
    { id: 'off-cc', label: 'agent off, NODE_COMPILE_CACHE warm', args: variants.off.args, env: { NODE_COMPILE_CACHE: ccDir } },
    { id: 'on', label: 'agent on', args: variants.on.args, env: variants.on.env },
    { id: 'on-noflush', label: 'agent on, TELEMETRY_AGENT_FLUSH_TIMEOUT_MS=0 (exit: disk queue + detached sender)', args: variants.on.args, env: { ...variants.on.env, TELEMETRY_AGENT_FLUSH_TIMEOUT_MS: '0' } },
    { id: 'on-cc', label: 'agent on, NODE_COMPILE_CACHE warm', args: variants.on.args, env: { ...variants.on.env, NODE_COMPILE_CACHE: ccDir } },
    { id: 'bare-cc', label: 'bare, NODE_COMPILE_CACHE warm', args: [], env: { NODE_COMPILE_CACHE: ccDir } },
  ];
  const results = Object.fromEntries(exp.map((e) => [e.id, { first: [], wall: [], dFirst: [], dWall: [], dRss: [] }]));
  for (const e of exp) {
    // Warm-up (fills the compile cache) and a check that the variant works.
    const r = await run(e.args, e.env ?? {});
    if (e.env?.TELEMETRY_AGENT_ENABLED && r.stderr.trim()) throw new Error(`experiment ${e.id} printed: ${r.stderr.slice(-300)}`);
  }
  const expRounds = Math.max(rounds * 2, 15);
  for (let round = 0; round < expRounds; round++) {
    await beforeRound();
    const seen = {};
    for (let i = 0; i < exp.length; i++) {
      const e = exp[(i + round) % exp.length];
      const r = await run(e.args, e.env ?? {}, { rss: true });
      seen[e.id] = r;
      results[e.id].first.push(r.data.firstLineMs);
      results[e.id].wall.push(r.wallMs);
    }
    // Paired with this round's bare run: slow drifts of the machine's load cancel out.
    for (const e of exp) {
      results[e.id].dFirst.push(seen[e.id].data.firstLineMs - seen.bare.data.firstLineMs);
      results[e.id].dWall.push(seen[e.id].wallMs - seen.bare.wallMs);
      results[e.id].dRss.push(((seen[e.id].maxRssKB ?? NaN) - (seen.bare.maxRssKB ?? NaN)) / 1024);
    }
  }
  out.experiments = {
    rounds: expRounds,
    rows: exp.map((e) => ({ id: e.id, label: e.label, firstLineMs: median(results[e.id].first), wallMs: median(results[e.id].wall), firstLineVsBare: median(results[e.id].dFirst), wallVsBare: median(results[e.id].dWall), rssVsBareMB: median(results[e.id].dRss) })),
  };

  // ---- E. The inference hot path ----------------------------------------------------------
  {
    const profDir = join(dir, 'cpu-onnx');
    const onnxApp = join(apps, 'onnx-loop.mjs');
    let calls = 0;
    for (let i = 0; i < 3; i++) {
      const home = ws.newHome();
      const r = await runProcess({ node, args: ['--cpu-prof', `--cpu-prof-dir=${profDir}`, '--cpu-prof-interval=100', ...variants.on.args, onnxApp], env: cleanEnv(node, home, `profile-${process.pid}-${k++}`, variants.on.env), cwd: ws.project, rss: false });
      if (r.code !== 0) throw new Error(`onnx profile run failed: ${r.stderr.slice(-500)}`);
      calls = (r.data.calls ?? 0) + Number(process.env.BENCH_ONNX_WARMUP ?? 2000);
    }
    const c = summariseCpuProfiles(profDir);
    // The bundles are minified, so the per-call bookkeeping (wrapper, histogram record, sampler,
    // span for sampled calls) is found by file, not by function name: self time of every frame
    // in the agent's two bundles, during the inference loop only (start-up and exit excluded).
    const agent = summariseAgentSelfTime(profDir, { url: AGENT_HOT_PATH_URL, window: ONNX_RUN_FRAME });
    const micro = await runProcess({ node, args: [join(repo, 'bench', 'lib', 'hotpath-micro.mjs')], env: cleanEnv(node, ws.newHome(), `profile-${process.pid}-${k++}`), cwd: ws.project, rss: false });
    const perCall = (ms) => (ms * 1000) / calls;
    out.hotpath = {
      calls,
      runs: agent.runs,
      windowFound: agent.windowFound,
      windowMs: agent.windowMs,
      agentUsPerCall: perCall(agent.inWindowMs),
      byFile: agent.byFile.map((f) => ({ file: f.file, usPerCall: perCall(f.ms) })),
      outsideWindowMs: agent.outsideWindowMs,
      topFunctions: agent.byFunction.slice(0, 8).map((f) => ({ ...f, usPerCall: perCall(f.ms) })),
      byModule: c.byModule.slice(0, 8),
      micro: micro.data.nsPerOp,
    };
  }

  rmSync(dir, { recursive: true, force: true });
  out.text = formatProfile(out);
  return out;
}

/** The bundles whose self time is the agent's cost per session.run (matched on callFrame.url). */
const AGENT_HOT_PATH_URL = /\/dist\/(instrumentations|runtime)\.cjs$/;
/** onnxruntime's own session.run (onnxruntime-common's InferenceSession.run, the node backend's). */
const ONNX_RUN_FRAME = (cf) => cf.functionName === 'run' && /\/node_modules\/onnxruntime-(common|node)\//.test(cf.url);

/**
 * Self time of the frames whose callFrame.url matches `url`, ms per run, split into the samples
 * inside the window (from the first to the last sample with a `window` frame on its stack: the
 * inference loop) and outside it (start-up, exit). Inside the window: per file, and per function
 * as (minified) name, file, line and column (a minified bundle is one or a few long lines). With
 * no `window` frame sampled at all, every sample counts as inside and windowFound is false.
 */
export function summariseAgentSelfTime(profDir, { url, window }) {
  const files = readdirSync(profDir).filter((f) => f.endsWith('.cpuprofile'));
  const byFile = new Map();
  const byFunction = new Map();
  let inside = 0;
  let outside = 0;
  let windowTotal = 0;
  let windowFound = files.length > 0;
  for (const f of files) {
    const p = JSON.parse(readFileSync(join(profDir, f), 'utf8'));
    const byId = new Map(p.nodes.map((n) => [n.id, n]));
    const parent = new Map();
    for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
    // Does a node's stack (the node and its ancestors) hold a window frame? Memoised per node.
    const inRun = new Map();
    const hasRun = (id) => {
      if (id === undefined) return false;
      let v = inRun.get(id);
      if (v === undefined) { v = window(byId.get(id).callFrame) || hasRun(parent.get(id)); inRun.set(id, v); }
      return v;
    };
    let t = p.startTime;
    let from = Infinity;
    let to = -Infinity;
    const hits = [];
    for (let i = 0; i < p.samples.length; i++) {
      t += p.timeDeltas[i] ?? 0;
      const id = p.samples[i];
      if (hasRun(id)) { if (t < from) from = t; if (t > to) to = t; }
      const cf = byId.get(id).callFrame;
      if (cf.url && url.test(cf.url)) hits.push([t, p.timeDeltas[i] ?? 0, cf]);
    }
    if (from > to) { windowFound = false; from = -Infinity; to = Infinity; }
    else windowTotal += to - from;
    for (const [at, us, cf] of hits) {
      if (at < from || at > to) { outside += us; continue; }
      inside += us;
      const file = cf.url.slice(cf.url.lastIndexOf('/dist/') + 1);
      byFile.set(file, (byFile.get(file) ?? 0) + us);
      const name = cf.functionName || (cf.lineNumber === 0 && cf.columnNumber === 0 ? '(top level)' : '(anonymous)');
      const key = `${name}\0${file}\0${cf.lineNumber + 1}\0${cf.columnNumber + 1}`;
      byFunction.set(key, (byFunction.get(key) ?? 0) + us);
    }
  }
  const n = files.length || 1;
  const ms = (us) => us / 1000 / n;
  return {
    runs: files.length,
    windowFound,
    windowMs: windowFound ? ms(windowTotal) : NaN,
    inWindowMs: ms(inside),
    outsideWindowMs: ms(outside),
    byFile: [...byFile].sort((a, b) => b[1] - a[1]).map(([file, us]) => ({ file, ms: ms(us) })),
    byFunction: [...byFunction].sort((a, b) => b[1] - a[1]).map(([key, us]) => {
      const [name, file, line, column] = key.split('\0');
      return { name, file, line: Number(line), column: Number(column), ms: ms(us) };
    }),
  };
}

/** Self time per module and per function, inclusive time of named agent functions; ms per run. */
export function summariseCpuProfiles(profDir, { onlyModule, under } = {}) {
  const files = readdirSync(profDir).filter((f) => f.endsWith('.cpuprofile'));
  const selfByModule = new Map();
  const selfByFunction = new Map();
  const inclusive = new Map();
  let total = 0;
  let selfTotal = 0;
  const moduleOf = (url) => {
    if (!url) return '(native / V8)';
    const m = url.match(/dist\/(\w+\.(?:mjs|cjs))$/);
    if (m) return `telemetry-agent dist/${m[1]}`;
    if (url.startsWith('node:internal/')) {
      const p = url.slice('node:internal/'.length).split('/');
      return `node:internal/${p[0]}${p.length > 2 ? '/' + p[1] : ''}`;
    }
    if (url.startsWith('node:')) return url;
    const nm = url.lastIndexOf('node_modules/');
    if (nm >= 0) return url.slice(nm + 13).split('/').slice(0, url.slice(nm + 13).startsWith('@') ? 2 : 1).join('/');
    return url.replace(/^file:\/\/.*\/bench\//, 'bench/');
  };
  for (const f of files) {
    const p = JSON.parse(readFileSync(join(profDir, f), 'utf8'));
    const byId = new Map(p.nodes.map((n) => [n.id, n]));
    const self = new Map();
    for (let i = 0; i < p.samples.length; i++) self.set(p.samples[i], (self.get(p.samples[i]) ?? 0) + (p.timeDeltas[i] ?? 0));
    const name = (n) => {
      const cf = n.callFrame;
      // A module's own top-level code starts at 0:0; other nameless functions are closures.
      const fn = cf.functionName || (!cf.url ? '(anonymous)' : cf.lineNumber === 0 && cf.columnNumber === 0 ? '(top level)' : `(anonymous, line ${cf.lineNumber + 1})`);
      return `${fn} — ${moduleOf(cf.url)}`;
    };
    const walk = (id, stack, inside = !under) => {
      const n = byId.get(id);
      const key = name(n);
      if (under && under.test(key)) inside = true;
      let t = self.get(id) ?? 0;
      const mod = n.callFrame.functionName.startsWith('(') && !n.callFrame.url ? n.callFrame.functionName : moduleOf(n.callFrame.url);
      if (inside && (!onlyModule || onlyModule.test(mod))) {
        selfByFunction.set(key, (selfByFunction.get(key) ?? 0) + t);
        selfTotal += t;
      }
      selfByModule.set(mod, (selfByModule.get(mod) ?? 0) + t);
      const next = new Set(stack).add(key);
      for (const c of n.children ?? []) t += walk(c, next, inside);
      if (!stack.has(key)) inclusive.set(key, (inclusive.get(key) ?? 0) + t);
      return t;
    };
    total += walk(p.nodes[0].id, new Set());
  }
  const n = files.length || 1;
  const top = (m, count, filter = () => true) => [...m].filter(([key]) => filter(key)).sort((a, b) => b[1] - a[1]).slice(0, count).map(([key, us]) => ({ name: key, ms: us / 1000 / n }));
  const agentFunctions = /^(boot|decide|decideConsent|noticeDue|installHooks|createAgent|Agent|flushForExit|queueRemainingSync|exportMetrics|exportSpans|collectAndExport|probeHardware|readHardwareCache|hardwareKey|installId|localSalt|resourceAttributes|observeRuntimeMetrics|startGpuSampling|installExitHooks|drainQueue|post|sendWithRetry|\(top level\)) — telemetry-agent/;
  return {
    runs: files.length,
    totalMs: total / 1000 / n,
    selfTotalMs: selfTotal / 1000 / n,
    byModule: top(selfByModule, 14),
    byFunction: top(selfByFunction, 16),
    agentInclusive: top(inclusive, 24, (key) => agentFunctions.test(key)),
    builtinCompile: top(inclusive, 2, (key) => /^compileFor(Internal|Public)Loader/.test(key)),
  };
}

function formatProfile(p) {
  const out = ['start-up profile (trivial app):'];
  if (p.timeline) {
    out.push('  A. timeline, ms since process start (medians):');
    for (const v of ['bare', 'off', 'on']) {
      out.push(`    ${v}: ` + p.timeline[v].map((m) => `${m.name} ${fmt(m.ms)}`).join(' · '));
    }
  }
  if (p.cpu) {
    for (const v of ['off', 'on']) {
      const c = p.cpu[v];
      out.push(`  B. CPU profile, agent ${v} (${c.runs} runs, ${fmt(c.totalMs)} ms sampled per run):`);
      out.push('     self time by module: ' + c.byModule.slice(0, 10).map((m) => `${m.name} ${fmt(m.ms, 2)}`).join(' · '));
      out.push('     self time by function: ' + c.byFunction.slice(0, 10).map((m) => `${m.name} ${fmt(m.ms, 2)}`).join(' · '));
      out.push('     inclusive, agent code: ' + c.agentInclusive.slice(0, 14).map((m) => `${m.name.replace(/ — telemetry-agent dist\//, ' @')} ${fmt(m.ms, 2)}`).join(' · '));
      out.push('     inclusive, compiling built-in modules: ' + c.builtinCompile.map((m) => `${m.name.split(' — ')[0]} ${fmt(m.ms, 2)}`).join(' · '));
    }
  }
  if (p.builtins) {
    const s = p.builtins.summary;
    out.push(`  C. built-in modules loaded because of the agent: off, by the first line ${s.offAtFirstLine.count} (public: ${s.offAtFirstLine.public.join(', ')}); on, by the first line ${s.onAtFirstLine.count} (public: ${s.onAtFirstLine.public.join(', ')}); on, by exit ${s.onAtExit.count} (public: ${s.onAtExit.public.join(', ')})`);
  }
  if (p.experiments) {
    out.push(`  D. experiments (${p.experiments.rounds} interleaved rounds; medians of the differences to the same round's bare run):`);
    const sign = (x, d = 1) => `${x >= 0 ? '+' : ''}${fmt(x, d)}`;
    for (const r of p.experiments.rows) {
      out.push(r.id === 'bare'
        ? `     ${r.label}: first line ${fmt(r.firstLineMs)} ms, wall ${fmt(r.wallMs)} ms`
        : `     ${r.label}: first line ${sign(r.firstLineVsBare)} ms, wall ${sign(r.wallVsBare)} ms, peak RSS ${sign(r.rssVsBareMB)} MB`);
    }
  }
  if (p.hotpath) {
    const h = p.hotpath;
    out.push(`  E. ONNX hot path, agent on (CPU profile, ${h.runs} runs, ${h.calls} session.run each): self time in the agent's bundles ${fmt(h.agentUsPerCall, 2)} µs/call (profiler-inflated; `
      + (h.windowFound ? `during the inference loop, ${fmt(h.windowMs, 0)} ms per run; start-up and exit, ${fmt(h.outsideWindowMs, 2)} ms per run, not counted` : 'no onnxruntime run() frame sampled: the whole run counted, start-up and exit included')
      + '): ' + h.byFile.map((f) => `${f.file} ${fmt(f.usPerCall, 2)}`).join(' · '));
    out.push('     top functions (minified name @file:line:column), µs/call: ' + h.topFunctions.map((f) => `${f.name} @${f.file.replace(/^dist\//, '')}:${f.line}:${f.column} ${fmt(f.usPerCall, 2)}`).join(' · '));
    if (h.micro) out.push('     micro-benchmark, ns/op: ' + Object.entries(h.micro).map(([k, v]) => `${k} ${fmt(v, 0)}`).join(' · '));
  }
  return out.join('\n');
}
