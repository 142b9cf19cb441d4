// Runs one benchmark process and measures it the same way for every variant:
//
// - wall time: from just before spawn() to the child's 'exit' event, in this (parent) process,
//   with performance.now(). It includes everything the agent does at exit (flush, queueing),
//   but not a detached exit sender, which by design outlives the app.
// - peak RSS: the kernel's ru_maxrss of the node process, read by GNU time (`/usr/bin/time -f %M`,
//   wrapping every variant equally; it reports the waited-for child, i.e. node itself). Without
//   GNU time, the app's own `process.resourceUsage().maxRSS` printed from its 'exit' listener is
//   used instead (same kernel counter, read slightly earlier) and the source is reported.
// - CPU time: user + system seconds of the node process from the same GNU time call (10 ms
//   resolution: only meaningful for the longer runs, e.g. tfjs training).
// - app figures: every stdout line `BENCH {json}` is merged into `data` (first-line time, µs per
//   call, training time, …).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const GNU_TIME = ['/usr/bin/time', '/bin/time'].find((p) => {
  try { return existsSync(p); } catch { return false; }
});

/**
 * @param {{ node: string, args: string[], env: Record<string,string>, cwd: string, timeoutMs?: number, rss?: boolean }} o
 * @returns {Promise<{ spawnedAt: number, wallMs: number, maxRssKB: number | undefined, cpuMs: number | undefined, rssSource: string, code: number | null, signal: string | null, stdout: string, stderr: string, data: Record<string, any>, timedOut: boolean }>}
 */
export function runProcess(o) {
  const useTime = o.rss !== false && GNU_TIME !== undefined;
  const scratch = useTime ? mkdtempSync(join(tmpdir(), 'ta-bench-time-')) : undefined;
  const timeFile = scratch ? join(scratch, 'rss') : undefined;
  const [cmd, args] = useTime
    ? [GNU_TIME, ['-f', '%M %U %S', '-o', /** @type {string} */ (timeFile), o.node, ...o.args]]
    : [o.node, o.args];
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    let exited;
    const t0 = performance.now();
    const child = spawn(cmd, args, { cwd: o.cwd, env: o.env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.setEncoding('utf8').on('data', (s) => { stdout += s; });
    child.stderr.setEncoding('utf8').on('data', (s) => { stderr += s; });
    const timer = setTimeout(() => { timedOut = true; child.kill('SIGKILL'); }, o.timeoutMs ?? 120_000);
    child.on('error', (e) => { clearTimeout(timer); reject(e); });
    child.on('exit', (code, signal) => { exited = { wallMs: performance.now() - t0, code, signal }; });
    child.on('close', () => {
      clearTimeout(timer);
      const data = {};
      let appRssKB;
      for (const line of stdout.split('\n')) {
        if (line.startsWith('BENCH ')) {
          try { Object.assign(data, JSON.parse(line.slice(6))); } catch { /* not ours */ }
        }
      }
      if (typeof data.exitMaxRssKB === 'number') appRssKB = data.exitMaxRssKB;
      let maxRssKB;
      let cpuMs;
      let rssSource = 'none';
      if (timeFile) {
        try {
          const lines = readFileSync(timeFile, 'utf8').trim().split('\n');
          const [rss, user, sys] = lines[lines.length - 1].trim().split(/\s+/).map(Number);
          if (Number.isFinite(rss) && rss > 0) { maxRssKB = rss; rssSource = 'GNU time %M (ru_maxrss)'; }
          if (Number.isFinite(user) && Number.isFinite(sys)) cpuMs = (user + sys) * 1000;
        } catch { /* no file */ }
        rmSync(/** @type {string} */ (scratch), { recursive: true, force: true });
      }
      if (maxRssKB === undefined && appRssKB !== undefined) { maxRssKB = appRssKB; rssSource = "app's process.resourceUsage().maxRSS at 'exit'"; }
      // GNU time reports a child killed by a signal as "Command terminated by signal N" and exits 128+N.
      const code = exited?.code ?? null;
      resolve({ spawnedAt: performance.timeOrigin + t0, wallMs: exited?.wallMs ?? performance.now() - t0, maxRssKB, cpuMs, rssSource, code, signal: exited?.signal ?? null, stdout, stderr, data, timedOut });
    });
  });
}

/** PIDs of live processes whose environment holds `name=value` (e.g. a detached exit sender of a run). */
export function processesWithEnv(name, value) {
  const needle = `${name}=${value}\0`;
  const found = [];
  let pids = [];
  try { pids = readdirSync('/proc').filter((p) => /^\d+$/.test(p)); } catch { return found; }
  for (const pid of pids) {
    if (Number(pid) === process.pid) continue;
    try {
      const env = readFileSync(`/proc/${pid}/environ`, 'latin1');
      if ((env + '\0').includes(needle)) {
        // a zombie has an empty environ; a live one shows up here
        found.push(Number(pid));
      }
    } catch { /* gone or not ours */ }
  }
  return found;
}

/** Waits (bounded) until no process carrying the run's marker is left, so it cannot disturb the next run. */
export async function waitForStragglers(name, value, maxMs = 15_000) {
  const t0 = performance.now();
  while (performance.now() - t0 < maxMs) {
    if (processesWithEnv(name, value).length === 0) return performance.now() - t0;
    await new Promise((r) => setTimeout(r, 20));
  }
  return performance.now() - t0;
}

/** Fraction of the machine's CPU time that was busy over `ms` (from /proc/stat); undefined off Linux. */
export async function cpuBusy(ms = 150) {
  const read = () => {
    try {
      const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
      const idle = f[3] + (f[4] ?? 0);
      return { idle, total: f.reduce((a, b) => a + b, 0) };
    } catch { return undefined; }
  };
  const a = read();
  await new Promise((r) => setTimeout(r, ms));
  const b = read();
  if (!a || !b || b.total === a.total) return undefined;
  return 1 - (b.idle - a.idle) / (b.total - a.total);
}

/**
 * Waits until other work on the machine calms down (busy < `below` of all cores while this
 * benchmark is idle), at most `maxMs`, drawing on a shared `budget` ({ leftMs }) so that a
 * permanently busy machine cannot stretch the benchmark. Returns the last busy fraction seen.
 */
export async function waitForQuiet(budget, { below = 0.2, maxMs = 4_000 } = {}) {
  const t0 = performance.now();
  let busy = await cpuBusy();
  while (busy !== undefined && busy >= below && budget.leftMs > 0 && performance.now() - t0 < maxMs) {
    const t = performance.now();
    busy = await cpuBusy(250);
    budget.leftMs -= performance.now() - t;
  }
  return busy;
}
