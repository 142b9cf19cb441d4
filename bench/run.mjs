#!/usr/bin/env node
// The performance benchmark of issue 7: `npm run bench` (builds dist/ first) or
// `node bench/run.mjs [--rounds N] [--only trivial|onnx|tfjs] [--json out.json] [--no-profile]`.
//
// Runs every variant of a section interleaved (round-robin, the starting variant rotating each
// round), one process at a time, each in a clean environment with its own HOME, and prints the
// median of every figure, the ratios of the target table and pass/fail. Exits 1 when a
// target is missed, 2 when a run failed. Method and latest figures: docs/performance.md.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DOWN_ENDPOINT, startReceiver } from './lib/receiver.mjs';
import { GNU_TIME, runProcess, waitForQuiet, waitForStragglers } from './lib/runner.mjs';
import { RUN_MARKER, cleanEnv, createWorkspace, snapshotAgentState } from './lib/env.mjs';
import { summary } from './lib/stats.mjs';
import { startupProfile } from './lib/profile.mjs';
import { formatReport } from './lib/report.mjs';

const repo = fileURLToPath(new URL('..', import.meta.url));
const apps = join(repo, 'bench', 'apps');

const { values: opts } = parseArgs({
  options: {
    rounds: { type: 'string' },
    only: { type: 'string' },
    json: { type: 'string' },
    'no-profile': { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (opts.help) {
  process.stdout.write(`usage: node bench/run.mjs [--rounds N] [--only trivial|onnx|tfjs|profile] [--json out.json] [--no-profile]
  --rounds N     rounds per section (default: trivial 15, onnx 9, tfjs 7)
  --only S       run one section: trivial, onnx or tfjs (the profile runs with trivial), or profile
  --json FILE    also write every run and figure as JSON
  --no-profile   skip the start-up profile
`);
  process.exit(0);
}
const SECTIONS = ['trivial', 'onnx', 'tfjs'];
if (opts.only && ![...SECTIONS, 'profile'].includes(opts.only)) {
  process.stderr.write(`--only must be one of ${SECTIONS.join(', ')}, profile\n`);
  process.exit(2);
}
const rounds = opts.rounds !== undefined ? Number(opts.rounds) : undefined;
if (rounds !== undefined && !(Number.isInteger(rounds) && rounds > 0)) {
  process.stderr.write('--rounds must be a positive whole number\n');
  process.exit(2);
}
const sections = opts.only ? [opts.only] : SECTIONS;
const wantProfile = opts.only === 'profile' || (!opts['no-profile'] && sections.includes('trivial'));

// ---- Preconditions -----------------------------------------------------------------------

/** The Node the project runs on: node_modules/.bin/node (the `node` devDependency, Node 24) if installed. */
function benchNode() {
  const local = join(repo, 'node_modules', '.bin', 'node');
  try { if (existsSync(local)) return realpathSync(local); } catch { /* fall through */ }
  return process.execPath;
}
const node = benchNode();
const nodeVersion = execFileSync(node, ['--version'], { encoding: 'utf8' }).trim();
const [maj, min] = nodeVersion.slice(1).split('.').map(Number);
if (maj < 22 || (maj === 22 && min < 15)) {
  process.stderr.write(`bench: ${node} is Node ${nodeVersion}; the agent needs 22.15+ (it would stay off). Install dev dependencies (npm ci) first.\n`);
  process.exit(2);
}
if (!existsSync(join(repo, 'dist', 'preload.mjs')) || !existsSync(join(repo, 'dist', 'runtime.cjs'))) {
  process.stderr.write('bench: dist/ is missing; run `npm run bench` (builds first) or `node scripts/build.mjs`.\n');
  process.exit(2);
}
// The baseline: a devDependency of this repository, or bench/otel-baseline/ (its own package.json).
const otelDir = [repo, join(repo, 'bench', 'otel-baseline')]
  .map((base) => join(base, 'node_modules', '@opentelemetry', 'auto-instrumentations-node'))
  .find((d) => existsSync(join(d, 'package.json')));
const otelVersion = otelDir ? JSON.parse(readFileSync(join(otelDir, 'package.json'), 'utf8')).version : undefined;
if (!otelDir) process.stderr.write('bench: @opentelemetry/auto-instrumentations-node is not installed (npm ci); the OTel variant is skipped.\n');

const machine = {
  date: new Date().toISOString(),
  node: nodeVersion,
  cores: os.availableParallelism?.() ?? os.cpus().length,
  cpu: os.cpus()[0]?.model?.trim() ?? 'unknown',
  memoryGB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
  platform: `${os.platform()} ${os.release()} ${os.arch()}`,
  loadAverageAtStart: os.loadavg().map((x) => Math.round(x * 100) / 100),
  rss: GNU_TIME ? `GNU time %M (${GNU_TIME})` : "app's process.resourceUsage().maxRSS at 'exit'",
  otelAutoInstrumentations: otelVersion,
  agentVersion: JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')).version,
  dist: Object.fromEntries(['preload.mjs', 'runtime.cjs'].map((f) => [f, readFileSync(join(repo, 'dist', f)).length])),
  commit: (() => { try { return execFileSync('git', ['-C', repo, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim() + (execFileSync('git', ['-C', repo, 'status', '--porcelain', '--', 'src'], { encoding: 'utf8' }).trim() ? ' (+ uncommitted changes in src/)' : ''); } catch { return undefined; } })(),
};

// ---- Variants ----------------------------------------------------------------------------

const receiver = await startReceiver();
const ws = createWorkspace(repo, otelDir);
process.on('exit', () => ws.dispose()); // also after an error
const agent = ['--import', 'telemetry-agent'];
/** name → how to start it: node arguments before the app, and the variant's own environment. */
const VARIANTS = {
  bare: { args: [], env: {} },
  off: { args: agent, env: {} },
  on: { args: agent, env: { TELEMETRY_AGENT_ENABLED: '1', OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url } },
  otel: {
    args: ['--import', '@opentelemetry/auto-instrumentations-node/register'],
    env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_TRACES_EXPORTER: 'otlp', OTEL_METRICS_EXPORTER: 'otlp' },
  },
  down: { args: agent, env: { TELEMETRY_AGENT_ENABLED: '1', OTEL_EXPORTER_OTLP_ENDPOINT: DOWN_ENDPOINT } },
};

let runCounter = 0;
const failures = [];

/** One measured process: fresh HOME from the seed, clean env, then wait for any detached child. */
async function measure(variant, app, { extraEnv = {}, home, timeoutMs } = {}) {
  const keepHome = home !== undefined;
  home ??= ws.newHome();
  const v = VARIANTS[variant];
  const marker = `${process.pid}-${runCounter++}`;
  const before = receiver.requests;
  const r = await runProcess({
    node,
    args: [...v.args, app],
    env: cleanEnv(node, home, marker, { ...v.env, ...extraEnv }),
    cwd: ws.project,
    timeoutMs,
  });
  const exitMs = r.wallMs;
  // A detached exit sender (collector down) must not steal CPU from the next run.
  const stragglerMs = await waitForStragglers(RUN_MARKER, marker);
  const run = {
    variant,
    wallMs: exitMs,
    maxRssMB: r.maxRssKB !== undefined ? r.maxRssKB / 1024 : NaN,
    cpuMs: r.cpuMs ?? NaN,
    code: r.code,
    signal: r.signal,
    requests: receiver.requests - before,
    stragglerMs,
    home,
    ...r.data,
  };
  if (r.code !== 0 || r.timedOut) {
    failures.push({ variant, app, code: r.code, signal: r.signal, timedOut: r.timedOut, stderr: r.stderr.slice(-2000) });
  }
  if (!keepHome) rmSync(home, { recursive: true, force: true });
  return run;
}

// Other work on the machine (tests of the people working in the same tree, …) adds noise: before
// each round, wait until the CPU is mostly idle, within a total budget for the whole benchmark.
const quietBudget = { leftMs: 90_000 };
const busySeen = [];

/** Round-robin over `variants`, the first variant of each round rotating, `n` rounds. */
async function interleave(name, variants, app, n, options = {}) {
  const runs = Object.fromEntries(variants.map((v) => [v, []]));
  // One unmeasured run of each variant first: file-system caches warm for everybody.
  for (const v of variants) await measure(v, app, options);
  for (let round = 0; round < n; round++) {
    const busy = await waitForQuiet(quietBudget);
    if (busy !== undefined) busySeen.push(busy);
    for (let i = 0; i < variants.length; i++) {
      const v = variants[(i + round) % variants.length];
      runs[v].push({ ...(await measure(v, app, options)), round });
    }
    process.stderr.write(`\r  ${name}: round ${round + 1}/${n}   `);
  }
  process.stderr.write('\n');
  return runs;
}

const stat = (runs, key) => summary(runs.map((r) => r[key]));
/** Median over rounds of f(a, b) for the runs of variants a and b in the same round. */
const paired = (runs, a, b, key, f) => summary(runs[a].map((ra) => {
  const rb = runs[b]?.find((x) => x.round === ra.round);
  return rb ? f(ra[key], rb[key]) : NaN;
})).median;
const ratio = (x, y) => x / y;
const diff = (x, y) => x - y;

// ---- Sections ----------------------------------------------------------------------------

const started = performance.now();
const results = { machine, sections: {}, figures: [], info: [] };
const fig = (f) => results.figures.push(f);
const info = (f) => results.info.push(f);

process.stderr.write(`bench: Node ${nodeVersion}, ${machine.cores} cores, receiver at ${receiver.url}, scratch ${ws.root}\n`);

// The first agent run on a machine: no install ID, no hardware cache yet. Measured once; its
// state becomes the seed of every later run (the steady state).
{
  const coldHome = ws.newHome();
  const cold = await measure('on', join(apps, 'trivial.mjs'), { home: coldHome });
  snapshotAgentState(coldHome, ws.seed);
  const hw = existsSync(join(ws.seed, '.cache', 'telemetry-agent', 'hardware.json'));
  results.cold = { ...cold, hardwareCached: hw };
  if (!hw) process.stderr.write('bench: warning: the first agent run left no hardware cache; every run probes the hardware.\n');
}

if (sections.includes('trivial')) {
  const n = rounds ?? 15;
  const variants = ['bare', 'off', 'on', ...(otelDir ? ['otel'] : []), 'down'];
  const runs = await interleave('trivial', variants, join(apps, 'trivial.mjs'), n);
  const s = Object.fromEntries(variants.map((v) => [v, { wall: stat(runs[v], 'wallMs'), rss: stat(runs[v], 'maxRssMB'), firstLine: stat(runs[v], 'firstLineMs'), requests: stat(runs[v], 'requests'), runs: runs[v].length }]));
  results.sections.trivial = { rounds: n, variants: s, runs };
  const m = (v, k) => s[v]?.[k].median ?? NaN;
  fig({ id: 'off-wall', paired: paired(runs, 'off', 'bare', 'wallMs', ratio),  figure: 'trivial app wall: agent off / bare', variants: { bare: m('bare', 'wall'), off: m('off', 'wall') }, unit: 'ms', value: m('off', 'wall') / m('bare', 'wall'), kind: 'ratio', target: 1.10 });
  fig({ id: 'on-wall', paired: paired(runs, 'on', 'bare', 'wallMs', ratio),  figure: 'trivial app wall: agent on / bare', variants: { bare: m('bare', 'wall'), on: m('on', 'wall') }, unit: 'ms', value: m('on', 'wall') / m('bare', 'wall'), kind: 'ratio', target: 1.5 });
  fig({ id: 'on-otel', paired: paired(runs, 'on', 'otel', 'wallMs', ratio),  figure: 'trivial app wall: agent on / OTel auto-instr.', variants: { on: m('on', 'wall'), otel: m('otel', 'wall') }, unit: 'ms', value: m('on', 'wall') / m('otel', 'wall'), kind: 'ratio', target: 0.125 });
  fig({ id: 'on-rss', paired: paired(runs, 'on', 'bare', 'maxRssMB', diff),  figure: 'peak RSS: agent on − bare', variants: { bare: m('bare', 'rss'), on: m('on', 'rss') }, unit: 'MB', value: m('on', 'rss') - m('bare', 'rss'), kind: 'diff', diffUnit: 'MB', target: 15 });
  fig({ id: 'on-first-line', paired: paired(runs, 'on', 'bare', 'firstLineMs', diff),  figure: "app's first line: agent on − bare", variants: { bare: m('bare', 'firstLine'), on: m('on', 'firstLine') }, unit: 'ms', value: m('on', 'firstLine') - m('bare', 'firstLine'), kind: 'diff', diffUnit: 'ms', target: 10 });
  fig({ id: 'down-wall', paired: paired(runs, 'down', 'bare', 'wallMs', diff),  figure: 'collector down: wall agent on − bare', variants: { bare: m('bare', 'wall'), down: m('down', 'wall') }, unit: 'ms', value: m('down', 'wall') - m('bare', 'wall'), kind: 'diff', diffUnit: 'ms', target: 1000 });
  info({ figure: 'peak RSS: agent off − bare', value: m('off', 'rss') - m('bare', 'rss'), diffUnit: 'MB' });
  info({ figure: 'peak RSS: OTel auto-instr. − bare', value: m('otel', 'rss') - m('bare', 'rss'), diffUnit: 'MB' });
  info({ figure: "app's first line: agent off − bare", value: m('off', 'firstLine') - m('bare', 'firstLine'), diffUnit: 'ms' });
  info({ figure: "app's first line: OTel auto-instr. − bare", value: m('otel', 'firstLine') - m('bare', 'firstLine'), diffUnit: 'ms' });
  info({ figure: 'trivial app wall: OTel auto-instr. / bare', value: m('otel', 'wall') / m('bare', 'wall'), ratio: true });
  info({ figure: 'OTLP requests per agent-on run (median)', value: m('on', 'requests'), plain: true });
  info({ figure: 'OTLP requests per OTel run (median)', value: m('otel', 'requests'), plain: true });
  info({ figure: 'first agent run on a machine (cold caches): wall − bare', value: results.cold.wallMs - m('bare', 'wall'), diffUnit: 'ms' });
  info({ figure: 'collector down: detached exit sender alive after the app exited (median)', value: summary(runs.down.map((r) => r.stragglerMs)).median, diffUnit: 'ms' });

  // Stock OpenTelemetry without its default resource detectors (no cloud metadata probes): 5 runs.
  if (otelDir) {
    const nd = [];
    for (let i = 0; i < 5; i++) nd.push(await measure('otel', join(apps, 'trivial.mjs'), { extraEnv: { OTEL_NODE_RESOURCE_DETECTORS: 'none' } }));
    const w = summary(nd.map((r) => r.wallMs)).median;
    results.sections.trivial.otelNoDetectors = { wallMs: w, runs: nd };
    info({ figure: 'trivial app wall: agent on / OTel auto-instr. with OTEL_NODE_RESOURCE_DETECTORS=none (5 runs)', value: m('on', 'wall') / w, ratio: true, detail: `OTel ${w.toFixed(0)} ms` });
  }

  // Stock OpenTelemetry with the collector down: once, for comparison (it takes ~9 s).
  if (otelDir) {
    const r = await measure('otel', join(apps, 'trivial.mjs'), { extraEnv: { OTEL_EXPORTER_OTLP_ENDPOINT: DOWN_ENDPOINT }, timeoutMs: 60_000 });
    results.sections.trivial.otelDown = r;
    info({ figure: 'collector down: wall OTel auto-instr. − bare (1 run)', value: r.wallMs - m('bare', 'wall'), diffUnit: 'ms' });
  }
}

if (sections.includes('onnx')) {
  const n = rounds ?? 9;
  const variants = ['bare', 'on'];
  const runs = await interleave('onnx', variants, join(apps, 'onnx-loop.mjs'), n);
  const s = Object.fromEntries(variants.map((v) => [v, { us: stat(runs[v], 'usPerCall'), usBlock: stat(runs[v], 'usPerCallMedianBlock'), wall: stat(runs[v], 'wallMs'), rss: stat(runs[v], 'maxRssMB'), runs: runs[v].length }]));
  results.sections.onnx = { rounds: n, variants: s, runs };
  const m = (v, k) => s[v][k].median;
  fig({ id: 'onnx-us', paired: paired(runs, 'on', 'bare', 'usPerCall', ratio),  figure: 'ONNX 20k session.run: µs/call agent on / bare', variants: { bare: m('bare', 'us'), on: m('on', 'us') }, unit: 'µs', value: m('on', 'us') / m('bare', 'us'), kind: 'ratio', target: 1.03 });
  info({ figure: 'ONNX µs/call, median 1000-call block: agent on / bare', value: m('on', 'usBlock') / m('bare', 'usBlock'), ratio: true });
  info({ figure: 'ONNX app wall: agent on − bare', value: m('on', 'wall') - m('bare', 'wall'), diffUnit: 'ms' });
}

if (sections.includes('tfjs')) {
  const n = rounds ?? 7;
  const variants = ['bare', 'on'];
  const runs = await interleave('tfjs', variants, join(apps, 'tfjs-train.mjs'), n);
  const s = Object.fromEntries(variants.map((v) => [v, { wall: stat(runs[v], 'wallMs'), train: stat(runs[v], 'trainMs'), trainCpu: stat(runs[v], 'trainCpuMs'), cpu: stat(runs[v], 'cpuMs'), rss: stat(runs[v], 'maxRssMB'), runs: runs[v].length }]));
  results.sections.tfjs = { rounds: n, variants: s, runs, batches: runs.bare[0]?.batches };
  const m = (v, k) => s[v][k].median;
  fig({ id: 'tfjs-wall', paired: paired(runs, 'on', 'bare', 'wallMs', ratio),  figure: `tfjs training (${runs.bare[0]?.batches ?? '?'} batches): wall agent on / bare`, variants: { bare: m('bare', 'wall'), on: m('on', 'wall') }, unit: 'ms', value: m('on', 'wall') / m('bare', 'wall'), kind: 'ratio', target: 1.01 });
  info({ figure: 'tfjs training: model.fit time agent on / bare', value: m('on', 'train') / m('bare', 'train'), ratio: true, detail: `per-round ${paired(runs, 'on', 'bare', 'trainMs', ratio).toFixed(3)}×` });
  info({ figure: 'tfjs training: CPU time of model.fit (process.cpuUsage) agent on / bare', value: m('on', 'trainCpu') / m('bare', 'trainCpu'), ratio: true, detail: `per-round ${paired(runs, 'on', 'bare', 'trainCpuMs', ratio).toFixed(3)}×; less sensitive to other work on the machine than wall time` });
  info({ figure: 'tfjs training: CPU time of the whole process (GNU time) agent on / bare', value: m('on', 'cpu') / m('bare', 'cpu'), ratio: true, detail: `${m('bare', 'cpu').toFixed(0)} → ${m('on', 'cpu').toFixed(0)} ms` });
  info({ figure: 'tfjs training: peak RSS agent on − bare', value: m('on', 'rss') - m('bare', 'rss'), diffUnit: 'MB' });

  // The 3-epoch example itself (examples/train-tfjs.mjs, ~80 ms of training): for reference.
  const ex = await interleave('tfjs example', variants, join(repo, 'examples', 'train-tfjs.mjs'), n);
  const wall = (v) => summary(ex[v].map((r) => r.wallMs)).median;
  results.sections.tfjs.example = { bare: wall('bare'), on: wall('on'), runs: ex };
  info({ figure: 'examples/train-tfjs.mjs (3 epochs): wall agent on / bare', value: wall('on') / wall('bare'), ratio: true, detail: `${wall('bare').toFixed(0)} → ${wall('on').toFixed(0)} ms` });
}

if (wantProfile) {
  process.stderr.write('  start-up profile …\n');
  results.profile = await startupProfile({ node, repo, apps, ws, receiver, cleanEnv, variants: VARIANTS, beforeRound: () => waitForQuiet(quietBudget) });
}

await receiver.close();
results.durationS = (performance.now() - started) / 1000;
machine.loadAverageAtEnd = os.loadavg().map((x) => Math.round(x * 100) / 100);
machine.otherCpuBusyBeforeRounds = busySeen.length ? summary(busySeen) : undefined;
machine.quietWaitS = (90_000 - quietBudget.leftMs) / 1000;
for (const f of results.figures) f.pass = Number.isFinite(f.value) && f.value <= f.target;

process.stdout.write(formatReport(results, failures) + '\n');
if (opts.json) {
  const strip = (k, v) => (k === 'home' ? undefined : v);
  writeFileSync(opts.json, JSON.stringify({ ...results, failures }, strip, 2) + '\n');
  process.stderr.write(`bench: wrote ${opts.json}\n`);
}
process.exitCode = failures.length > 0 ? 2 : results.figures.some((f) => !f.pass) ? 1 : 0;
