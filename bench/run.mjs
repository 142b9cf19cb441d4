#!/usr/bin/env node
// The performance benchmark: `npm run bench` (builds dist/ first) or
// `node bench/run.mjs [--rounds N] [--only S[,S…]] [--json out.json] [--no-profile] [--no-docs]`.
//
// Runs the sections of bench/sections/ (each a set of figures with their targets). Within a
// section every variant runs interleaved (round-robin, the starting variant rotating each round),
// one process at a time, each in a clean environment with its own HOME; the report gives the
// median of every figure, its target and pass/fail. Exits 1 when a target is missed, 2 when a
// run failed. A run of every section updates docs/performance.md (figures and history).
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
import { fmt, formatReport, table } from './lib/report.mjs';
import { updatePerformanceDoc } from './lib/performance-doc.mjs';
import { SECTIONS } from './sections/index.mjs';

const repo = fileURLToPath(new URL('..', import.meta.url));
const apps = join(repo, 'bench', 'apps');
const ids = SECTIONS.map((s) => s.id);

const { values: opts } = parseArgs({
  options: {
    rounds: { type: 'string' },
    only: { type: 'string' },
    json: { type: 'string' },
    'no-profile': { type: 'boolean', default: false },
    'no-docs': { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (opts.help) {
  process.stdout.write(`usage: node bench/run.mjs [--rounds N] [--only S[,S…]] [--json out.json] [--no-profile] [--no-docs]
  --rounds N     rounds per section (default: ${SECTIONS.map((s) => `${s.id} ${s.defaultRounds}`).join(', ')})
  --only S,…     run only these sections: ${ids.join(', ')}, profile (the profile runs with trivial)
  --json FILE    also write every run and figure as JSON
  --no-profile   skip the start-up profile
  --no-docs      do not update docs/performance.md (it is updated only when every section ran)
`);
  process.exit(0);
}
const only = opts.only?.split(',').map((x) => x.trim()).filter(Boolean);
const unknown = only?.filter((x) => ![...ids, 'profile'].includes(x)) ?? [];
if (unknown.length > 0) {
  process.stderr.write(`--only takes ${ids.join(', ')}, profile (not ${unknown.join(', ')})\n`);
  process.exit(2);
}
const rounds = opts.rounds !== undefined ? Number(opts.rounds) : undefined;
if (rounds !== undefined && !(Number.isInteger(rounds) && rounds > 0)) {
  process.stderr.write('--rounds must be a positive whole number\n');
  process.exit(2);
}
const sections = only ?? ids;
const wantProfile = Boolean(only?.includes('profile')) || (!opts['no-profile'] && sections.includes('trivial'));

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

/**
 * Round-robin over `entries` ({ key, variant, app, env? }: a variant running an app), the first
 * entry of each round rotating, `n` rounds; returns the runs per key, each tagged with its round.
 */
async function interleave(name, entries, n, options = {}) {
  const runs = Object.fromEntries(entries.map((e) => [e.key, []]));
  const run = (e) => measure(e.variant, e.app, { ...options, extraEnv: { ...options.extraEnv, ...e.env } });
  // One unmeasured run of each entry first: file-system caches warm for everybody.
  for (const e of entries) await run(e);
  for (let round = 0; round < n; round++) {
    const busy = await waitForQuiet(quietBudget);
    if (busy !== undefined) busySeen.push(busy);
    for (let i = 0; i < entries.length; i++) {
      const e = entries[(i + round) % entries.length];
      runs[e.key].push({ ...(await run(e)), round });
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

process.stderr.write(`bench: Node ${nodeVersion}, ${machine.cores} cores, receiver at ${receiver.url}, scratch ${ws.root}\n`);

// The first agent run on a machine: no install ID, no hardware cache yet. Measured once; its
// state becomes the seed of every later run (the steady state).
{
  const coldHome = ws.newHome();
  const cold = await measure('on', join(apps, 'trivial.mjs'), { home: coldHome });
  snapshotAgentState(coldHome, ws.seed);
  const hw = existsSync(join(ws.seed, '.cache', 'telemetry-agent', 'hardware.json')) || existsSync(join(ws.seed, '.cache', 'telemetry-agent', 'telemetry-agent', 'hardware.json'));
  results.cold = { ...cold, hardwareCached: hw };
  if (!hw) process.stderr.write('bench: warning: the first agent run left no hardware cache; every run probes the hardware.\n');
}

/** What a section gets: how to run and measure, and where to put its figures. */
const ctx = {
  repo, apps, ws, receiver, otel: Boolean(otelDir), cold: results.cold,
  measure, interleave, stat, paired, ratio, diff, summary, fmt, table,
  /** Fills in a figure the section declared (id), with its measured values. */
  set(id, values) {
    const f = results.figures.find((x) => x.id === id);
    if (!f) throw new Error(`bench: figure ${id} is not declared by its section`);
    Object.assign(f, values);
  },
  info: (i) => results.info.push(i),
};

for (const section of SECTIONS) {
  if (!sections.includes(section.id)) continue;
  for (const f of section.figures) results.figures.push({ ...f, section: section.id, value: NaN, variants: {} });
  const n = rounds ?? section.defaultRounds;
  results.sections[section.id] = await section.run(ctx, n);
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
// Only a run of every section stands for the whole table (and its history).
if (!only && !opts['no-docs']) {
  const doc = join(repo, 'docs', 'performance.md');
  writeFileSync(doc, updatePerformanceDoc(readFileSync(doc, 'utf8'), results, failures));
  process.stderr.write('bench: updated docs/performance.md\n');
}
process.exitCode = failures.length > 0 ? 2 : results.figures.some((f) => !f.pass) ? 1 : 0;
