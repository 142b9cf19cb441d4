import { existsSync } from 'node:fs';
import { join } from 'node:path';

export const SENDER_OPTIONS_ENV = 'TELEMETRY_AGENT_SENDER_OPTIONS';

/**
 * Starts one of the agent's own short-lived scripts detached from this process: it never keeps
 * this process alive, never shares its stdio, and does not load the preload (or anything else
 * the app preloads). Never throws.
 */
export function spawnDetached(script: string, extraEnv: Record<string, string>, debug: (m: string) => void): void {
  try {
    if (!existsSync(script)) return;
    const env: NodeJS.ProcessEnv = { ...process.env, ...extraEnv };
    delete env.NODE_OPTIONS;
    // child_process loads only when a detached process is actually needed.
    const { spawn } = process.getBuiltinModule('node:child_process') as typeof import('node:child_process');
    const child = spawn(process.execPath, [script], { detached: true, stdio: 'ignore', env, windowsHide: true });
    child.on('error', (e) => debug(`${script} failed to start: ${e}`));
    child.unref();
  } catch (e) {
    debug(`${script} failed to start: ${e}`);
  }
}

/**
 * Hands what this process queued at exit to a detached sender (as Next.js does), so a crash
 * report or a short run's data arrives now instead of with the next run. The sender re-checks
 * consent itself and stops after 10 s.
 */
export function spawnExitSender(distDir: string, options: unknown, debug: (m: string) => void): void {
  spawnDetached(join(distDir, 'sender.cjs'), { [SENDER_OPTIONS_ENV]: JSON.stringify(options ?? {}) }, debug);
}

/** Probes the hardware in a detached process (systeminformation spawns tools that would hold this one open). */
export function spawnHardwareProbe(distDir: string, debug: (m: string) => void): void {
  spawnDetached(join(distDir, 'probe.cjs'), {}, debug);
}
