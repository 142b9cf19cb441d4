// Start-up timeline probe, for the profile only (never in the measured runs). Loaded twice:
//
//   node --import phase-probe.mjs?start --import telemetry-agent --import phase-probe.mjs?done app.mjs
//
// `?start` records the time the first preload runs, wraps Module._load to time
// `require('./runtime.cjs')` (the lazily loaded pipeline), `createAgent()` and systeminformation,
// and listens to beforeExit/exit; `?done` records the end of the agent's preload. All times are
// ms since this process started (performance.now()); performance.timeOrigin is written too, so
// the benchmark can place the receiver's request arrivals on the same axis. The result goes to
// the file named by BENCH_PHASE_FILE at the very end of 'exit'. Uses only process.getBuiltinModule,
// so the probe itself loads no built-in module the agent would not.
const which = new URL(import.meta.url).searchParams.has('done') ? 'done' : 'start';
const now = () => performance.now();

if (which === 'start' && !globalThis.__taBenchPhases) {
  const marks = [];
  const spans = [];
  globalThis.__taBenchPhases = { marks, spans };
  marks.push({ name: 'first preload starts', at: now() });

  const Module = process.getBuiltinModule('node:module');
  const fs = process.getBuiltinModule('node:fs');
  const original = Module._load;
  Module._load = function timedLoad(request, parent, isMain) {
    const name = typeof request === 'string' && /(^|[\\/])runtime\.cjs$/.test(request) ? 'require runtime.cjs'
      : request === 'systeminformation' ? 'require systeminformation' : undefined;
    if (!name) return original.apply(this, arguments);
    const t0 = now();
    const exports = original.apply(this, arguments);
    spans.push({ name, start: t0, end: now() });
    if (name !== 'require runtime.cjs' || !exports || typeof exports.createAgent !== 'function') return exports;
    // esbuild's CJS exports are non-configurable getters: wrap through a Proxy instead.
    return new Proxy(exports, {
      get(target, key, receiver) {
        const value = Reflect.get(target, key, receiver);
        if (key !== 'createAgent') return value;
        return function createAgentTimed(...args) {
          const c0 = now();
          try { return value.apply(this, args); } finally { spans.push({ name: 'createAgent()', start: c0, end: now() }); }
        };
      },
    });
  };

  const write = () => {
    const file = process.env.BENCH_PHASE_FILE;
    if (!file) return;
    try { fs.writeFileSync(file, JSON.stringify({ timeOrigin: performance.timeOrigin, marks, spans })); } catch { /* best effort */ }
  };
  let beforeExitSeen = false;
  process.on('beforeExit', () => {
    if (beforeExitSeen) return;
    beforeExitSeen = true;
    marks.push({ name: "'beforeExit' (event loop empty)", at: now() });
    // Registered now, i.e. after the agent's own exit hook: marks the end of all exit work.
    process.on('exit', () => { marks.push({ name: "end of 'exit' listeners", at: now() }); write(); });
  });
  process.on('exit', () => {
    marks.push({ name: "'exit' event", at: now() });
    if (!beforeExitSeen) write();
  });
} else if (which === 'done' && globalThis.__taBenchPhases) {
  globalThis.__taBenchPhases.marks.push({ name: 'agent preload done', at: now() });
}
