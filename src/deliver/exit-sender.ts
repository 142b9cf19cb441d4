import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export const SENDER_OPTIONS_ENV = 'TELEMETRY_AGENT_SENDER_OPTIONS';

/**
 * Hands what this process queued at exit to a detached sender (as Next.js does), so a crash
 * report or a short run's data arrives now instead of with the next run. The sender re-checks
 * consent itself and stops after 10 s. Never throws; never keeps this process alive.
 */
export function spawnExitSender(senderFile: string, options: unknown, debug: (m: string) => void): void {
  try {
    if (!existsSync(senderFile)) return;
    const env: NodeJS.ProcessEnv = { ...process.env, [SENDER_OPTIONS_ENV]: JSON.stringify(options ?? {}) };
    delete env.NODE_OPTIONS; // the sender must not load the preload (or anything else the app preloads)
    const child = spawn(process.execPath, [senderFile], { detached: true, stdio: 'ignore', env, windowsHide: true });
    child.on('error', (e) => debug(`exit sender failed to start: ${e}`));
    child.unref();
  } catch (e) {
    debug(`exit sender failed to start: ${e}`);
  }
}

export function senderPath(runtimeDir: string): string {
  return join(runtimeDir, 'sender.cjs');
}
