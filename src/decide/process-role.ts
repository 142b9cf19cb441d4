import { basename } from 'node:path';
import { realpathSync } from 'node:fs';
import type { Env } from './env-flags.js';

/** Set in the environment of every process started by one where the agent runs. */
export const PARENT_MARKER = 'TELEMETRY_AGENT_PARENT_PID';

const RANK_VARIABLES = ['RANK', 'SLURM_PROCID', 'OMPI_COMM_WORLD_RANK', 'PMI_RANK'];

// Package managers and this CLI start the real app as a child: staying passive in them lets
// `NODE_OPTIONS="--import telemetry-agent" npm start` instrument the app, not npm.
const LAUNCHERS = new Set(['npm-cli.js', 'npx-cli.js', 'npm', 'npx', 'yarn.js', 'yarn.cjs', 'yarn', 'pnpm.cjs', 'pnpm.mjs', 'pnpm', 'corepack.cjs', 'corepack', 'telemetry-agent']);

export type ProcessRole =
  | { readonly main: true; readonly reason: string }
  | { readonly main: false; readonly reason: string; readonly launcher?: boolean };

/** `ownCli` is the path of this package's CLI script, which counts as a launcher too. */
export function detectProcessRole(env: Env = process.env, argv: readonly string[] = process.argv, mainThread: boolean = isMainThreadNow(), ownCli?: string): ProcessRole {
  if (!mainThread) return { main: false, reason: 'a worker thread' };
  if (env.NODE_UNIQUE_ID !== undefined) return { main: false, reason: 'a cluster worker' };
  for (const name of RANK_VARIABLES) {
    const v = env[name];
    if (v !== undefined && v.trim() !== '' && Number(v) !== 0) return { main: false, reason: `rank ${v} of a distributed launch (${name})` };
  }
  const parent = env[PARENT_MARKER];
  if (parent !== undefined && parent !== String(process.pid)) return { main: false, reason: `a child of process ${parent}, where the agent already runs` };
  const script = argv[1];
  if (script !== undefined && (LAUNCHERS.has(basename(script)) || isSameFile(script, ownCli))) return { main: false, reason: 'a package manager or the telemetry-agent CLI', launcher: true };
  return { main: true, reason: 'the main process' };
}

/**
 * Without loading worker_threads (about 2 ms of a short run, bench profile experiment D): in a
 * worker thread Node replaces the process-wide operations it forbids there (process.chdir, …) by
 * stubs marked `disabled` (lib/internal/process/worker_thread_only.js, unchanged since Node 10).
 * The module is still asked where process.chdir is missing altogether.
 */
function isMainThreadNow(): boolean {
  const chdir = process.chdir as ((dir: string) => void) & { disabled?: unknown } | undefined;
  if (typeof chdir === 'function') return chdir.disabled !== true;
  return (process.getBuiltinModule('node:worker_threads') as typeof import('node:worker_threads')).isMainThread;
}

function isSameFile(a: string, b: string | undefined): boolean {
  if (b === undefined || basename(a) !== basename(b)) return false;
  try {
    return realpathSync(a) === realpathSync(b);
  } catch {
    return false;
  }
}

/** Marks this process's future children, so their inherited preload stays passive. */
export function markChildren(env: NodeJS.ProcessEnv = process.env): void {
  env[PARENT_MARKER] = String(process.pid);
}
