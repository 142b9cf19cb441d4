// Clean, identical surroundings for every run.
//
// - A temporary "user project" directory is the working directory of every run. It has a
//   package.json and a node_modules/ with a copy of this package (package.json and dist/, taken
//   once at the start: a rebuild of dist/ during the benchmark cannot mix two builds), its
//   runtime dependency systeminformation and @opentelemetry/auto-instrumentations-node
//   (symlinks), so `--import telemetry-agent` resolves the way it does for an installed
//   package, and no consent file of the repository is ever seen.
// - Every run gets its own HOME and XDG_* directories under a fresh temporary folder, seeded
//   with a snapshot of the agent's state after one earlier run (install ID, salt, hardware
//   cache): the steady state of a machine where the agent ran before. The very first run on a
//   machine (no hardware cache yet) is measured once, separately.
// - The environment is built from scratch: PATH (with the benchmark's node first), HOME, XDG_*,
//   TMPDIR, LANG, and the variant's own variables. No CI variables, no NODE_OPTIONS, no
//   OTEL_*/TELEMETRY_AGENT_* from the caller's shell, no DO_NOT_TRACK.
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync, existsSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';

export const RUN_MARKER = 'TA_BENCH_RUN';

/** Creates the scratch root and the user project. */
export function createWorkspace(repoRoot, otelPackageDir) {
  const root = mkdtempSync(join(tmpdir(), 'ta-bench-'));
  const project = join(root, 'project');
  mkdirSync(join(project, 'node_modules', '@opentelemetry'), { recursive: true });
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'bench-user-app', private: true, type: 'module' }) + '\n');
  const agentDir = join(project, 'node_modules', 'telemetry-agent');
  mkdirSync(join(agentDir, 'dist'), { recursive: true });
  cpSync(join(repoRoot, 'package.json'), join(agentDir, 'package.json'));
  for (const f of readdirSync(join(repoRoot, 'dist'))) {
    if (/\.(mjs|cjs|js)$/.test(f)) cpSync(join(repoRoot, 'dist', f), join(agentDir, 'dist', f));
  }
  for (const dep of ['systeminformation']) {
    const from = join(repoRoot, 'node_modules', dep);
    if (existsSync(from)) symlinkSync(realpathSync(from), join(project, 'node_modules', dep), 'dir');
  }
  if (otelPackageDir && existsSync(otelPackageDir)) {
    symlinkSync(realpathSync(otelPackageDir), join(project, 'node_modules', '@opentelemetry', 'auto-instrumentations-node'), 'dir');
  }
  const seed = join(root, 'seed');
  mkdirSync(seed);
  let n = 0;
  return {
    root,
    project,
    seed,
    /** The copy of this package the runs load (`<agentDir>/dist/preload.mjs`, …). */
    agentDir,
    /** A fresh HOME/XDG tree for one run, copied from the seed. */
    newHome() {
      const home = join(root, 'homes', String(n++));
      mkdirSync(home, { recursive: true });
      cpSync(seed, home, { recursive: true });
      for (const d of ['.config', '.cache', '.local/share', '.local/state', 'tmp']) mkdirSync(join(home, d), { recursive: true });
      return home;
    },
    dispose() { try { rmSync(root, { recursive: true, force: true }); } catch { /* already gone */ } },
  };
}

/** The environment of one run: nothing inherited except what is listed here. */
export function cleanEnv(node, home, marker, extra = {}) {
  const env = {
    PATH: [dirname(node), '/usr/local/bin', '/usr/bin', '/bin'].join(':'),
    HOME: home,
    XDG_CONFIG_HOME: join(home, '.config'),
    XDG_CACHE_HOME: join(home, '.cache'),
    XDG_DATA_HOME: join(home, '.local/share'),
    XDG_STATE_HOME: join(home, '.local/state'),
    TMPDIR: join(home, 'tmp'),
    LANG: 'C.UTF-8',
    [RUN_MARKER]: marker,
    ...extra,
  };
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete env[k];
  return env;
}

/** Copies the agent's state (not its queue) from a run's HOME into the seed. */
export function snapshotAgentState(home, seed) {
  rmSync(seed, { recursive: true, force: true });
  mkdirSync(seed, { recursive: true });
  cpSync(home, seed, {
    recursive: true,
    filter: (src) => {
      const rel = relative(home, src).split(sep);
      return !rel.includes('queue') && rel[0] !== 'tmp';
    },
  });
}
