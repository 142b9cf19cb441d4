import { spawn, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, symlinkSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const REPO = resolve(import.meta.dirname, '..', '..');

export interface RunResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

export interface RunOptions {
  readonly cwd?: string;
  readonly env?: Record<string, string | undefined>;
  readonly node?: string;
  readonly timeoutMs?: number;
  /** Called once the child is spawned (e.g. to send it a signal). */
  readonly onSpawn?: (child: import('node:child_process').ChildProcess) => void;
}

const INHERITED = ['PATH', 'LANG', 'TERM', 'SYSTEMROOT', 'TMPDIR'];

/** A clean environment: no CI markers, no telemetry settings, private config/cache dirs. */
export function cleanEnv(home: string, extra: Record<string, string | undefined> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const k of INHERITED) if (process.env[k] !== undefined) env[k] = process.env[k]!;
  Object.assign(env, { HOME: home, XDG_CONFIG_HOME: join(home, '.config'), XDG_CACHE_HOME: join(home, '.cache') });
  for (const [k, v] of Object.entries(extra)) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return env;
}

export function tempHome(prefix = 'ta-home-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/**
 * A project dir outside the repo whose node_modules links to the repo's packages and to the
 * agent itself, so `--import telemetry-agent` resolves as after `npm install telemetry-agent`.
 */
export function tempProject(name = 'ta-project-'): string {
  const dir = mkdtempSync(join(tmpdir(), name));
  const nm = join(dir, 'node_modules');
  mkdirSync(nm);
  symlinkSync(REPO, join(nm, 'telemetry-agent'), 'dir');
  for (const entry of readdirSync(join(REPO, 'node_modules'))) {
    if (entry === '.bin' || entry === 'telemetry-agent' || existsSync(join(nm, entry))) continue;
    symlinkSync(join(REPO, 'node_modules', entry), join(nm, entry));
  }
  return dir;
}

export function runNode(args: string[], o: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolvePromise, reject) => {
    const started = Date.now();
    const child = spawn(o.node ?? process.execPath, args, { cwd: o.cwd ?? REPO, env: o.env ?? cleanEnv(tempHome()), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), o.timeoutMs ?? 30_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ code, signal, stdout, stderr, ms: Date.now() - started });
    });
    o.onSpawn?.(child);
  });
}

/** A Node older than 22.15 on this machine (the system Node 20), if any. */
export function oldNode(): string | undefined {
  try {
    const all = execFileSync('which', ['-a', 'node'], { encoding: 'utf8' }).split('\n').filter(Boolean);
    for (const bin of [...all, '/usr/local/bin/node', '/usr/bin/node']) {
      if (!existsSync(bin)) continue;
      const v = execFileSync(bin, ['--version'], { encoding: 'utf8' }).trim();
      const [maj, min] = v.slice(1).split('.').map(Number);
      if (maj! < 22 || (maj === 22 && min! < 15)) return bin;
    }
  } catch { /* none */ }
  return undefined;
}
